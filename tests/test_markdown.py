"""Markdown for wikis and trackers: what a user or a repository named shows as typed."""

import re

from hypothesis import given
from hypothesis import strategies as st

from mldebt_core.markdown import escape, table


def test_markup_in_names_stays_literal():
    assert escape("*bold* _it_ `code` [x](y) <b>|") == r"\*bold\* \_it\_ \`code\` \[x\](y) \<b\>\|"
    assert [escape(t) for t in ["# title", "- item", "12. item", "+1", "churn-system v1.2", "2026-12-20"]] == [
        r"\# title", r"\- item", r"12\. item", r"\+1", "churn-system v1.2", "2026-12-20"]
    assert escape("line one\nline two") == "line one line two"
    assert "https://" not in escape("see https://evil.example/x")  # no tracker autolinks it


def test_a_table_keeps_one_row_per_record_whatever_the_cells_hold():
    text = table(["name", "note"], [["a|b", "two\nlines"], ["c", None]])
    assert text.splitlines() == ["| name | note |", "|---|---|", r"| a\|b | two lines |", "| c |  |"]


@given(st.text())
def test_escaped_text_never_breaks_a_table_row_or_opens_a_code_span(text):
    escaped = escape(text)
    assert "\n" not in escaped
    unescaped_specials = [c for i, c in enumerate(escaped) if c in "|`" and (i == 0 or escaped[i - 1] != "\\")]
    assert not unescaped_specials


def test_no_bare_url_address_or_formula_survives_in_a_report():
    for text, live in [("http://evil\u3002example", "http://"), ("www.evil.example", r"www\."),
                       ("mail bo@evil.example", r"\w@"), ("$x^2$", r"(?<!\\)\$")]:
        assert re.search(live, escape(text)) is None and escape(text).replace("\u200b", "").replace("\\", "") == text
