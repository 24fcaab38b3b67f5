"""Manual steps in the pipeline (paper § 8, process debt): prose that tells a person to
do something by hand, and input()/getpass() calls in pipeline code.

The prose lines of READMEs, runbooks and shell scripts come from
`collect/detectors/runbook_prose.py`, the input()/getpass() calls from `hygiene_facts`.
Phrases naming a person's work count everywhere; instructions ("copy … to …") only
in documents, since in a script the script itself does them.

A phrase is not enough: READMEs say "manually" in marketing ("no more labelling by
hand"), in UI tours ("click Retrain to trigger it manually"), in alternatives ("deploy
Ray manually or on Kubernetes") and in one-off setup ("create the IAM key manually").
The sentence holding the phrase must instruct (an imperative, or "need to", "must",
"remember to"…), name something the pipeline handles (data, a model, predictions, a
job…), and carry no cue of a capability, a UI, an alternative or an environment's
setup; headings and the READMEs of examples and tutorials are not runbooks.
"""

import posixpath
import re
from collections import defaultdict

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.paths import NON_PRODUCTION_FOLDERS, is_test_file
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts

# "we don't have to manually restart it": a step that is *not* manual, said in the same clause
_NEGATED = re.compile(r"(?:\b(?:not|no|never|without|instead of)\b|n't)[^.;:!?]*$", re.I)
# What a pipeline handles: a manual step acts on one of these.
PIPELINE_OBJECTS = re.compile(
    r"\b(?:data|datasets?|models?|predictions?|features?|labels?|training|retrain\w*|pipelines?|dags?|jobs?|"
    r"batch(?:es)?|tables?|artifacts?|checkpoints?|weights|buckets?|metrics?|thresholds?|csvs?|parquet|"
    r"notebooks?|scores?|reports?|results?|outputs?|lists?|exports?|snapshots?|files?|steps?|stages?|"
    r"experiments?|endpoints?|deployments?|releases?|versions?|inference|backfills?)\b", re.I)
# Imperative verbs of operations a pipeline could do itself.
OPERATION_VERBS = frozenset({
    "run", "rerun", "re-run", "execute", "launch", "start", "trigger", "kick", "schedule", "copy", "move",
    "upload", "download", "transfer", "sync", "push", "pull", "fetch", "collect", "place", "put", "save", "export",
    "import", "load", "ingest", "generate", "convert", "rename", "replace", "edit", "change", "update", "refresh",
    "bump", "set", "adjust", "tune", "retrain", "train", "score", "evaluate", "compare", "check", "verify",
    "inspect", "review", "approve", "promote", "deploy", "redeploy", "register", "publish", "release", "label",
    "annotate", "clean", "delete", "remove", "archive", "restore", "merge", "rotate", "restart", "backfill",
    "send", "email", "post", "notify", "tell", "ask", "monitor", "swap", "build"})
_OBLIGATION = re.compile(r"\b(?:needs? to|needed to|must|ha(?:ve|s) to|should|(?:is|are) required|remember to|"
                         r"don'?t forget to|make sure to|be sure to)\b", re.I)
# Capabilities, UIs, alternatives, marketing and one-off environment setup: no step of the pipeline.
_NOT_A_STEP = re.compile(
    r"\b(?:can|could|may|might|allows?|lets?|enables?|optional(?:ly)?|alternatively|either|ways?|"
    r"if you (?:want|wish|prefer)|for example|e\.g|easily|easy|seamless(?:ly)?|effortless(?:ly)?|intuitive|"
    r"automatic(?:ally)?|click\w*|buttons?|tabs?|sidebar|ui|gui|dashboard|interface|widgets?|drag|"
    r"install\w*|setup|set up|environment|virtualenv|venv|kernel|accounts?(?! manager)|credentials?|passwords?|"
    r"tokens?|iam|permissions?|instances?|clusters?|vms?|director(?:y|ies)|folders?|clone|fork|infra\w*)\b",
    re.I)
# Words between an obligation and its verb: "need to *manually* copy", "must *be* uploaded", "make sure *that you
# have* placed".
_FILLERS = frozenset({"be", "been", "manually", "also", "first", "then", "always", "still", "by", "hand", "that",
                      "you", "we", "have", "has", "to", "explicitly", "yourself"})
_IRREGULAR = frozenset({"put", "set", "sent", "built", "rerun", "re-run", "kicked"})
_LEAD = re.compile(r"^(?:\s*(?:[-*+>]|\d+[.)]|\[[ x]\])\s)*\s*(?:\*\*[^*]{0,60}\*\*|__[^_]{0,60}__)?\s*:?\s*"
                   r"(?:[\w\s`'-]{0,40}:\s+)?")  # list markers, a bold label, a short "Label:" prefix
_OPENERS = re.compile(r"^(?:(?:then|next|finally|first|now|please|also|afterwards|manually|by hand|"
                      r"(?:daily|weekly|monthly|nightly)|(?:every|each) \w+),?\s+)+", re.I)
_CLAUSE = re.compile(r"^(?:after|once|when|whenever|before|every|each|at the end of)\b[^,]{0,80},\s*", re.I)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
EXAMPLE_FOLDERS = NON_PRODUCTION_FOLDERS - {"docs", "doc"}  # a project's docs may be its runbooks


def analyse(repo: RepoFacts) -> Analysis:
    return Analysis(findings=[*_documented_steps(repo), *_interactive_inputs(repo)])


def _documented_steps(repo: RepoFacts) -> list:
    settings = repo.settings.hygiene
    anywhere = [re.compile(p, re.I) for p in settings.manual_step_phrases]
    in_docs = anywhere + [re.compile(p, re.I) for p in settings.manual_step_instructions]
    scripts = {r.path for r in repo.results if r.language == "Shell"}
    findings = []
    for path, lines in sorted(repo.detected("manual_steps").items()):
        if EXAMPLE_FOLDERS.intersection(path.split("/")[:-1]):
            continue
        script = path in scripts
        phrases = anywhere if script else in_docs
        seen: dict[str, int] = defaultdict(int)
        for number, line in lines:
            text = _LINK.sub(r"\1", line)
            pattern, match = next(((p, m) for p in phrases if (m := p.search(text))), (None, None))
            if match is None or _NEGATED.search(text, 0, match.start()) \
                    or (not script and text.startswith("#")) or not is_manual_step(_sentence(text, match)):
                continue
            anchor = f"{pattern.pattern}:{seen[pattern.pattern]}"
            seen[pattern.pattern] += 1
            findings.append(make_finding(
                "process_debt", repo.settings, path, number, anchor=anchor,
                message=f"documents a manual step: \"{match.group(0)}\"",
                evidence={"phrase": match.group(0), "text": text}))
    return findings


def is_manual_step(sentence: str) -> bool:
    """An instruction to a person about something the pipeline handles, not a capability, a UI or a setup."""
    if sentence.rstrip().endswith("?") or _NOT_A_STEP.search(sentence) or not PIPELINE_OBJECTS.search(sentence):
        return False
    start = _CLAUSE.sub("", _OPENERS.sub("", _LEAD.sub("", sentence, count=1), count=1), count=1)
    first = start.split(None, 1)[0].lower().strip("`*_,") if start.strip() else ""
    return first in OPERATION_VERBS or _obliged_operation(sentence)


def _obliged_operation(sentence: str) -> bool:
    """"you need to copy …", "must be uploaded by hand": an obligation whose verb is an operation. "Remember to
    complete the `.env` file", "don't forget to keep in mind …", "should be re-played" oblige no pipeline step."""
    for match in _OBLIGATION.finditer(sentence):
        words = [w.lower().strip("`*_,.") for w in sentence[match.end():].split()]
        verb = next((w for w in words if w not in _FILLERS), "")
        # "remember to ssh into the box to restart the job": the operation a few words on, after its own "to"
        if _operation(verb) or any(w == "to" and _operation(v) for w, v in zip(words[:6], words[1:7])):
            return True
    return False


def _operation(word: str) -> bool:
    """An operation verb, or its past participle ("uploaded", "copied", "rerun")."""
    stems = (word, word[:-1], word[:-2], word[:-3] + "y") if word.endswith("ed") else (word,)
    return any(stem in OPERATION_VERBS for stem in stems) or word in _IRREGULAR


def _sentence(text: str, match: re.Match) -> str:
    """The sentence of `text` holding the match."""
    start = 0
    for end in _SENTENCE_END.finditer(text):
        if end.start() >= match.start():
            return text[start:end.start()]
        start = end.end()
    return text[start:]


def _interactive_inputs(repo: RepoFacts) -> list:
    pipeline = _pipeline_files(repo)
    findings = []
    for path, hygiene in sorted(repo.detected("hygiene").items()):
        if path not in pipeline:
            continue
        seen: dict[tuple[str, str], int] = defaultdict(int)
        for site in hygiene.manual_inputs:
            key = (site.function, site.call)
            findings.append(make_finding(
                "process_debt", repo.settings, path, site.line, anchor=f"{site.function}:{site.call}:{seen[key]}",
                message=f"{site.call}() waits for a person at run time in pipeline code (this file {pipeline[path]})",
                evidence={"call": site.call, "function": site.function or "(module)", "pipeline_role": pipeline[path]}))
            seen[key] += 1
    return findings


def _pipeline_files(repo: RepoFacts) -> dict[str, str]:
    """Non-test code that reads or writes data, or that a shell step runs: path -> why."""
    members = {a.file: "reads or writes pipeline data" for a in repo.accesses
               if a.artifact is not None and not is_test_file(a.file)}
    for facts in repo.facts.values():
        for _, target in facts.runs:
            module = repo.index.by_name.get(target)
            path = posixpath.normpath(target) if target.endswith(".py") else module.path if module else None
            if path is not None and not is_test_file(path):
                members.setdefault(path, "is run by a shell step")
    return members
