"""The evidence readers and phrases all next steps share, and the rules `next_steps` dispatches to for a running
system's kinds: the scan's § 7-8 findings and the findings of the analyses (monitoring, feedback loops, ablation).

A reader raises `Missing` when the evidence lacks what a step needs or holds an odd type: the kind's generic
pay-down text is then the step. Nothing here formats a missing value.
"""

import math
import re
from datetime import date

_ARTIFACT_PREFIXES = ("file:", "url:", "table:")
_NOTEBOOK = re.compile(r" cell \d+(?::\d+)?$")
_LINE = re.compile(r":\d+(?:-\d+)?$")
NOWHERE = ("", "-", "(repository)")
"""locations of repository-wide findings, as the audit's tables show them"""


class Missing(Exception):  # noqa: N818 — a reason to fall back, not an error anyone sees
    """The evidence cannot give what a specific step needs."""


def text(value: object, limit: int = 80) -> str:
    """A non-empty one-line string, shortened to `limit` characters."""
    if not isinstance(value, str) or not value.strip():
        raise Missing
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def number(value: object) -> float:
    """A finite int or float (not a bool, not a numeric string)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > 1e15 or not math.isfinite(value):
        raise Missing  # beyond 1e15 no measured value of a finding is meant: a corrupt one
    return float(value)


def names(value: object) -> list[str]:
    """A non-empty list of non-empty strings (each shortened)."""
    if not isinstance(value, list | tuple) or not value:
        raise Missing
    return [text(v) for v in value]


def listing(items: list[str], limit: int = 3) -> str:
    """'a', 'a and b', 'a, b and c', 'a, b, c and 5 more'."""
    if not items:
        raise Missing
    if len(items) > limit + 1:
        return f"{', '.join(items[:limit])} and {len(items) - limit} more"
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def files(value: object) -> str:
    """A listing of the paths in an evidence list."""
    return listing([text(f, 120) for f in names(value)])


def artifact(value: object) -> str:
    """An artifact id as people know it: 'url:s3://b/x.csv' -> 's3://b/x.csv', 'table:crm.customers' -> the name."""
    name = text(value, 120)
    for prefix in _ARTIFACT_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def shown(value: float) -> str:
    """A measured number, short: 0.7, 2.04, -0.0787, 168."""
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def when(value: object) -> str:
    """A window start as stored ('2026-04-05 00:00:00', a datetime) -> '2026-04-05' or '2026-03-18 11:00'."""
    if isinstance(value, date):
        value = value.isoformat()
    moment = text(value, 40).replace("T", " ").split(".")[0].split("+")[0]
    if not moment[:4].isdigit():
        raise Missing
    moment = moment.removesuffix(" 00:00:00").removesuffix(" 00:00")
    return moment[:-3] if re.search(r" \d\d:\d\d:\d\d$", moment) else moment


class Place:
    """A finding's location: 'file:line', 'file cell N:line', 'file', or an analysis subject ('feature:x')."""

    def __init__(self, location: object):
        self.raw = location.strip() if isinstance(location, str) and location.strip() not in NOWHERE else None

    @property
    def where(self) -> str:
        return text(self.raw, 160)

    @property
    def file(self) -> str:
        """The file part of a scan finding's location."""
        return text(_LINE.sub("", _NOTEBOOK.sub("", self.where)), 160)

    def span(self, first: object, last: object) -> str:
        """'file:13' or 'file:17-19' for a block; a notebook keeps its cell location."""
        if _NOTEBOOK.search(self.where):
            return self.where
        start, end = int(number(first)), int(number(last))
        return f"{self.file}:{start}" if end <= start else f"{self.file}:{start}-{end}"

    def subject(self, prefix: str) -> str:
        """'feature:tenure_days' -> 'tenure_days' for prefix 'feature' ('model:m/segment:s' -> 'm')."""
        head = self.where.split("/segment:", 1)[0]
        if not head.startswith(prefix + ":"):
            raise Missing
        return text(head[len(prefix) + 1:])


# -- § 7-8: monitoring, testing, reproducibility, process (scan) ---------------------------------------------
def no_monitoring(ev: dict, at: Place) -> str:
    return f"Log every prediction written or served by {files(ev.get('files'))}, with its model version and time, " \
           "and alert a person when their distribution or the prediction bias leaves agreed limits."


def no_data_tests(ev: dict, at: Place) -> str:
    return f"Add schema and range checks (pandera, Great Expectations or asserts) where {files(ev.get('files'))} " \
           "read data, and run them in CI against a reference sample."


def unseeded_call(ev: dict, at: Place) -> str:
    keyword = text(ev.get("seed_keywords")).split(" or ")[0]
    call = text(ev.get("call")).split(".", 1)[-1]
    return f"Pass {keyword}=<seed> to {call}(…) at {at.where}, with the seed read from the run's config and " \
           "recorded with the model."


def unseeded_library(ev: dict, at: Place) -> str:
    from mldebt_core.scan.analyse.reproducibility import SEED_HINT  # the scanner's analyses load in 0.25 s: on use

    library = text(ev.get("library"))
    return f"Seed {library} once where training starts ({SEED_HINT.get(library, 'with a fixed seed')}); it " \
           f"draws random numbers at {files(ev.get('used_at'))}."


def unbounded(ev: dict, at: Place) -> str:
    loose = [text(r).split(" (line ")[0] for r in names(ev.get("unbounded"))]
    lock = "" if ev.get("lock_file") is True else ", and commit a lock file (uv, pip-tools or poetry) beside it"
    return f"Pin or upper-bound {listing(loose, 4)} in {at.file}{lock}."


def manual_step(ev: dict, at: Place) -> str:
    return f"Automate the manual step at {at.where} (\"{text(ev.get('text'), 70)}\") as a pipeline task, or " \
           "give it an owner and a runbook entry until it is."


def prompt(ev: dict, at: Place) -> str:
    return f"Replace the {text(ev.get('call'))}() prompt at {at.where} with a command-line option or config " \
           "value, so the pipeline runs unattended."


# -- monitoring (monitoring/findings.py) -------------------------------------------------------------------------
def _windows(ev: dict, count_key: str) -> str:
    size = text(ev.get("window_size"), 20)
    count = int(number(ev.get(count_key)))
    return f"{count} {size}{'s' if count > 1 else ''}"


def drift(ev: dict, at: Place) -> str:
    what = f"feature {at.subject('feature')}" if at.where.startswith("feature:") else "the prediction"
    return f"Find what changed in {what} around {when(ev.get('window'))} ({text(ev.get('statistic'), 30)} " \
           f"{shown(number(ev.get('value')))}; {_windows(ev, 'alert_windows')} alerting): ask its producer, then " \
           "fix the input or retrain on the new distribution."


def bias(ev: dict, at: Place) -> str:
    label = "label rate" if ev.get("task") == "classification" else "mean label"
    off = number(ev.get("value"))
    return f"Find why the mean prediction is {shown(abs(off))} {'above' if off > 0 else 'below'} the {label} " \
           f"(worst in the {text(ev.get('window_size'), 20)} from {when(ev.get('window'))}, " \
           f"{_windows(ev, 'flagged_windows')} flagged): check for a changed label or input, then recalibrate."


def limit(ev: dict, at: Place) -> str:
    model = at.subject("model")
    return f"Have the owner of model {model} review its {int(number(ev.get('breached_windows')))} windows out of " \
           f"the action limit \"{text(ev.get('meaning'), 90)}\" (worst {shown(number(ev.get('value')))} from " \
           f"{when(ev.get('window'))}), and route future breaches to an alert."


def _producer(ev: dict) -> tuple[str, str, str]:
    """(the feature, who produces it, what it feeds)."""
    source, feeds = ev.get("source"), ev.get("feeds")
    producer = f"the owner of {artifact(source)}" if source is not None else "its producer"
    fed = listing([artifact(f) for f in names(feeds)]) if feeds else "the models"
    return text(ev.get("column")), producer, fed


def producer_values(ev: dict, at: Place) -> str:
    """The `nulls` and `out_of_range` checks."""
    column, producer, fed = _producer(ev)
    what, alert = ("null", "its null rate") if ev.get("check") == "nulls" else ("out of range", "its range")
    return f"Ask {producer} why up to {number(ev.get('value')):.0%} of {column} is {what} in " \
           f"{_windows(ev, 'flagged_windows')} (worst on {when(ev.get('window'))}), and alert on {alert} before it " \
           f"reaches {fed}."


def producer_change(ev: dict, at: Place) -> str:
    column, producer, fed = _producer(ev)
    return f"Ask {producer} what changed in {column} around {when(ev.get('window'))}, when its null rate jumped " \
           f"to {number(ev.get('value')):.0%}, and alert on sudden changes before they reach {fed}."


def producer_stale(ev: dict, at: Place) -> str:
    column, producer, fed = _producer(ev)
    if ev.get("value") is None:
        return f"Have {producer} deliver {column}, which never got a value, and alert when a producer goes silent."
    return f"Have {producer} restore the feed of {column}: its last value came {shown(number(ev.get('value')))} " \
           f"hours before the log's end ({when(ev.get('window'))}); alert when it goes stale, since it feeds {fed}."


# -- feedback loops (feedback/report.py) ---------------------------------------------------------------------------
def holdout_gap(ev: dict, at: Place) -> str:
    model = at.subject("model")
    whose = "every model" if model == "all" else f"model {model}"
    effect, holdout = number(ev.get("effect")), text(ev.get("holdout"))
    return f"Find what feeds the actions of {whose} back into their outcomes: the {text(ev.get('metric'), 40)} of " \
           f"'{text(ev.get('treatment'))}' is {shown(abs(effect))} {'above' if effect > 0 else 'below'} '{holdout}' " \
           f"since {when(ev.get('start'))}; train only on '{holdout}' rows until the gap is explained."


def cross_model(ev: dict, at: Place) -> str:
    pair = at.where.removeprefix("models:").split("+", 1)
    if not at.where.startswith("models:") or len(pair) != 2:
        raise Missing
    correlation, lag = number(ev.get("correlation")), int(number(ev.get("lag")))
    return f"Find the shared data or action through which {text(pair[0])} and {text(pair[1])} influence each " \
           f"other (their {text(ev.get('metric'), 40)} changes correlate, r = {correlation:+.2f}, lag {lag} " \
           f"{text(ev.get('window'), 20)}(s)), and give each a holdout the other cannot reach."


# -- ablation (ablation/persist.py, classify.py) ------------------------------------------------------------------
def _confirm(ev: dict) -> str:
    sources = ev.get("sources")
    tail = f", then stop reading {listing([artifact(s) for s in names(sources)])} if nothing else needs it" \
        if sources else ""
    return f"retrain without it to confirm {text(ev.get('metric'), 30)} holds{tail}."


def legacy(ev: dict, at: Place) -> str:
    return f"Remove legacy feature '{at.subject('feature')}', whose information '{text(ev.get('covered_by'))}' " \
           f"carries (rho {number(ev.get('rho')):.2f}); {_confirm(ev)}"


def correlated(ev: dict, at: Place) -> str:
    feature, driver = at.subject("feature"), text(ev.get("driver"))
    return f"Remove '{feature}' and keep '{driver}', which drives its correlated cluster " \
           f"({listing(names(ev.get('cluster')), 4)}); {_confirm(ev)}"


def bundled(ev: dict, at: Place) -> str:
    return f"Remove the bundle {text(ev.get('group'))} ({listing(names(ev.get('members')), 4)}) together: all of " \
           f"it costs {shown(number(ev.get('group_loss')))}, below epsilon {shown(number(ev.get('epsilon')))}; " \
           f"{_confirm(ev)}"


def epsilon(ev: dict, at: Place) -> str:
    return f"Remove '{at.subject('feature')}': dropping it costs {shown(number(ev.get('loss')))}, below epsilon " \
           f"{shown(number(ev.get('epsilon')))}; {_confirm(ev)}"
