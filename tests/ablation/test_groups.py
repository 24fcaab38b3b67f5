"""Groups of features: the groups file (JSON or CSV, every mistake named), name prefixes, shared upstream sources."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mldebt_core.ablation.clusters import find_clusters
from mldebt_core.ablation.errors import TableError
from mldebt_core.ablation.groups import Group, distinct_groups, parse_groups_file, prefix_groups, source_groups
from mldebt_core.settings import AblationSettings

FEATURES = ("vendor_a", "vendor_b", "vendor_c", "tenure", "mean radius", "mean area", "plan.price")
SETTINGS = AblationSettings()


def test_json_and_csv_groups_files_say_the_same():
    as_json = json.dumps({"vendor": ["vendor_a", "vendor_b"], "size": ["mean radius", "mean area"]}).encode()
    as_csv = b"feature,group\nvendor_a,vendor\nvendor_b,vendor\nmean radius,size\nmean area,size\n\n"
    expected = [Group("vendor", "file", ("vendor_a", "vendor_b")), Group("size", "file", ("mean radius", "mean area"))]
    assert parse_groups_file(as_json, "g.json", FEATURES, SETTINGS) == expected
    assert parse_groups_file(as_csv, "g.csv", FEATURES, SETTINGS) == expected
    swapped = b"\xef\xbb\xbfGroup,Feature\nvendor,vendor_a\nvendor,vendor_a\nvendor,vendor_b\n"  # BOM, order, repeats
    assert parse_groups_file(swapped, "g.csv", FEATURES, SETTINGS) == expected[:1]


@pytest.mark.parametrize("data, message", [
    (b'{"vendor": ["vendor_a", "vendor_z"]}', "g: group 'vendor' names 'vendor_z', which is not a feature"),
    (b'{"vendor": []}', "group 'vendor' must be a non-empty list of feature names"),
    (b'{"vendor": "vendor_a"}', "group 'vendor' must be a non-empty list"),
    (b'["vendor_a"]', "expected a JSON object mapping group names"),
    (b'{"vendor": ["vendor_a",}', "g: not valid JSON (line 1"),
    (b"name,members\nx,y\n", "a CSV whose header names the columns 'feature' and 'group'"),
    (b"feature,group\nvendor_a\n", "g: row 2 needs both a feature and a group"),
    (b"feature,group\n", "g: no groups in it"),
    (b"\xff\xfe\x00", "g: not UTF-8 text"),
])
def test_bad_groups_files_are_refused_with_one_sentence(data, message):
    with pytest.raises(TableError) as refused:
        parse_groups_file(data, "g", FEATURES, SETTINGS)
    assert message in str(refused.value)


def test_a_groups_file_over_the_limit_is_not_parsed():
    with pytest.raises(TableError, match="g.json: 21 bytes; a groups file is limited to 10 bytes"):
        parse_groups_file(b'{"v": ["vendor_a"]}  ', "g.json", FEATURES, AblationSettings(max_groups_bytes=10))


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_give_groups_of_known_features_or_a_table_error(data):
    try:
        groups = parse_groups_file(data, "g", FEATURES, SETTINGS)
    except TableError as error:
        assert str(error).startswith("g: ") or "group" in str(error)
    else:
        assert groups and all(set(g.members) <= set(FEATURES) and g.members for g in groups)


def test_prefix_and_source_groups_and_which_are_worth_ablating():
    assert prefix_groups(FEATURES, 2) == [Group("prefix:vendor", "prefix", ("vendor_a", "vendor_b", "vendor_c")),
                                          Group("prefix:mean", "prefix", ("mean radius", "mean area"))]
    sources = {"tenure": ("file:crm.csv",), "plan.price": ("file:crm.csv", "file:plans.csv"), "vendor_a": ()}
    assert source_groups(sources, 2) == [Group("source:file:crm.csv", "source", ("tenure", "plan.price"))]
    same = Group("x", "file", ("mean area", "mean radius"))
    everything = Group("all", "file", FEATURES)
    kept = distinct_groups([same, *prefix_groups(FEATURES, 2), everything, Group("one", "file", ("tenure",))],
                           len(FEATURES))
    assert [g.name for g in kept] == ["x", "prefix:vendor"]  # the first origin of a member set wins


def test_clusters_follow_the_mean_absolute_correlation():
    rho = [[1, 0.95, -0.9, 0.1], [0.95, 1, -0.85, 0.0], [-0.9, -0.85, 1, 0.2], [0.1, 0.0, 0.2, 1]]
    assert find_clusters(np.array(rho), 0.8) == [(0, 1, 2)]
    assert find_clusters(np.array(rho), 0.92) == [(0, 1)]
    assert find_clusters(np.array([[1.0]]), 0.8) == []
