"""Data steps of shell scripts: downloads, copies, redirections and the scripts they run."""

import re
import shlex
from dataclasses import dataclass

_ASSIGN = re.compile(r"^(?:export\s+)?([A-Za-z_]\w*)=(.*)$")
_VAR = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")
_REDIRECT = re.compile(r"(?<![<>&\d])(>>?|<)\s*(\"[^\"]*\"|'[^']*'|[^\s;&|<>]+)")
_QUOTED = re.compile(r"(?<![<>])(?<![<>] )(\"[^\"]*\"|'[^']*')")  # quoted text, unless a redirection's target
_COPIERS = {("aws", "s3", "cp"), ("gsutil", "cp"), ("cp",), ("rsync",), ("hdfs", "dfs", "-get"),
            ("hdfs", "dfs", "-put"), ("azcopy", "copy")}


@dataclass(frozen=True, slots=True)
class ShellAccess:
    line: int
    mode: str
    api: str
    location: str
    resolved: bool


def analyse_shell(text: str) -> tuple[list[ShellAccess], list[tuple[int, str]]]:
    """(data accesses, (line, script or module) run by the script)."""
    env: dict[str, str] = {}
    accesses: list[ShellAccess] = []
    runs: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        assign = _ASSIGN.match(line)
        if assign and " " not in assign.group(2).strip("\"'"):
            env[assign.group(1)] = assign.group(2).strip("\"'")
            continue
        for command in re.split(r"&&|\|\||;|\|", line):
            accesses.extend(_command_accesses(number, command, env, runs))
    return accesses, runs


def _substitute(word: str, env: dict[str, str]) -> tuple[str, bool]:
    resolved = True

    def replace(match: re.Match) -> str:
        nonlocal resolved
        if match.group(1) in env:
            return env[match.group(1)]
        resolved = False
        return "{$" + match.group(1) + "}"

    return _VAR.sub(replace, word), resolved


def _command_accesses(number: int, command: str, env, runs) -> list[ShellAccess]:
    found = []
    # `echo "usage: <in> <out>"` redirects nothing: look for redirections outside quotes only.
    redirects = list(_REDIRECT.finditer(_QUOTED.sub(lambda m: "_" * len(m.group()), command)))
    for match in redirects:
        op, target = match.group(1), command[match.start(2):match.end(2)].strip("\"'")
        if not target or target.startswith("/dev/"):
            continue
        location, ok = _substitute(target, env)
        found.append(ShellAccess(number, "read" if op == "<" else "write", "shell.redirect", location, ok))
    for match in reversed(redirects):
        command = command[:match.start()] + " " + command[match.end():]
    try:
        words = shlex.split(command)
    except ValueError:
        return found
    if not words:
        return found
    program = words[0].rsplit("/", 1)[-1]
    if program.startswith("python"):
        target = _python_target(words[1:])
        if target:
            runs.append((number, target))
    elif program in ("curl", "wget"):
        urls = [w for w in words if "://" in w]
        out = _option_value(words, ("-o", "--output") if program == "curl" else ("-O", "--output-document"))
        for url in urls:
            location, ok = _substitute(url, env)
            found.append(ShellAccess(number, "read", program, location, ok))
        if out:
            location, ok = _substitute(out, env)
            found.append(ShellAccess(number, "write", program, location, ok))
    else:
        for prefix in _COPIERS:
            if tuple(words[: len(prefix)]) == prefix:
                operands = [w for w in words[len(prefix):] if not w.startswith("-")]
                if len(operands) >= 2:
                    api = " ".join(prefix)
                    for word, mode in ((operands[-2], "read"), (operands[-1], "write")):
                        location, ok = _substitute(word, env)
                        found.append(ShellAccess(number, mode, api, location, ok))
                break
    return found


def _python_target(args: list[str]) -> str | None:
    for i, arg in enumerate(args):
        if arg == "-m" and i + 1 < len(args):
            return args[i + 1]
        if arg.endswith(".py"):
            return arg
        if not arg.startswith("-"):
            return None
    return None


def _option_value(words: list[str], names: tuple[str, ...]) -> str | None:
    for i, word in enumerate(words[:-1]):
        if word in names:
            return words[i + 1]
    return None
