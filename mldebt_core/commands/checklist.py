"""`mldebt checklist` and `mldebt answer`: the paper's five questions and the ML Test Score of a system, scored from
its evidence, and the team's answers that override them (docs/checklist.md)."""

import argparse
import sys

from mldebt_core.commands.common import default_author, open_store, options, tell
from mldebt_core.errors import MldebtError

FORMATS = ("json", "markdown")


def add_commands(commands) -> None:
    checklist = commands.add_parser(
        "checklist", help="the paper's five questions and the ML Test Score, scored from evidence",
        description="Score the paper's five questions (0-4: how many of each question's four criteria the "
                    "evidence shows met) and the ML Test Score (Breck et al. 2017: 28 tests of 0, 0.5 or 1 point; "
                    "the lowest of the four sections' sums) from what the database holds about the system: its "
                    "latest scan's findings (at or above the dashboard's confidence floor), its prediction log and "
                    "the analyses' findings, its latest ablation run. Each score shows its evidence and what is "
                    "missing; the team's answers (`mldebt answer`) override them. See docs/checklist.md.",
        epilog="examples:  mldebt checklist --system churn\n"
               "           mldebt checklist --system churn --format markdown > audit.md",
        formatter_class=argparse.RawDescriptionHelpFormatter, parents=options("system"))
    checklist.add_argument("--format", choices=FORMATS, default="json",
                           help="json (default): the scores with their evidence as one object; markdown: a report")
    checklist.set_defaults(run=_checklist)

    answer = commands.add_parser(
        "answer", help="the team's answer to a question (q1-q5) or an ML Test Score test (data-1..monitor-7)",
        description="Record the team's score of one of the five questions (--score 0-4) or its points for an ML "
                    "Test Score test (--points 0, 0.5 or 1), with the reason; it overrides what the evidence "
                    "computed until --withdraw. Every answer is kept (the dashboard's Checklist page shows the "
                    "history); the latest counts.",
        epilog="examples:  mldebt answer --system churn q3 --score 2 --reason 'labels arrive a week late'\n"
               "           mldebt answer --system churn infra-6 --points 0.5 --reason 'canary by hand each release'\n"
               "           mldebt answer --system churn q3 --withdraw --reason 'labels arrive daily now'",
        formatter_class=argparse.RawDescriptionHelpFormatter, parents=options("system"))
    answer.add_argument("target", metavar="QUESTION_OR_TEST", help="q1..q5, or a test id such as infra-6")
    value = answer.add_mutually_exclusive_group(required=True)
    value.add_argument("--score", type=int, metavar="N", help="a question's score, 0-4")
    value.add_argument("--points", type=float, metavar="P", help="a test's points: 0, 0.5 or 1")
    value.add_argument("--withdraw", action="store_true", help="withdraw the override: the evidence counts again")
    answer.add_argument("--reason", required=True, metavar="TEXT", help="why the team sees it so (required)")
    answer.add_argument("--author", default=None, metavar="NAME", help="who answers (default: your user name)")
    answer.set_defaults(run=_answer)


def _checklist(args) -> int:
    import json

    from mldebt_core.audit.test_score import audit_scores, scores_dict, scores_markdown

    with open_store(args) as store:
        scores = audit_scores(store, args.system)
    if args.format == "markdown":
        sys.stdout.write(scores_markdown(scores) + "\n")
    else:
        sys.stdout.write(json.dumps(scores_dict(scores), indent=1) + "\n")
    return 0


def _answer(args) -> int:
    from mldebt_core.audit.answers import QUESTION_IDS, TEST_IDS, answer_question, answer_test

    target = args.target.strip().lower()
    author = args.author if args.author is not None else default_author()
    if target in QUESTION_IDS:
        if args.points is not None:
            raise MldebtError(f"{target}: a question takes --score 0-4, not --points")
        with open_store(args) as store:
            stored = answer_question(store, args.system, target, None if args.withdraw else args.score, args.reason,
                                     author)
    elif target in TEST_IDS:
        if args.score is not None:
            raise MldebtError(f"{target}: a test takes --points 0, 0.5 or 1, not --score")
        with open_store(args) as store:
            stored = answer_test(store, args.system, target, None if args.withdraw else args.points, args.reason,
                                 author)
    else:
        raise MldebtError(f"{args.target!r}: expected a question (q1..q5) or an ML Test Score test (data-1..data-7, "
                          f"model-1..7, infra-1..7, monitor-1..7)")
    what = "withdrawn: the evidence counts again" if stored.withdrawn else (
        f"{'score' if target in QUESTION_IDS else 'points'} {stored.value:g}")
    tell(f"{target} of {args.system}: {what} ({stored.author})")
    return 0
