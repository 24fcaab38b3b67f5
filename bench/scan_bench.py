"""Time `mldebt scan` against a bare parse loop and vulture on one repository.

    python bench/scan_bench.py REPO_PATH [--repeat N]

Measures, on the same tree and in one run (median of N runs each):
  (a) baseline: this process walks the tree (skipping the scanner's SKIPPED_DIRS),
      reads and ast.parse-s every .py file once, single process;
  (b) `vulture REPO_PATH` as a subprocess;
  (c) `mldebt scan REPO_PATH --quiet` as a subprocess (interpreter start-up
      included), with the peak memory of its whole process tree.
Targets: (c)/(a) <= 1.5, (c)/(b) <= 1.0, peak RSS <= 1024 MB. Always exits 0,
except for bad arguments (exit 2).
"""

import argparse
import ast
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

try:
    import psutil
except ImportError:
    psutil = None

try:
    from mldebt_core.scan.collect.walk import SKIPPED_DIRS
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from mldebt_core.scan.collect.walk import SKIPPED_DIRS

MAX_RATIO_BASELINE = 1.5
MAX_RATIO_VULTURE = 1.0
MAX_RSS_MB = 1024
POLL_SECONDS = 0.02
BUSY_LOAD = 0.7  # 1-minute load average above which timings are flagged as unreliable


def baseline(root: str) -> int:
    """Walk, read and parse every .py file once; return how many were parsed."""
    count = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    with open(path, "rb") as handle:
                        ast.parse(handle.read(), path)
                except (OSError, SyntaxError, ValueError, RecursionError):
                    pass
                count += 1
    return count


def _executable(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if os.access(beside, os.X_OK) else shutil.which(name)


def _tree_pids(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:
            pass
    return pids


def _proc_kb(path: str, key: str) -> int:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_memory(pid: int) -> tuple[int, int]:
    """(summed RSS, summed PSS) in bytes of `pid` and all its descendants; PSS is 0 when unavailable."""
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0, 0
        rss = 0
        for process in processes:
            try:
                rss += process.memory_info().rss
            except psutil.Error:
                pass
        pids = [p.pid for p in processes]
    else:
        pids = _tree_pids(pid)
        rss = 1024 * sum(_proc_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
    pss = 1024 * sum(_proc_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
    return rss, pss


def run_scan(command: list[str]) -> tuple[float, int, int, int, int]:
    """Run `command`; return (seconds, exit code, peak tree RSS, peak tree PSS, largest single-process RSS)."""
    peak = [0, 0]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def poll():
        while not done.is_set():
            rss, pss = tree_memory(process.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            done.wait(POLL_SECONDS)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    with process.stderr:
        stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)  # rusage of the scan and its reaped workers
    seconds = time.perf_counter() - start
    done.set()
    poller.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        print(f"warning: {command[0]} exited {process.returncode}: {stderr.decode(errors='replace')[-500:]}",
              file=sys.stderr)
    return seconds, process.returncode, peak[0], peak[1], usage.ru_maxrss * 1024


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _runs(times: list[float]) -> str:
    return "runs " + " ".join(f"{t:.2f}" for t in times)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", metavar="REPO_PATH")
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="runs of each measurement (default 3)")
    parser.error = lambda message: parser.exit(2, f"scan_bench: error: {message}\n")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.repo):
        parser.error(f"{args.repo}: not a directory")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    repo = os.path.abspath(args.repo)

    mldebt = _executable("mldebt")
    scan_command = [mldebt] if mldebt else [
        sys.executable, "-c", "import sys; from mldebt_core.cli import main; sys.exit(main())"]
    # Output goes to stdout, discarded: `-o /dev/null` is not used because mldebt writes -o files by
    # temp-file-and-rename, which as root replaces /dev/null itself with a regular file.
    scan_command += ["scan", repo, "-o", "-", "--quiet"]
    vulture = _executable("vulture")

    load_before = os.getloadavg()[0]
    warnings.simplefilter("ignore", SyntaxWarning)  # invalid escapes in scanned code, from ast.parse
    py_files = baseline(repo)  # untimed warm-up: page cache hot for every measurement
    base_times, vulture_times, scans = [], [], []
    for _ in range(args.repeat):
        base_times.append(timed(lambda: baseline(repo)))
        if vulture:
            vulture_times.append(timed(lambda: subprocess.run([vulture, repo], stdout=subprocess.DEVNULL,
                                                              stderr=subprocess.DEVNULL)))
        scans.append(run_scan(scan_command))

    commit = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    base = statistics.median(base_times)
    scan = statistics.median(s[0] for s in scans)
    rss = statistics.median(s[2] for s in scans) / 2**20
    pss = statistics.median(s[3] for s in scans) / 2**20
    single = statistics.median(s[4] for s in scans) / 2**20

    print(f"repo        {repo}")
    print(f"commit      {commit or '(not a git repository)'}")
    print(f".py files   {py_files}   (cores: {os.cpu_count()}, runs: {args.repeat}, medians below)")
    print(f"memory      {'psutil' if psutil else '/proc VmRSS'} summed over the process tree every "
          f"{POLL_SECONDS * 1000:.0f} ms; PSS from /proc/PID/smaps_rollup")
    print(f"load avg    {load_before:.2f} at start (1 min)")
    if load_before > BUSY_LOAD:
        print(f"warning     machine busy at start (load > {BUSY_LOAD}): timings may be unreliable; "
              "check the spread of the runs, rerun when idle")
    print()
    print(f"{'measure':<34}{'value':>10}  {'target':>9}  result")
    print(f"{'(a) baseline parse loop, s':<34}{base:>10.2f}  {'':>9}  {_runs(base_times)}")
    if vulture:
        print(f"{'(b) vulture, s':<34}{statistics.median(vulture_times):>10.2f}  {'':>9}  {_runs(vulture_times)}")
    else:
        print(f"{'(b) vulture, s':<34}{'-':>10}  vulture not found beside {sys.executable} or on PATH")
    print(f"{'(c) mldebt scan, s':<34}{scan:>10.2f}  {'':>9}  {_runs([s[0] for s in scans])}")
    if any(s[1] not in (0, 1) for s in scans):
        print(f"{'':<34}{'':>10}  mldebt scan failed (see warnings above)")
    print(f"{'ratio scan / baseline':<34}{scan / base:>10.2f}  {'<= ' + str(MAX_RATIO_BASELINE):>9}  "
          f"{verdict(scan / base <= MAX_RATIO_BASELINE)}")
    if vulture:
        ratio = scan / statistics.median(vulture_times)
        print(f"{'ratio scan / vulture':<34}{ratio:>10.2f}  {'<= ' + str(MAX_RATIO_VULTURE):>9}  "
              f"{verdict(ratio <= MAX_RATIO_VULTURE)}")
    else:
        print(f"{'ratio scan / vulture':<34}{'-':>10}  {'<= ' + str(MAX_RATIO_VULTURE):>9}  SKIPPED (no vulture)")
    print(f"{'peak RSS, process tree sum, MB':<34}{rss:>10.0f}  {'<= ' + str(MAX_RSS_MB):>9}  "
          f"{verdict(rss <= MAX_RSS_MB)}")
    print(f"{'peak PSS, process tree sum, MB':<34}{pss:>10.0f}  {'(info)':>9}")
    print(f"{'largest single process RSS, MB':<34}{single:>10.0f}  {'(info)':>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
