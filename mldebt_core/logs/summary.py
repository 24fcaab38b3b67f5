"""What a system's prediction log holds, in one small query: size, time span, features, and rows per model and
segment (labelled ones too). The pages build their pickers from it."""

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from mldebt_core.logs.table import Feature, load_log_schema
from mldebt_core.store import Store


@dataclass(frozen=True)
class LogSummary:
    rows: int
    first_ts: datetime
    last_ts: datetime
    features: tuple[Feature, ...]
    counts: pd.DataFrame
    """one row per (model, segment): model, segment (None: rows without one), rows, labelled"""

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(sorted(self.counts["model"].unique()))

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(sorted(self.counts["segment"].dropna().unique()))

    @property
    def labelled(self) -> bool:
        return bool(self.counts["labelled"].sum())

    def feature_names(self, kind: str | None = None) -> list[str]:
        """The features' names (of one kind: 'numeric' or 'categorical')."""
        return [f.name for f in self.features if kind is None or f.kind == kind]


def log_summary(store: Store, system: str) -> LogSummary | None:
    """The summary of `system`'s log; None when it has none."""
    schema = load_log_schema(store, system)
    if schema is None:
        return None
    # the files' records hold the row count and the span; only the counts per model and segment read the rows
    rows, first, last = store.query("SELECT sum(row_count), min(first_ts), max(last_ts) FROM log_files "
                                    "WHERE system = ?", [system])[0]
    counts = store.query_df(f"SELECT model, segment, count(*) AS rows, count(label) AS labelled FROM {schema.table} "
                            "GROUP BY ALL ORDER BY model, segment")
    return LogSummary(int(rows or 0), first, last, schema.features, counts)
