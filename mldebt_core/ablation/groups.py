"""Groups of features ablated together: from a file, by name prefix, by upstream source, by correlation cluster.

A groups file is JSON, an object mapping each group's name to a list of feature names, or CSV with a
header naming the columns `feature` and `group` (one row per membership).
"""

import csv
import io
import json
import re
from dataclasses import dataclass

from mldebt_core.ablation.errors import TableError
from mldebt_core.settings import AblationSettings

ORIGINS = ("file", "prefix", "source", "cluster")
_SEPARATOR = re.compile(r"[\s_.:/-]")


@dataclass(frozen=True)
class Group:
    name: str
    origin: str
    """where it comes from: one of ORIGINS"""
    members: tuple[str, ...]


def parse_groups_file(data: bytes, name: str, features: tuple[str, ...], settings: AblationSettings) -> list[Group]:
    """The groups of a JSON or CSV groups file; every member must be a feature of the table."""
    if len(data) > settings.max_groups_bytes:
        raise TableError(f"{name}: {len(data):,} bytes; a groups file is limited to {settings.max_groups_bytes:,} "
                         f"bytes (AblationSettings.max_groups_bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(f"{name}: not UTF-8 text; expected a JSON or CSV groups file") from None
    stripped = text.lstrip()
    pairs = _json_pairs(stripped, name) if stripped.startswith(("{", "[")) else _csv_pairs(text, name)
    known = set(features)
    members: dict[str, list[str]] = {}
    for group, feature in pairs:
        if feature not in known:
            raise TableError(f"{name}: group {group!r} names {feature!r}, which is not a feature of the table")
        if feature not in members.setdefault(group, []):
            members[group].append(feature)
    if not members:
        raise TableError(f"{name}: no groups in it; expected e.g. {{\"vendor\": [\"vendor_a\", \"vendor_b\"]}}")
    return [Group(group, "file", tuple(names)) for group, names in members.items()]


def _json_pairs(text: str, name: str) -> list[tuple[str, str]]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise TableError(f"{name}: not valid JSON (line {error.lineno}: {error.msg})") from None
    if not isinstance(value, dict):
        raise TableError(f"{name}: expected a JSON object mapping group names to lists of feature names")
    pairs = []
    for group, names in value.items():
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise TableError(f"{name}: group {group!r} must be a non-empty list of feature names (strings)")
        pairs.extend((group, feature) for feature in names)
    return pairs


def _csv_pairs(text: str, name: str) -> list[tuple[str, str]]:
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise TableError(f"{name}: not valid CSV ({error})") from None
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "feature" not in header or "group" not in header:
        raise TableError(f"{name}: expected a JSON object or a CSV whose header names the columns 'feature' and "
                         f"'group'")
    f, g = header.index("feature"), header.index("group")
    pairs = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(f, g) or not row[f].strip() or not row[g].strip():
            raise TableError(f"{name}: row {number} needs both a feature and a group")
        pairs.append((row[g].strip(), row[f].strip()))
    return pairs


def prefix_groups(features: tuple[str, ...], min_size: int) -> list[Group]:
    """Features sharing the text before their first separator (space _ . : / -), e.g. `vendor_a`, `vendor_b`."""
    by_prefix: dict[str, list[str]] = {}
    for feature in features:
        parts = _SEPARATOR.split(feature, maxsplit=1)
        if len(parts) == 2 and parts[0]:
            by_prefix.setdefault(parts[0], []).append(feature)
    return [Group(f"prefix:{prefix}", "prefix", tuple(members))
            for prefix, members in by_prefix.items() if len(members) >= min_size]


def source_groups(sources: dict[str, tuple[str, ...]], min_size: int) -> list[Group]:
    """Features produced by the same upstream artifact of the scan's lineage (see `lineage`)."""
    by_source: dict[str, list[str]] = {}
    for feature, artifacts in sources.items():
        for artifact in artifacts:
            by_source.setdefault(artifact, []).append(feature)
    return [Group(f"source:{artifact}", "source", tuple(members))
            for artifact, members in sorted(by_source.items()) if len(members) >= min_size]


def distinct_groups(groups: list[Group], feature_count: int) -> list[Group]:
    """Groups worth ablating: two or more members, not every feature, each member set once (first origin wins)."""
    seen: set[frozenset[str]] = set()
    kept = []
    for group in groups:
        key = frozenset(group.members)
        if 2 <= len(key) < feature_count and key not in seen:
            seen.add(key)
            kept.append(group)
    return kept
