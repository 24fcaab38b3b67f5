"""The specific next step of a finding, built from its evidence (docs/audit.md).

`next_step` names what the evidence names (the file and line, the artifact, the key, the flag, the features,
the windows, the model, the value) in one or two plain-text sentences a team can act on this week, after the
paper's advice. One rule per kind, or per (kind, sub-case): scan findings name theirs in `evidence["problem"]`,
ablation findings in `classification`, producer checks in `check` (`CASES`); other sub-cases are told apart by a
key only their producer writes (`SHAPES`). When the evidence lacks what a rule needs (or holds odd types), the
kind's generic pay-down text (`KINDS[kind].paydown`) is the step. `message` is taken for a uniform call from the
debts table and is not parsed: every step is built from the evidence and the location.
"""

from collections.abc import Callable

from mldebt_core.audit import step_rules as rules
from mldebt_core.audit.step_rules import Missing, Place, artifact, files, listing, names, number, shown, text
from mldebt_core.taxonomy import KINDS

Rule = Callable[[dict, Place], str]
UNKNOWN_KIND_STEP = "Read the finding's evidence with its owner and agree how to pay this debt down."


def next_step(kind: str, location: str | None, evidence: dict, message: str) -> str:
    """One or two sentences: the finding's specific next step, or its kind's generic pay-down text."""
    generic = KINDS[kind].paydown if isinstance(kind, str) and kind in KINDS else UNKNOWN_KIND_STEP
    rule = _rule(kind, evidence) if isinstance(kind, str) and isinstance(evidence, dict) else None
    try:
        step = rule(evidence, Place(location)) if rule else generic
    except Missing:
        return generic
    return step if step.strip() and "None" not in step else generic


def _rule(kind: str, evidence: dict) -> Rule | None:
    case = evidence.get(CASE_KEYS.get(kind, "problem"))
    if isinstance(case, str) and (kind, case) in CASES:
        return CASES[(kind, case)]
    return next((rule for key, rule in SHAPES.get(kind, ()) if key is None or key in evidence), None)


# -- § 2-4: boundaries, data dependencies, feedback loops (scan) ------------------------------------------
def _unstable(ev: dict, at: Place) -> str:
    source = artifact(ev.get("artifact"))
    readers = files(ev.get("readers")) if ev.get("readers") else at.file
    if text(ev.get("artifact")).startswith("table:"):
        return f"Read a dated snapshot or versioned view of table {source} instead of the live table, " \
               f"and have {readers} read that snapshot."
    return f"Pin {source} to a dated or hashed copy (or track it with DVC) and have {readers} read that copy."


def _cascade(ev: dict, at: Place) -> str:
    model, upstream = artifact(ev.get("model")), listing([artifact(m) for m in names(ev.get("upstream_models"))])
    return f"Stop training {model} on {artifact(ev.get('predictions'))}, the output of {upstream} (read at " \
           f"{at.where}): give {upstream} the features it lacks, or train {model} on its own features only."


def _consumer(ev: dict, at: Place) -> str:
    declared = ev.get("declared_consumers")
    today = f"today only {files(ev.get('declared_consumers'))}" if declared else "none declared today"
    return f"Declare {at.file} as a consumer of {artifact(ev.get('artifact'))} under [tool.mldebt.consumers] " \
           f"({today}), or have it read a published, versioned copy instead."


def _direct_loop(ev: dict, at: Place) -> str:
    output = artifact(ev.get("artifact"))
    steps = [n for n in names(ev.get("cycle")) if not n.startswith(("file:", "url:", "table:"))]
    return f"Break the loop {' -> '.join(steps[:6])}: stop {at.file} feeding {output} back into training data " \
           f"({at.where}), or train only on a randomised holdout that {output} never influenced."


# -- § 5 and fixed thresholds (§ 7): code anti-patterns ---------------------------------------------------------
def _glue(ev: dict, at: Place) -> str:
    glue = f"{int(number(ev.get('glue_lines')))} of {int(number(ev.get('statement_lines')))} statement lines, " \
           f"{number(ev.get('share')):.0%}"
    if at.raw is None:
        return f"Wrap the ML packages behind one tested API module of your own that holds the format conversions " \
               f"(glue is {glue} of the repository), starting with the files of highest glue share."
    return f"Move the glue of {at.file} ({glue}) behind one tested API module of your own around the ML " \
           f"packages, and have {at.file} call it."


def _chain(ev: dict, at: Place) -> str:
    chain = names(ev.get("chain"))
    scripts = [n for n in chain if not n.startswith(("file:", "url:", "table:"))]
    return f"Replace the chain of {int(number(ev.get('intermediate_files')))} intermediate files from " \
           f"{artifact(chain[0])} to {artifact(chain[-1])} ({listing(scripts)}) with one declared, tested " \
           "pipeline (DVC stages or an orchestrator DAG)."


def _read_write_scripts(ev: dict, at: Place) -> str:
    scripts = names(ev.get("scripts"))
    return f"Fold the {len(scripts)} scripts that read and write intermediate files ({listing(scripts)}) into " \
           "one declared pipeline with tested steps, instead of adding another script."


def _fan_in(ev: dict, at: Place) -> str:
    inputs = [artifact(i) for i in names(ev.get("inputs"))]
    return f"Split the join of {len(inputs)} inputs in {at.file} ({listing(inputs)}) into a tested feature " \
           "step with a declared schema for each input."


def _flag(ev: dict, at: Place) -> str:
    flags, values = names(ev.get("flags")), names(ev.get("flag_values"))
    if len(flags) != len(values):
        raise Missing
    guarded = listing([f"{f} (always {'unset' if v == 'None' else v})" for f, v in zip(flags, values)])
    return f"Delete the branch guarded by {guarded} at {at.span(ev.get('first_line'), ev.get('last_line'))} " \
           f"and the flag{'s' if len(flags) > 1 else ''} itself."


def _unreachable(ev: dict, at: Place) -> str:
    return f"Delete {text(ev.get('detail'))} at {at.span(ev.get('first_line'), ev.get('last_line'))}: it never " \
           "runs."


def _commented(ev: dict, at: Place) -> str:
    return f"Delete the commented-out code at {at.span(ev.get('first_line'), ev.get('last_line'))} (starting " \
           f"\"{text(ev.get('detail'), 50)}\"); git history keeps it if the experiment comes back."


def _unreferenced(ev: dict, at: Place) -> str:
    what = "class" if ev.get("problem") == "unreferenced_class" else "function"
    return f"Delete the {what} {text(ev.get('name'))} at {at.span(ev.get('first_line'), ev.get('last_line'))}, " \
           "referenced nowhere in the repository (or call it, if its experiment is still live)."


def _abstraction(ev: dict, at: Place) -> str:
    direct = names(ev.get("files"))
    return f"Put one small model interface (load, train, predict) in front of the {len(direct)} files that fit or " \
           f"predict directly ({listing(direct)}) and make each of them call it."


def _plain_old_data(ev: dict, at: Place) -> str:
    return f"Write the model version and prediction time beside the predictions in " \
           f"{artifact(ev.get('artifact'))} at {at.where}, so every score can be traced to the model that made it."


def _threshold(ev: dict, at: Place) -> str:
    function = ev.get("function")
    inside = f" in {text(function)}()" if isinstance(function, str) and function.strip() else ""
    return f"Replace the literal {shown(number(ev.get('literal')))} in \"{text(ev.get('expression'), 60)}\"" \
           f"{inside} at {at.where} with a threshold learned on held-out validation data and versioned with the " \
           "model."


def _languages(ev: dict, at: Place) -> str:
    by_language = {text(lang, 30): names(paths) for lang, paths in ev.items()}
    if len(by_language) < 2:
        raise Missing
    main = max(sorted(by_language), key=lambda lang: len(by_language[lang]))
    others = [f"{lang} ({listing(by_language[lang], 2)})" for lang in sorted(by_language) if lang != main]
    return f"Port the {listing(others)} steps to {main}, the pipeline's main language, or put a tested, " \
           "documented interface at each language boundary."


def _imports_prototype(ev: dict, at: Place) -> str:
    return f"Move what {at.file} imports from {text(ev.get('prototype'), 120)} into a tested production " \
           f"module and import that instead ({at.where})."


def _copied_prototype(ev: dict, at: Place) -> str:
    return f"Keep one tested copy of the {int(number(ev.get('lines')))}-line function at {at.where}, copied from " \
           f"{text(ev.get('prototype'), 120)}, in a production module, and import it where the copy was."


# -- § 6: configuration ---------------------------------------------------------------------------------------
def _unused(ev: dict, at: Place) -> str:
    if "keys" in ev:
        keys = names(ev.get("keys"))
        return f"Delete the {len(keys)} settings of {at.file} that nothing reads ({listing(keys, 5)}) in one " \
               "change, after checking no deployment reads them."
    what = "section" if ev.get("subtree") is True else "setting"
    return f"Delete the unused {what} {text(ev.get('key'))} from {at.where}, or read it where it was meant " \
           "to apply."


def _redundant(ev: dict, at: Place) -> str:
    holders = [text(f, 120).rsplit(":", 1)[0] for f in names(ev.get("files"))]
    return f"Set {listing(names(ev.get('values')))} once in a base config that {listing(holders)} inherit from, " \
           "and delete the repeated values."


def _near_copy(ev: dict, at: Place) -> str:
    base = text(ev.get("copy_of"), 120)
    if "copies" in ev:
        return f"Keep {base} as the one dotenv file and point every user of {files(ev.get('copies'))} at it, then " \
               "delete the copies."
    differing = ev.get("differing_keys")
    if not differing:
        return f"Delete {at.file}, identical to {base}, and point its users at {base}."
    keys = [d.split(": ", 1)[0] for d in names(differing)]
    return f"Derive {at.file} from {base} and override only {listing(keys, 4)}."


def _undefined(ev: dict, at: Place) -> str:
    key = text(ev.get("key"))
    if ev.get("how") == "env":
        return f"Declare {text(key.lstrip('$'))} in the project's .env file (or read it with a default) for the " \
               f"read at {at.where}."
    return f"Define {key} in the config file that {at.file} loads, or give its read at {at.where} a default."


CASE_KEYS = {"underutilized_data_dependency": "classification", "monitoring_gap": "check"}
"""the evidence key naming a kind's sub-case (otherwise "problem")"""
CASES: dict[tuple[str, str], Rule] = {
    ("config_debt", "unused_setting"): _unused, ("config_debt", "redundant_setting"): _redundant,
    ("config_debt", "near_copy"): _near_copy, ("config_debt", "undefined_setting"): _undefined,
    ("dead_experimental_codepath", "constant_flag"): _flag,
    ("dead_experimental_codepath", "unreachable_branch"): _unreachable,
    ("dead_experimental_codepath", "commented_out_code"): _commented,
    ("dead_experimental_codepath", "unreferenced_function"): _unreferenced,
    ("dead_experimental_codepath", "unreferenced_class"): _unreferenced,
    ("prototype", "imports_prototype"): _imports_prototype, ("prototype", "copied_from_prototype"): _copied_prototype,
    ("monitoring_gap", "nulls"): rules.producer_values, ("monitoring_gap", "sudden_change"): rules.producer_change,
    ("monitoring_gap", "out_of_range"): rules.producer_values, ("monitoring_gap", "stale"): rules.producer_stale,
    ("underutilized_data_dependency", "legacy"): rules.legacy,
    ("underutilized_data_dependency", "correlated"): rules.correlated,
    ("underutilized_data_dependency", "bundled"): rules.bundled,
    ("underutilized_data_dependency", "epsilon"): rules.epsilon,
}
SHAPES: dict[str, tuple[tuple[str | None, Rule], ...]] = {
    "unstable_data_dependency": (("artifact", _unstable),),
    "correction_cascade": (("model", _cascade),),
    "undeclared_consumer": (("artifact", _consumer),),
    "direct_feedback_loop": (("cycle", _direct_loop),),
    "hidden_feedback_loop": (("holdout", rules.holdout_gap), ("correlation", rules.cross_model)),
    "glue_code": (("glue_lines", _glue),),
    "pipeline_jungle": (("chain", _chain), ("scripts", _read_write_scripts), ("inputs", _fan_in)),
    "abstraction_debt": (("files", _abstraction),),
    "plain_old_data": (("artifact", _plain_old_data),),
    "fixed_threshold": (("literal", _threshold),),
    "monitoring_gap": (("limit_id", rules.limit), ("statistic", rules.drift), ("task", rules.bias),
                       ("predicting_files", rules.no_monitoring)),
    "data_testing_debt": (("files", rules.no_data_tests),),
    "reproducibility_debt": (("call", rules.unseeded_call), ("library", rules.unseeded_library),
                             ("unbounded", rules.unbounded)),
    "process_debt": (("phrase", rules.manual_step), ("call", rules.prompt)),
    "multiple_language": ((None, _languages),),
}
"""per kind, (a key only that sub-case's producer writes, or None: any evidence, its rule), tried in order"""
