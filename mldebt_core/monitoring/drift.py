"""Drift (paper § 7): does the prediction, or any feature, still look like it did in the reference?

For the prediction and every feature, per window ('hour', 'day', 'week'; UTC, weeks from Monday)
against a reference (`reference.Reference`), one SQL statement in DuckDB counts every window on the
reference's cells (see `profiles`) and derives, per window:

- `psi`: population stability index over `DriftSettings.psi_bins` quantile bins of the reference (a
  categorical column: over its categories), sum of (w - r) * ln(w / r) where a share below
  `psi_epsilon` counts as `psi_epsilon`;
- `js`: Jensen-Shannon distance (base 2, 0-1) over the same bins;
- `ks` and `ks_pvalue` (numeric): the Kolmogorov-Smirnov statistic, sup |F_ref - F_window|, and its
  asymptotic p-value (as scipy's `ks_2samp(method="asymp")`), shown as context only: on millions of
  rows every p-value is tiny;
- `wasserstein` (numeric): the earth mover's distance, and `wasserstein_std`, the same in reference
  standard deviations;
- `new_categories` / `vanished_categories` (categorical).

A window is never compared with its own rows: one inside the reference period is compared with the rest
of the reference (so the windows of the reference show the statistics' noise, and adaptive levels are not
biased low); one partly inside, with the reference minus that part.

Exact on logs of at most `exact_max_rows` rows (every distinct value is a cell). On larger logs the
cells are a fine equal grid over the reference's [min, max): KS is taken at the cell edges (off by at
most the largest share one cell holds), Wasserstein takes values as spread evenly within a cell and is
exact beyond the reference's range (off by at most one cell width), and the PSI bin edges are the
reference's quantiles rounded up to a cell edge (both sides are binned alike, so PSI stays a PSI).
When a window has more than `sample_rows` rows, the counts come from the run's seeded sample
(`sample.read_log`), each reference window weighted by its rows / kept rows; `sampled` marks those rows.

Alerts use the effect sizes (PSI, JS, Wasserstein in standard deviations) against fixed levels from
the settings, or, with `adaptive`, levels from the windows inside the reference period: mean + k sigma.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from mldebt_core.logs.sample import WEIGHT_SQL, LogSample
from mldebt_core.logs.windows import SIZES, START_SQL, window_params
from mldebt_core.monitoring.profiles import PREDICTION, ColumnProfile, Profile, bound, build_profile
from mldebt_core.monitoring.reference import BadReferenceError, ReferencePeriod
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS, DriftSettings
from mldebt_core.store import Store

LEVELS = ("ok", "warn", "alert")
STATISTICS = {"numeric": ("psi", "js", "wasserstein_std"), "categorical": ("psi", "js")}
"""the effect sizes that set a window's level, per column kind"""


@dataclass(frozen=True)
class DriftReport:
    period: ReferencePeriod
    exact: bool
    """True when every numeric column was counted per distinct value (a small log): exact statistics"""
    windows: pd.DataFrame
    """one row per (column, window): window, window_start, column, role ('prediction' or 'feature'), kind, values,
    reference_values, in_reference, psi, js, ks, ks_pvalue, wasserstein, wasserstein_std, new_categories,
    vanished_categories, level ('ok', 'warn', 'alert'), reason (which statistic passed which level),
    worst_statistic and alert_ratio (the effect size nearest its alert level, as a share of it: >= 1 alerts)"""
    levels: pd.DataFrame
    """the levels used: column, statistic, warn, alert, adaptive"""


def drift_report(store: Store, sample: LogSample, period: ReferencePeriod, adaptive: bool = False,
                 settings: DriftSettings = DEFAULT_DRIFT_SETTINGS) -> DriftReport:
    """Drift of the prediction and features of the log `sample` read (one model or all, per its window) against
    the reference `period` (see `reference.resolve_reference`)."""
    totals = sample.totals
    windows = (totals["last_ts"].iloc[-1] - totals["first_ts"].iloc[0]) // SIZES[sample.window] + 2
    profile = build_profile(store, sample.schema, period, windows, settings, sample)
    frame = _statistics(store, sample, profile, sample.window, settings)
    levels = _levels(frame, profile, sample.window, adaptive, settings)
    return DriftReport(period, any(c.exact for c in profile.columns), _judge(frame, levels, settings), levels)


# -- the statistics, in SQL -----------------------------------------------------------------------------------

def _statistics(store: Store, sample: LogSample, profile: Profile, window: str, settings: DriftSettings):
    period = profile.period
    params = {"model": sample.model, "ref_start": period.start, "ref_end": period.end, "bins": settings.psi_bins,
              "eps": settings.psi_epsilon, **window_params(window), **sample.weights()}
    aligned = _on_window_edge(period.start, window) and _on_window_edge(period.end, window)
    counts = [_count_branch(i, column, sample, aligned, params) for i, column in enumerate(profile.columns)]
    numeric = [(i, c) for i, c in enumerate(profile.columns) if c.kind == "numeric"]
    params.update(g_col=[i for i, _ in numeric], g_low=[c.low for _, c in numeric],
                  g_high=[c.high for _, c in numeric], g_width=[None if c.exact else c.width for _, c in numeric],
                  g_cells=[c.cells for _, c in numeric])
    if profile.stored:  # the profile's counts are the reference; no window's own rows are in them
        own, reference = "0", " UNION ALL ".join(_stored_branch(i, c, params) for i, c in enumerate(profile.columns))
    else:
        in_reference = f"{START_SQL} >= $ref_start AND {START_SQL} < $ref_end"
        own = f"coalesce(sum(n) FILTER (WHERE coalesce(in_ref, {in_reference})), 0)"
        reference = ("SELECT col, cell, category, sum(own * weight) AS n, sum(own) AS kept FROM win GROUP BY ALL "
                     "HAVING sum(own) > 0")
    weight = WEIGHT_SQL if sample.sampled else "1"
    sql = _SQL.format(counts=" UNION ALL ".join(counts), own=own, reference=reference, start=START_SQL, weight=weight)
    frame = sample.query_df(store, sql, bound(sql, params))

    columns = profile.columns
    frame["column"] = [columns[i].name for i in frame["col"]]
    frame["role"] = ["prediction" if columns[i].column == PREDICTION else "feature" for i in frame["col"]]
    frame["kind"] = [columns[i].kind for i in frame["col"]]
    std = np.array([np.nan if not columns[i].std else columns[i].std for i in frame["col"]])
    frame["wasserstein_std"] = frame["wasserstein"] / std
    frame["ks_pvalue"] = _ks_pvalues(frame, settings)
    # sampled: the window's own rows, or the reference's (a live reference overlapping a sampled window)
    totals = sample.totals
    drawn = totals["kept"] < totals["rows"]
    overlap = (totals["window_start"] < period.end) & (totals["window_start"] + SIZES[window] > period.start)
    frame["sampled"] = frame["w"].map(dict(zip(totals["w"], drawn))).fillna(False).astype(bool) | bool(
        not profile.stored and (drawn & overlap).any())
    categorical = frame["kind"] == "categorical"
    for listed in ("new_categories", "vanished_categories"):
        frame[listed] = [list(v) if c and isinstance(v, (list, np.ndarray)) else None
                         for v, c in zip(frame[listed], categorical)]
    end = frame["window_start"] + SIZES[window]
    frame["in_reference"] = (frame["window_start"] >= period.start) & (end <= period.end)
    frame.insert(0, "window", window)
    return frame.drop(columns=["col", "w"])


def _ks_pvalues(frame, settings: DriftSettings):
    """The two-sided KS p-value of each row from (D, n, m), as scipy's ks_2samp(method="asymp")."""
    from scipy.special import kolmogorov  # kstwobign's survival function, without scipy.stats' import time

    n, m = frame["reference_values"].to_numpy(float), frame["values"].to_numpy(float)
    statistic = frame["ks"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.round(n * m / (n + m))
    known = ~np.isnan(statistic) & (size > 0)
    large = known & (size > settings.ks_limit_n)
    small = known & ~large
    pvalue = np.full(len(frame), np.nan)
    if small.any():
        from scipy.stats import kstwo

        pvalue[small] = kstwo.sf(statistic[small], size[small])
    pvalue[large] = kolmogorov(statistic[large] * np.sqrt(size[large]))
    return np.clip(pvalue, 0, 1)


def _on_window_edge(moment: datetime, window: str) -> bool:
    """True when a window starts at `moment` (so every window lies wholly inside or outside a period from it)."""
    edge = moment.replace(minute=0, second=0, microsecond=0)
    if window != "hour":
        edge = edge.replace(hour=0)
    if window == "week":
        edge -= timedelta(days=edge.weekday())
    return edge == moment


def _count_branch(i: int, column: ColumnProfile, sample: LogSample, aligned: bool, params: dict) -> str:
    """The counts of one column per (window, in reference, cell or category); names are generated, never user text.
    With `aligned` windows a window's rows are all in the reference or none are: no per-row test. A grid
    column groups by one integer, window * (cells + 2) + cell + 1 (one key hashes faster than two)."""
    in_reference = "NULL::BOOLEAN" if aligned else "ts >= $ref_start AND ts < $ref_end"
    rows = f"FROM {sample.source} WHERE {column.column} IS NOT NULL AND {sample.model_filter} GROUP BY ALL"
    if column.kind == "categorical":
        return (f"SELECT {i} AS col, {sample.window_sql} AS w, NULL::DOUBLE AS cell, {column.column} AS category, "
                f"{in_reference} AS in_ref, count(*) AS n, NULL::DOUBLE AS total {rows}")
    if column.exact:
        return (f"SELECT {i} AS col, {sample.window_sql} AS w, {column.column} AS cell, NULL::VARCHAR AS category, "
                f"{in_reference} AS in_ref, count(*) AS n, sum({column.column}) AS total {rows}")
    params.update({f"low_{i}": column.low, f"scale_{i}": column.scale, f"cells_{i}": column.cells,
                   f"stride_{i}": column.cells + 2})
    cell = column.cell_sql(f"scale_{i}", f"low_{i}", f"cells_{i}")
    return (f"SELECT {i} AS col, key // $stride_{i} AS w, (key % $stride_{i} - 1)::DOUBLE AS cell, "
            f"NULL::VARCHAR AS category, in_ref, n, total FROM ("
            f"SELECT {sample.window_sql} * $stride_{i} + {cell} + 1 AS key, "
            f"{in_reference} AS in_ref, count(*) AS n, sum({column.column}) AS total {rows})")


def _stored_branch(i: int, column: ColumnProfile, params: dict) -> str:
    """A stored profile's reference counts of one column."""
    params[f"ref_keys_{i}"] = [key for key, _ in column.counts]
    params[f"ref_counts_{i}"] = [count for _, count in column.counts]
    if column.kind == "numeric":
        key = f"unnest($ref_keys_{i}::DOUBLE[]) AS cell, NULL::VARCHAR AS category"
    else:
        key = f"NULL::DOUBLE AS cell, unnest($ref_keys_{i}::VARCHAR[]) AS category"
    return f"SELECT *, n AS kept FROM (SELECT {i} AS col, {key}, unnest($ref_counts_{i}::BIGINT[]) AS n)"


# One row per (column, window w). `own` is a window's count in the reference period: the window is compared with
# the reference minus its own rows (rn = reference - own). F are cumulative shares in value order, d = F_ref -
# F_window at a cell's upper edge, d_prev the same at its lower edge; Wasserstein integrates |d|: exact cells hold
# one value each (d is flat up to the next value), grid cells have d linear inside (values spread evenly), with
# gaps of empty cells flat, and the parts beyond the reference's range exact from the windows' sums there (the
# reference has no mass outside [low, high]).
_SQL = """
WITH counts AS ({counts}),
win AS (SELECT col, w, cell, category, sum(n) AS n, sum(total) AS total, {own} AS own, {weight} AS weight
        FROM counts GROUP BY ALL),
ref AS ({reference}),
grid AS (SELECT unnest($g_col::INTEGER[]) AS col, unnest($g_low::DOUBLE[]) AS low, unnest($g_high::DOUBLE[]) AS high,
         unnest($g_width::DOUBLE[]) AS width, unnest($g_cells::INTEGER[]) AS cells),
pairs AS (SELECT col, w FROM (SELECT DISTINCT w FROM win WHERE col = 0) CROSS JOIN (SELECT DISTINCT col FROM ref)),
win_total AS (SELECT p.col, p.w, coalesce(sum(x.n), 0)::BIGINT AS n_w,
                     any_value(r.n) - coalesce(sum(x.own * x.weight), 0) AS n_r,
                     (any_value(r.kept) - coalesce(sum(x.own), 0))::BIGINT AS k_r
              FROM pairs p JOIN (SELECT col, sum(n) AS n, sum(kept) AS kept FROM ref GROUP BY col) r USING (col)
              LEFT JOIN win x USING (col, w) GROUP BY ALL),
joined AS (
    SELECT coalesce(r.col, x.col) AS col, coalesce(r.w, x.w) AS w, coalesce(r.cell, x.cell) AS cell,
           coalesce(r.category, x.category) AS category, coalesce(r.n, 0) - coalesce(x.own * x.weight, 0) AS rn,
           coalesce(x.n, 0) AS wn, coalesce(x.total, 0) AS total
    FROM (SELECT p.col, p.w, ref.cell, ref.category, ref.n FROM pairs p JOIN ref USING (col)) r
    FULL OUTER JOIN win x ON r.col = x.col AND r.w = x.w
        AND r.cell IS NOT DISTINCT FROM x.cell AND r.category IS NOT DISTINCT FROM x.category),
steps AS (  -- the window functions carry as few columns as possible: they sort what they carry
    SELECT col, w, cell, rn, wn, total, sum(rn) OVER o AS r_cum, sum(wn) OVER o AS w_cum,
           lag(cell) OVER o AS prev_cell, lead(cell) OVER o AS next_cell
    FROM joined WHERE cell IS NOT NULL
    WINDOW o AS (PARTITION BY col, w ORDER BY cell ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),
shapes AS (
    SELECT s.*, u.n_r, u.n_w, g.low, g.high, g.width, g.cells, r_cum - rn AS r_before,
           r_cum / nullif(n_r, 0) - w_cum / nullif(n_w, 0) AS d,
           (r_cum - rn) / nullif(n_r, 0) - (w_cum - wn) / nullif(n_w, 0) AS d_prev
    FROM steps s JOIN win_total u USING (col, w) JOIN grid g USING (col)),
numeric_stats AS (
    SELECT col, w, max(abs(d)) AS ks,
           sum(CASE WHEN cells IS NULL THEN coalesce(next_cell - cell, 0) * abs(d)
                    WHEN cell = -1 THEN (wn * low - total) / n_w
                    ELSE (cell - coalesce(prev_cell, -1) - 1) * width * abs(d_prev)
                         + CASE WHEN cell = cells THEN (total - wn * high) / n_w
                                WHEN d * d_prev >= 0 THEN width * (abs(d) + abs(d_prev)) / 2
                                ELSE width * (d * d + d_prev * d_prev) / (2 * (abs(d) + abs(d_prev))) END
               END) AS wasserstein
    FROM shapes GROUP BY ALL),
bins AS (
    SELECT col, w, false AS categorical, least($bins - 1, floor(r_before * $bins / nullif(n_r, 0)))::BIGINT::VARCHAR
           AS bin,
           rn, wn, n_r, n_w FROM shapes
    UNION ALL
    SELECT j.col, j.w, true, j.category, j.rn, j.wn, u.n_r, u.n_w
    FROM joined j JOIN win_total u USING (col, w) WHERE j.cell IS NULL),
shares AS (SELECT col, w, categorical, bin, sum(rn) / nullif(any_value(n_r), 0) AS r,
                  sum(wn) / nullif(any_value(n_w), 0) AS w_share FROM bins GROUP BY ALL),
divergence AS (
    SELECT col, w,
           sum((greatest(w_share, $eps) - greatest(r, $eps)) * ln(greatest(w_share, $eps) / greatest(r, $eps))) AS psi,
           sqrt(greatest(0, sum(CASE WHEN r > 0 THEN r * log2(2 * r / (r + w_share)) ELSE 0 END
                                + CASE WHEN w_share > 0 THEN w_share * log2(2 * w_share / (r + w_share)) ELSE 0 END)
                            / 2)) AS js,
           coalesce(list(bin ORDER BY bin) FILTER (WHERE categorical AND r = 0 AND w_share > 0), [])
               AS new_categories,
           coalesce(list(bin ORDER BY bin) FILTER (WHERE categorical AND r > 0 AND w_share = 0), [])
               AS vanished_categories
    FROM shares GROUP BY ALL)
SELECT u.col, u.w, {start} AS window_start, u.n_w AS "values", u.k_r AS reference_values,
       CASE WHEN compared THEN d.psi END AS psi, CASE WHEN compared THEN d.js END AS js,
       CASE WHEN compared THEN s.ks END AS ks, CASE WHEN compared THEN s.wasserstein END AS wasserstein,
       CASE WHEN compared THEN d.new_categories END AS new_categories,
       CASE WHEN compared THEN d.vanished_categories END AS vanished_categories
FROM (SELECT *, n_w > 0 AND k_r > 0 AS compared FROM win_total) u
LEFT JOIN divergence d USING (col, w) LEFT JOIN numeric_stats s USING (col, w)
ORDER BY u.col, u.w
"""


# -- levels ---------------------------------------------------------------------------------------------------

def _levels(frame, profile: Profile, window: str, adaptive: bool, settings: DriftSettings):
    fixed = {"psi": (settings.psi_warn, settings.psi_alert), "js": (settings.js_warn, settings.js_alert),
             "wasserstein_std": (settings.wasserstein_warn, settings.wasserstein_alert)}
    rows = []
    for column in profile.columns:
        for statistic in STATISTICS[column.kind]:
            warn, alert = fixed[statistic]
            rows.append({"column": column.name, "statistic": statistic, "warn": warn, "alert": alert,
                         "adaptive": False})
    levels = pd.DataFrame(rows)
    if not adaptive:
        return levels
    inside = frame[frame["in_reference"] & (frame["values"] >= settings.min_window_rows)]
    if inside["window_start"].nunique() < 2:
        raise BadReferenceError(
            f"adaptive levels need at least two {window}s with {settings.min_window_rows} or more values inside "
            f"the reference ({profile.period.start:%Y-%m-%d %H:%M} to {profile.period.end:%Y-%m-%d %H:%M}); "
            "choose a longer reference or a smaller window")
    k = settings.adaptive_sigmas
    for index, level in levels.iterrows():
        values = inside.loc[inside["column"] == level["column"], level["statistic"]].dropna()
        if len(values) >= 2:
            mean, sigma = values.mean(), values.std()
            levels.loc[index, ["warn", "alert", "adaptive"]] = [mean + 2 * k / 3 * sigma, mean + k * sigma, True]
    return levels


def _judge(frame, levels, settings: DriftSettings):
    """Each window's level: the worst of its effect sizes against their levels; few values never alert."""
    grade = np.zeros(len(frame), dtype=int)
    ratio = np.zeros(len(frame))
    worst = np.full(len(frame), None, dtype=object)
    reasons: dict[int, list[str]] = {}
    judged = (frame["values"] >= settings.min_window_rows).to_numpy()
    for row in levels.itertuples():
        mine = (frame["column"] == row.column).to_numpy() & judged
        value = frame[row.statistic].to_numpy(float)
        with np.errstate(invalid="ignore"):
            mine &= ~np.isnan(value)
            mine_grade = np.where(mine & (value > row.alert), 2, np.where(mine & (value > row.warn), 1, 0))
        for position in np.flatnonzero(mine_grade):
            bound = row.alert if mine_grade[position] == 2 else row.warn
            reasons.setdefault(position, []).append(f"{row.statistic} {value[position]:.3g} > {bound:.3g}")
        share = np.where(mine, value / row.alert, 0.0)
        worst = np.where(share > ratio, row.statistic, worst)
        ratio = np.maximum(ratio, share)
        grade = np.maximum(grade, mine_grade)
    frame["level"] = np.array(LEVELS, dtype=object)[grade]
    reason = np.full(len(frame), "", dtype=object)
    for position, texts in reasons.items():
        reason[position] = "; ".join(texts)
    frame["reason"] = reason
    frame["worst_statistic"] = worst
    frame["alert_ratio"] = ratio
    return frame
