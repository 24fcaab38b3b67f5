"""Measure the scanner's precision and recall on the labelled corpus of real ML repositories.

    python bench/precision.py [--corpus DIR] [--scans DIR] [--reuse-scans] [--repo OWNER/NAME ...]
                              [--kind KIND ...] [--judged FILE ...] [--write-unjudged FILE] [--json FILE]
                              [--write-confidence] [--checkout-from DIR] [--scanner DIR]

The corpus lives in bench/corpus/: `manifest.toml` (the repositories, each at one commit), `judged.jsonl`
(findings a person judged by reading the cited code: true, false or debatable) and `expected.jsonl` (debts a
person found by reading the code, independently of the scanner). This script scans every repository checked out
under --corpus (as `<owner>+<name>`), then prints:
  - precision per kind: true / judged, debatable counted as false, with the counts;
  - precision of the high and critical findings;
  - recall of the expected debts, and of the lineage debts among them;
  - judgments whose finding the scanner no longer reports (a fixed false positive, or a lost true one);
  - every finding not judged yet, to judge (`--write-unjudged FILE` writes them as JSONL templates).
It never downloads: a missing checkout gets the commands that build it. `--checkout-from DIR` builds the missing
checkouts from local git directories (`DIR/<owner>+<name>/repo`, `DIR/<owner>+<name>.git` or
`DIR/<owner>+<name>/.git`), writing an empty placeholder for each blob the local copy lacks. Exit 0, or 2 for
bad arguments or a malformed corpus file. `--scanner DIR` runs the scanner of another mldebt tree (e.g. a
`git archive HEAD` copy, to measure the committed scanner while the working tree is being changed).
"""

import argparse
import fnmatch
import json
import math
import os
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS_FILES = ROOT / "bench" / "corpus"
VERDICTS = ("true", "false", "debatable")
HIGH_SEVERITIES = ("high", "critical")
LINE_WINDOW = 5  # lines: an expected debt's line may differ this much from the finding's (code moves a little)
MIN_JUDGED_FOR_CONFIDENCE = 5  # judged findings of a kind below which its precision is not proposed as confidence
CONFIDENCE_FILE = ROOT / "mldebt_core" / "scan" / "measured_precision.json"
Z_95 = 1.96  # normal quantile of a two-sided 95% interval, for the Wilson lower bound


class CorpusError(Exception):
    """A malformed manifest, judged or expected file: named with its line."""


@dataclass(frozen=True)
class CorpusRepo:
    name: str  # owner/name on GitHub
    commit: str
    category: str
    why: str
    placeholders: tuple[str, ...]  # paths (globs) of blobs absent from the copy the corpus was judged on: empty files

    @property
    def slug(self) -> str:
        return self.name.replace("/", "+")


@dataclass(frozen=True)
class Judgment:
    repo: str
    finding_id: str
    kind: str
    verdict: str
    reason: str


@dataclass(frozen=True)
class ExpectedDebt:
    repo: str
    kind: str
    file: str | None  # None: a debt of the whole repository
    line: int | None
    cell: int | None
    what: str
    lineage: bool
    artifact: str | None  # a lineage debt's data location: the finding's message or evidence must contain it
    match: str | None  # any debt: a word the finding's message or evidence must contain (a key, a copy's path)


# ---- reading the corpus files


def load_manifest(path: Path) -> list[CorpusRepo]:
    try:
        doc = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise CorpusError(f"{path}: {err}") from err
    repos = []
    for number, entry in enumerate(doc.get("repo", []), 1):
        missing = [key for key in ("name", "commit", "category", "why") if key not in entry]
        if missing or len(entry["commit"]) != 40:
            raise CorpusError(f"{path}: repo #{number}: needs name, category, why and a 40-hex commit")
        repos.append(CorpusRepo(entry["name"], entry["commit"], entry["category"], entry["why"],
                                tuple(entry.get("placeholders", ()))))
    return repos


def _json_lines(path: Path) -> list[tuple[int, dict]]:
    if not path.exists():
        return []
    rows = []
    for number, text in enumerate(path.read_text().splitlines(), 1):
        if text.strip():
            try:
                rows.append((number, json.loads(text)))
            except json.JSONDecodeError as err:
                raise CorpusError(f"{path}:{number}: not JSON ({err.msg})") from err
    return rows


def load_judged(path: Path, judged: dict[tuple[str, str], Judgment] | None = None
                ) -> dict[tuple[str, str], Judgment]:
    """The judgments of `path`, added to `judged` (those of other files) when given."""
    judged = {} if judged is None else judged
    for number, row in _json_lines(path):
        if row.get("verdict") not in VERDICTS or not all(row.get(key) for key in ("repo", "finding_id", "kind",
                                                                                   "reason")):
            raise CorpusError(f"{path}:{number}: needs repo, finding_id, kind, verdict (one of "
                              f"{', '.join(VERDICTS)}) and reason")
        key = (row["repo"], row["finding_id"])
        if key in judged and judged[key].verdict != row["verdict"]:
            raise CorpusError(f"{path}:{number}: {row['finding_id']} judged twice with different verdicts")
        judged[key] = Judgment(row["repo"], row["finding_id"], row["kind"], row["verdict"], row["reason"])
    return judged


def load_expected(path: Path) -> list[ExpectedDebt]:
    debts = []
    for number, row in _json_lines(path):
        if not row.get("repo") or not row.get("kind") or not row.get("what") or "file" not in row:
            raise CorpusError(f"{path}:{number}: needs repo, kind, file (or null) and what")
        debts.append(ExpectedDebt(row["repo"], row["kind"], row["file"], row.get("line"), row.get("cell"),
                                  row["what"], bool(row.get("lineage")), row.get("artifact"), row.get("match")))
    return debts


# ---- checkouts


def checkout_path(corpus: Path, repo: CorpusRepo) -> Path:
    return corpus / repo.slug


def _marker(corpus: Path, repo: CorpusRepo) -> Path:
    return corpus / f"{repo.slug}.commit"  # beside the tree, so the scan never sees it


def rebuild_commands(corpus: Path, repo: CorpusRepo) -> list[str]:
    dest = checkout_path(corpus, repo)
    lines = [f"git clone --filter=blob:none https://github.com/{repo.name} /tmp/src/{repo.slug}",
             f"mkdir -p {dest} && git -C /tmp/src/{repo.slug} archive {repo.commit} | tar -x -C {dest}",
             f"echo {repo.commit} > {_marker(corpus, repo)}"]
    if repo.placeholders:
        globs = " ".join(f"'{pattern}'" for pattern in repo.placeholders)
        lines.append(f"(cd {dest} && for p in {globs}; do for f in $p; do : > \"$f\"; done; done)"
                     "  # empty the blobs the judged copy lacked")
    return lines


def _local_git_dir(mirrors: Path, repo: CorpusRepo) -> Path | None:
    for candidate in (mirrors / repo.slug / "repo", mirrors / f"{repo.slug}.git", mirrors / repo.slug / ".git",
                      mirrors / repo.slug):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def checkout_from_git(git_dir: Path, repo: CorpusRepo, dest: Path) -> int:
    """Write the commit's tree to dest; a blob the git directory lacks becomes an empty file. Returns how many."""
    listing = subprocess.run(["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", "--full-tree", repo.commit],
                             capture_output=True, check=True).stdout
    blobs = []
    for record in filter(None, listing.split(b"\0")):
        meta, path = record.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000":  # symbolic links are left out, as the scan skips them
            blobs.append((mode, sha, os.fsdecode(path)))
    absent = 0
    with subprocess.Popen(["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as cat:
        for mode, sha, path in blobs:
            cat.stdin.write(sha + b"\n")
            cat.stdin.flush()
            header = cat.stdout.readline()
            data = b""
            if header.endswith(b" missing\n"):
                absent += 1
            else:
                data = cat.stdout.read(int(header.split()[2]))
                cat.stdout.read(1)
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data if not _is_placeholder(repo, path) else b"")
            if mode == b"100755":
                target.chmod(0o755)
        cat.stdin.close()
    return absent


def _is_placeholder(repo: CorpusRepo, path: str) -> bool:
    return any(fnmatch.fnmatch(path, pattern) for pattern in repo.placeholders)


def ensure_checkouts(corpus: Path, repos: list[CorpusRepo], mirrors: Path | None) -> list[CorpusRepo]:
    """The repositories ready to scan; print how to build the others (or build them from local git dirs)."""
    ready = []
    for repo in repos:
        dest, marker = checkout_path(corpus, repo), _marker(corpus, repo)
        git_dir = _local_git_dir(mirrors, repo) if mirrors and not dest.exists() else None
        if git_dir:
            try:
                absent = checkout_from_git(git_dir, repo, dest)
            except subprocess.CalledProcessError:
                print(f"  {repo.name}: commit {repo.commit} is not in {git_dir}")
                continue
            marker.write_text(repo.commit + "\n")
            print(f"  {repo.name}: checked out from {git_dir}" + (f" ({absent} blobs absent, empty)" if absent else ""))
        if not dest.is_dir():
            print(f"  {repo.name}: no checkout at {dest}; build it with:")
            for line in rebuild_commands(corpus, repo):
                print(f"      {line}")
            continue
        recorded = marker.read_text().strip() if marker.exists() else None
        if recorded != repo.commit:
            print(f"  {repo.name}: {dest} is at {recorded or 'an unknown commit'}, the manifest says {repo.commit}; "
                  "figures may differ")
        ready.append(repo)
    return ready


# ---- scanning


def scan(repo: CorpusRepo, corpus: Path, scans: Path, reuse: bool, scanner: Path) -> list[dict] | None:
    """The repository's findings, from a fresh scan by the mldebt tree at scanner (or the last scan with reuse);
    None when the scan failed."""
    output = scans / f"{repo.slug}.json"
    if not (reuse and output.exists()):
        command = [sys.executable, "-m", "mldebt_core.cli", "scan", str(checkout_path(corpus, repo)),
                   "-o", str(output), "--system", repo.name, "--quiet"]
        result = subprocess.run(command, cwd=scanner, capture_output=True, text=True)  # `-m` imports from cwd
        if result.returncode != 0:
            print(f"  {repo.name}: the scan failed (exit {result.returncode}): {result.stderr.strip()[-500:]}")
            return None
    return json.loads(output.read_text())["findings"]


# ---- measuring (pure)


@dataclass(frozen=True)
class Tally:
    true: int = 0
    false: int = 0
    debatable: int = 0
    unjudged: int = 0

    @property
    def judged(self) -> int:
        return self.true + self.false + self.debatable

    @property
    def precision(self) -> float | None:
        return self.true / self.judged if self.judged else None

    def add(self, verdict: str | None) -> "Tally":
        field = verdict or "unjudged"
        return replace(self, **{field: getattr(self, field) + 1})


def wilson_lower(successes: int, total: int) -> float | None:
    """Lower bound of the 95% Wilson interval of a proportion: how low precision may really be on few judgments."""
    if not total:
        return None
    p, z2 = successes / total, Z_95 * Z_95
    centre = p + z2 / (2 * total)
    spread = Z_95 * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    return max(0.0, (centre - spread) / (1 + z2 / total))


def tally_by_kind(findings: dict[str, list[dict]], judged: dict[tuple[str, str], Judgment],
                  only_severities: tuple[str, ...] | None = None) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for repo, items in findings.items():
        for finding in items:
            if only_severities and finding["severity"] not in only_severities:
                continue
            verdict = judged.get((repo, finding["id"]))
            tallies[finding["kind"]] = tallies.get(finding["kind"], Tally()).add(verdict and verdict.verdict)
    return tallies


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _names_file(text: str, path: str) -> bool:
    """Does an evidence string ('code:a/b.py', 'file:a/b.csv', 'a/b.py:12', 'a/b.ipynb, cell 3') name path?"""
    for prefix in ("code:", "file:"):
        text = text.removeprefix(prefix)
    return text == path or text.startswith((f"{path}:", f"{path},"))


def finds(finding: dict, debt: ExpectedDebt, window: int = LINE_WINDOW) -> bool:
    """Is this finding the expected debt? Same kind, and the debt's artifact and match words in the finding's
    message or evidence when it has them; then a lineage debt by its file named anywhere in the finding (the
    reader, a cycle, a writer); another debt by its file (and cell), its line within the window when both have
    one, or by its file named in the evidence of a finding on the whole repository."""
    if finding["kind"] != debt.kind:
        return False
    texts = [finding["message"], *_strings(finding["evidence"])]
    if any(word and not any(word in text for text in texts) for word in (debt.artifact, debt.match)):
        return False
    if debt.lineage:
        return debt.file is None or finding["file"] == debt.file or any(_names_file(t, debt.file) for t in texts)
    if debt.file is None:
        return True
    if finding["file"] is None:  # a finding on the whole repository finds the debt when its evidence names the file
        return any(_names_file(text, debt.file) for text in _strings(finding["evidence"]))
    if finding["file"] != debt.file:
        return False
    if debt.cell is not None and finding.get("cell") not in (None, debt.cell):
        return False
    return debt.line is None or finding["line"] is None or abs(finding["line"] - debt.line) <= window


def recall(findings: dict[str, list[dict]], debts: list[ExpectedDebt]) -> list[tuple[ExpectedDebt, str | None]]:
    """Each expected debt with the id of a finding that finds it (None: missed)."""
    return [(debt, next((f["id"] for f in findings.get(debt.repo, []) if finds(f, debt)), None)) for debt in debts]


# ---- reporting


def _percent(value: float | None) -> str:
    return "   -" if value is None else f"{100 * value:3.0f}%"


def print_precision(title: str, tallies: dict[str, Tally]) -> None:
    print(f"\n{title}")
    print(f"  {'kind':<30} {'prec':>5} {'low95':>5} {'true':>5} {'false':>5} {'deb.':>5} {'judged':>6} {'unjudged':>8}")
    total = Tally()
    for kind, tally in sorted(tallies.items()):
        total = Tally(total.true + tally.true, total.false + tally.false, total.debatable + tally.debatable,
                      total.unjudged + tally.unjudged)
        print(f"  {kind:<30} {_percent(tally.precision):>5} {_percent(wilson_lower(tally.true, tally.judged)):>5} "
              f"{tally.true:>5} {tally.false:>5} {tally.debatable:>5} {tally.judged:>6} {tally.unjudged:>8}")
    print(f"  {'all':<30} {_percent(total.precision):>5} {_percent(wilson_lower(total.true, total.judged)):>5} "
          f"{total.true:>5} {total.false:>5} {total.debatable:>5} {total.judged:>6} {total.unjudged:>8}")


def print_recall(matched: list[tuple[ExpectedDebt, str | None]]) -> None:
    for label, subset in (("expected debts", matched), ("lineage debts", [m for m in matched if m[0].lineage])):
        found = sum(1 for _, finding_id in subset if finding_id)
        share = _percent(found / len(subset) if subset else None)
        print(f"\nRecall of {label}: {found}/{len(subset)} = {share}")
    by_kind: dict[str, Counter] = {}
    for debt, finding_id in matched:
        by_kind.setdefault(debt.kind, Counter())["found" if finding_id else "missed"] += 1
    for kind, counts in sorted(by_kind.items()):
        print(f"  {kind:<30} {counts['found']:>3} of {counts['found'] + counts['missed']:>3}")
    for title, wanted in (("Found expected debts (and the finding that finds each)", True),
                          ("Missed expected debts", False)):
        print(f"\n{title}:")
        for debt, finding_id in matched:
            if bool(finding_id) == wanted:
                where = f"{debt.file}:{debt.line}" if debt.line else (debt.file or "(repository)")
                print(f"  {debt.repo}  {debt.kind}  {where}  {finding_id or debt.what}")


def unjudged(findings: dict[str, list[dict]], judged: dict[tuple[str, str], Judgment]) -> list[dict]:
    """One template per finding id not judged yet (two findings sharing an id share its judgment)."""
    rows = {(repo, f["id"]): {"repo": repo, "finding_id": f["id"], "kind": f["kind"], "severity": f["severity"],
                              "file": f["file"], "line": f["line"], "cell": f.get("cell"), "message": f["message"],
                              "verdict": "", "reason": ""}
            for repo, items in findings.items() for f in reversed(items) if (repo, f["id"]) not in judged}
    return list(reversed(rows.values()))


def stale(findings: dict[str, list[dict]], judged: dict[tuple[str, str], Judgment],
          scanned: set[str]) -> list[Judgment]:
    reported = {(repo, f["id"]) for repo, items in findings.items() for f in items}
    return [j for key, j in judged.items() if j.repo in scanned and key not in reported]


def _where(row: dict) -> str:
    cell = f" cell {row['cell']}" if row.get("cell") else ""
    return f"{row['file'] or '(repository)'}{cell}:{row['line'] or '-'}"


def report(findings: dict[str, list[dict]], judged: dict[tuple[str, str], Judgment], debts: list[ExpectedDebt],
           scanned: set[str]) -> dict:
    print_precision("Precision per kind (true / judged; debatable counts as false)", tally_by_kind(findings, judged))
    print_precision("Precision of high and critical findings", tally_by_kind(findings, judged, HIGH_SEVERITIES))
    matched = recall(findings, [d for d in debts if d.repo in scanned])
    print_recall(matched)
    gone = stale(findings, judged, scanned)
    print(f"\nJudged findings no longer reported: {len(gone)} ({dict(Counter(j.verdict for j in gone))})")
    for j in gone:
        print(f"  {j.repo}  {j.finding_id}  was {j.verdict}: {j.reason}")
    todo = unjudged(findings, judged)
    print(f"\nFindings not judged yet: {len(todo)}")
    for row in todo:
        print(f"  {row['repo']}  {row['finding_id']}  {row['kind']}  {_where(row)}  {row['message']}")
    tallies = tally_by_kind(findings, judged)
    return {
        "precision": {kind: {"true": t.true, "false": t.false, "debatable": t.debatable, "unjudged": t.unjudged,
                             "precision": t.precision} for kind, t in sorted(tallies.items())},
        "confidence": {kind: round(100 * t.precision) for kind, t in sorted(tallies.items())
                       if t.judged >= MIN_JUDGED_FOR_CONFIDENCE},
        "recall": {"found": sum(1 for _, f in matched if f), "expected": len(matched),
                   "lineage_found": sum(1 for d, f in matched if f and d.lineage),
                   "lineage_expected": sum(1 for d, _ in matched if d.lineage)},
        "unjudged": todo,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/corpus"),
                        help="folder holding the checkouts, one <owner>+<name> folder each (default /tmp/corpus)")
    parser.add_argument("--scans", type=Path, default=Path("/tmp/corpus-scans"),
                        help="where the scan JSON documents go (default /tmp/corpus-scans)")
    parser.add_argument("--reuse-scans", action="store_true", help="read the last scans instead of scanning again")
    parser.add_argument("--repo", action="append", default=[], help="only this repository (owner/name; repeatable)")
    parser.add_argument("--judged", type=Path, action="append", default=[], metavar="FILE",
                        help="more judgments, in the format of judged.jsonl (repeatable): a judging round in progress")
    parser.add_argument("--kind", action="append", default=[], help="only findings of this kind (repeatable)")
    parser.add_argument("--write-unjudged", type=Path, metavar="FILE", help="write unjudged findings as JSONL")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--write-confidence", action="store_true",
                        help=f"write each kind's measured precision to {CONFIDENCE_FILE.relative_to(ROOT)}, "
                             "the confidence the scanner gives its findings (only with the whole corpus)")
    parser.add_argument("--scanner", type=Path, default=ROOT,
                        help="root of the mldebt tree whose scanner runs (default: this checkout), e.g. a "
                             "`git archive HEAD` copy to measure the committed scanner")
    parser.add_argument("--checkout-from", type=Path, metavar="DIR",
                        help="build missing checkouts from local git directories under DIR (never downloads)")
    args = parser.parse_args(argv)
    try:
        repos = load_manifest(CORPUS_FILES / "manifest.toml")
        judged = load_judged(CORPUS_FILES / "judged.jsonl")
        for path in args.judged:
            judged = load_judged(path, judged)
        debts = load_expected(CORPUS_FILES / "expected.jsonl")
    except CorpusError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    unknown = set(args.repo) - {r.name for r in repos}
    if unknown:
        print(f"error: not in the manifest: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    repos = [r for r in repos if not args.repo or r.name in args.repo]
    args.corpus.mkdir(parents=True, exist_ok=True)
    args.scans.mkdir(parents=True, exist_ok=True)
    print(f"Corpus: {len(repos)} repositories under {args.corpus}; {len(judged)} judgments, "
          f"{len(debts)} expected debts")
    findings = {}
    for repo in ensure_checkouts(args.corpus, repos, args.checkout_from):
        result = scan(repo, args.corpus, args.scans, args.reuse_scans, args.scanner)
        if result is not None:
            findings[repo.name] = [f for f in result if not args.kind or f["kind"] in args.kind]
            print(f"  {repo.name}: {len(result)} findings")
    if args.kind:
        judged = {key: j for key, j in judged.items() if j.kind in args.kind}
        debts = [d for d in debts if d.kind in args.kind]
    figures = report(findings, judged, debts, set(findings))
    if args.write_unjudged:
        args.write_unjudged.write_text("".join(json.dumps(row) + "\n" for row in figures["unjudged"]))
        print(f"\n{len(figures['unjudged'])} unjudged findings written to {args.write_unjudged}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    if args.write_confidence:
        if args.repo or args.kind:
            print("error: --write-confidence measures the whole corpus: drop --repo and --kind", file=sys.stderr)
            return 2
        write_confidence(figures, len(findings))
    return 0


def write_confidence(figures: dict, repositories: int) -> None:
    """The scanner's confidence per kind: its measured precision (kinds judged too rarely get the precision of
    all judged findings, in findings.py)."""
    precision = figures["precision"]
    judged = {kind: p["true"] + p["false"] + p["debatable"] for kind, p in precision.items()}
    total = sum(judged.values())
    overall = sum(p["true"] for p in precision.values()) / total if total else None
    document = {
        "about": "each kind's precision on bench/corpus (true / judged, debatable counted as false), written by "
                 "bench/precision.py --write-confidence; findings.py gives it to every finding of the kind",
        "repositories": repositories,
        "judged": total,
        "all": round(100 * overall) if overall is not None else None,
        "kinds": {kind: {"precision": round(100 * p["precision"]), "judged": judged[kind]}
                  for kind, p in precision.items() if judged[kind] >= MIN_JUDGED_FOR_CONFIDENCE},
    }
    CONFIDENCE_FILE.write_text(json.dumps(document, indent=1) + "\n")
    print(f"\nconfidence of {len(document['kinds'])} kinds written to {CONFIDENCE_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
