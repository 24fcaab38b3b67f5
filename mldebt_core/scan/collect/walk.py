"""Which files a scan covers, and what language each is in.

Skips VCS, virtualenv, build and cache folders and whatever the repository's
.gitignore files exclude. Symlinked folders are never followed; a symlinked file
is kept only when its target lies inside the repository.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pathspec

SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", "__pycache__", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".tox", ".nox", ".eggs", "node_modules", ".ipynb_checkpoints", "build", "dist",
    "site-packages", ".dvc", ".idea", ".vscode", ".cache", "htmlcov",
})

LANGUAGE_BY_SUFFIX = {
    ".py": "Python", ".pyi": "Python", ".ipynb": "Jupyter Notebook", ".pyx": "Cython", ".pxd": "Cython",
    ".sql": "SQL", ".sh": "Shell", ".bash": "Shell", ".zsh": "Shell", ".r": "R", ".rmd": "R Markdown",
    ".scala": "Scala", ".java": "Java", ".kt": "Kotlin", ".jl": "Julia", ".go": "Go", ".rs": "Rust",
    ".c": "C", ".h": "C", ".cc": "C++", ".cpp": "C++", ".hpp": "C++", ".cu": "CUDA", ".m": "MATLAB",
    ".js": "JavaScript", ".ts": "TypeScript", ".lua": "Lua", ".pl": "Perl", ".rb": "Ruby",
    ".yaml": "YAML", ".yml": "YAML", ".toml": "TOML", ".json": "JSON", ".ini": "INI", ".cfg": "INI",
    ".env": "Dotenv", ".md": "Markdown", ".rst": "reStructuredText", ".txt": "Text", ".csv": "CSV",
    ".tsv": "CSV", ".html": "HTML", ".css": "CSS", ".xml": "XML", ".proto": "Protocol Buffers",
    ".dvc": "DVC", ".tf": "HCL",
}
LANGUAGE_BY_NAME = {"Makefile": "Makefile", "Dockerfile": "Dockerfile", "Jenkinsfile": "Groovy",
                    "dvc.lock": "YAML", ".env": "Dotenv"}
LANGUAGE_BY_INTERPRETER = {"python": "Python", "python3": "Python", "sh": "Shell", "bash": "Shell",
                           "zsh": "Shell", "Rscript": "R", "julia": "Julia", "perl": "Perl", "ruby": "Ruby"}

# Languages that can form a data pipeline (as opposed to config, docs or data formats).
PROGRAMMING_LANGUAGES = frozenset({
    "Python", "Jupyter Notebook", "Cython", "SQL", "Shell", "R", "R Markdown", "Scala", "Java", "Kotlin",
    "Julia", "Go", "Rust", "C", "C++", "CUDA", "MATLAB", "JavaScript", "TypeScript", "Lua", "Perl", "Ruby",
})
PYTHON_LANGUAGES = ("Python", "Jupyter Notebook")  # notebooks are parsed as Python


@dataclass(frozen=True, slots=True)
class RepoFile:
    path: str  # POSIX, relative to the repository root
    absolute: str
    size: int


def language_of(path: str, head: bytes = b"") -> str:
    name = path.rsplit("/", 1)[-1]
    if name in LANGUAGE_BY_NAME:
        return LANGUAGE_BY_NAME[name]
    suffix = os.path.splitext(name)[1].lower()
    if suffix in LANGUAGE_BY_SUFFIX:
        return LANGUAGE_BY_SUFFIX[suffix]
    if head.startswith(b"#!"):
        return _language_of_shebang(head.split(b"\n", 1)[0].decode("latin-1"))
    return "Other"


def _language_of_shebang(line: str) -> str:
    words = line[2:].split()
    if not words:
        return "Other"
    program = words[0].rsplit("/", 1)[-1]
    if program == "env" and len(words) > 1:  # the first word that is no option or VAR=value: `env -S python3 -u`
        program = next((w for w in words[1:] if not w.startswith("-") and "=" not in w), "")
    return LANGUAGE_BY_INTERPRETER.get(program.rstrip("0123456789.") or program, "Other")


def discover_files(root: Path) -> list[RepoFile]:
    """All files of the repository under `root`, sorted by path."""
    root_real = os.path.realpath(root)
    found: list[RepoFile] = []
    _walk(root_real, root_real, "", [], found)
    found.sort(key=lambda f: f.path)
    return found


def _walk(root: str, directory: str, rel: str, ignores: list[tuple[str, pathspec.PathSpec]],
          found: list[RepoFile]) -> None:
    gitignore = os.path.join(directory, ".gitignore")
    if os.path.isfile(gitignore):
        with open(gitignore, encoding="utf-8", errors="replace") as handle:
            ignores = [*ignores, (rel, pathspec.GitIgnoreSpec.from_lines(handle))]
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        child_rel = f"{rel}/{entry.name}" if rel else entry.name
        if entry.is_dir(follow_symlinks=False):
            if entry.name in SKIPPED_DIRS or entry.name.endswith(".egg-info") or _ignored(ignores, child_rel + "/"):
                continue
            if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                continue
            _walk(root, entry.path, child_rel, ignores, found)
        elif _ignored(ignores, child_rel):
            continue
        elif entry.is_symlink():
            target = os.path.realpath(entry.path)
            if os.path.isfile(target) and target.startswith(root + os.sep):
                found.append(RepoFile(child_rel, target, os.path.getsize(target)))
        elif entry.is_file(follow_symlinks=False):
            found.append(RepoFile(child_rel, entry.path, entry.stat(follow_symlinks=False).st_size))


def _ignored(ignores: list[tuple[str, pathspec.PathSpec]], rel_path: str) -> bool:
    # Deepest .gitignore first: as in git, a nested file's patterns (and `!` negations) override its parents'.
    for base, spec in reversed(ignores):
        if base:
            if not rel_path.startswith(base + "/"):
                continue
            rel_path_in_base = rel_path[len(base) + 1:]
        else:
            rel_path_in_base = rel_path
        include = spec.check_file(rel_path_in_base).include  # None: no pattern of this file matched
        if include is not None:
            return include
    return False
