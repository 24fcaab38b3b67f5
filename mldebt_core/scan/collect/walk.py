"""Which files a scan covers, and what language each is in.

Skips VCS, virtualenv and cache folders and whatever the repository's .gitignore
files exclude, unless git tracks it (a force-added file is the repository's). Build
outputs (`build/`, `dist/`) are skipped only when git tracks nothing in them (or,
without git, when they hold what builds leave there). Symlinked
folders are never followed; a symlinked file is read only when its target lies inside
the repository and outside the folders skipped here (`.git` holds the CI's credentials):
any other is listed as skipped, never read (`confined.py`). Paths are shown printable: a
file name that is not UTF-8 keeps its place with replacement characters. Project markers
that are folders (`.dvc/`, `.zen/`) are noted on the way.
"""

import fnmatch
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from mldebt_core.scan.collect.confined import inside
from mldebt_core.scan.collect.git_index import Tracked, tracked
from mldebt_core.scan.collect.ignores import Ignores, gitignore_spec, ignored, may_reinclude

SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", "__pycache__", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".tox", ".nox", ".eggs", "node_modules", ".ipynb_checkpoints",
    "site-packages", ".dvc", ".zen", ".idea", ".vscode", ".cache", "htmlcov",
})
BUILD_DIRS = frozenset({"build", "dist"})  # read when git tracks files in them
BUILD_OUTPUTS = ("lib", "lib.*", "bdist.*", "temp.*", "scripts-*", "html", "doctrees", "latex", "CMakeFiles",
                 "CMakeCache.txt", "*.egg-info", "*.whl", "*.tar.gz")  # what setuptools, Sphinx, CMake leave
PROJECT_DIR_MARKERS = frozenset({".dvc", ".zen"})  # folders that mark a DVC or ZenML project's root

# Files the scanner never reads: images, documents, archives, data and model files, media, fonts, binaries.
ASSET_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".ico", ".webp", ".svg", ".eps", ".psd", ".heic",
    ".pdf", ".doc", ".docx", ".ppt", ".pptx", ".xls", ".xlsx", ".odt", ".ods", ".odp", ".key", ".numbers",
    ".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar", ".whl", ".egg", ".jar", ".war", ".zst",
    ".parquet", ".feather", ".arrow", ".avro", ".orc", ".h5", ".hdf5", ".hdf", ".npy", ".npz", ".mat", ".sav",
    ".dta", ".sas7bdat", ".db", ".sqlite", ".sqlite3", ".duckdb", ".tfrecord", ".tfrecords", ".lmdb", ".mdb",
    ".pkl", ".pickle", ".joblib", ".dill", ".pt", ".pth", ".ckpt", ".onnx", ".pb", ".safetensors", ".keras",
    ".tflite", ".mlmodel", ".gguf", ".ggml", ".caffemodel", ".weights", ".params", ".bin", ".msgpack", ".cbm",
    ".mp3", ".wav", ".flac", ".ogg", ".m4a", ".mp4", ".avi", ".mov", ".mkv", ".webm",
    ".ttf", ".otf", ".woff", ".woff2", ".eot",
    ".so", ".dll", ".dylib", ".exe", ".o", ".a", ".pyc", ".pyd", ".class", ".wasm",
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
    refused: str = ""
    """why the file is listed but never read (a link out of the repository), '' for a file to read"""


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


def is_asset(path: str) -> bool:
    """An image, archive, data or model file: listed, never read."""
    name = path.rsplit("/", 1)[-1]
    return "." in name and os.path.splitext(name)[1].lower() in ASSET_SUFFIXES


def printable(path: str) -> str:
    """The path as it can be shown and stored: bytes that are not UTF-8 and control characters become U+FFFD."""
    if path.isprintable():
        return path
    text = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(c if c.isprintable() else "\ufffd" for c in text)


@dataclass
class Discovery:
    files: list[RepoFile]  # sorted by path
    marker_dirs: dict[str, list[str]] = field(default_factory=dict)
    """folder (relative, '' for the root) -> the project markers among its subfolders ('.dvc', '.zen')"""
    stopped: bool = False
    """the deadline passed before every folder was walked: `files` are those found until then"""


def discover_files(root: Path) -> list[RepoFile]:
    """All files of the repository under `root`, sorted by path."""
    return discover(root).files


def discover(root: Path, deadline: float | None = None) -> Discovery:
    """The repository's files, sorted by path, and the project markers its folders hold; when `deadline` (a
    `time.monotonic()` instant) passes, the folders not walked yet are left out."""
    walk = _Walk(os.path.realpath(root))
    folders = [(walk.root, "", [])]  # a stack, not recursion: a repository may nest folders thousands deep
    stopped = False
    while folders:
        if deadline is not None and time.monotonic() > deadline:
            stopped = True
            break
        folders.extend(reversed(walk.walk(*folders.pop())))
    walk.found.sort(key=lambda f: f.path)
    return Discovery(walk.found, walk.markers, stopped)


class _Walk:
    def __init__(self, root: str):
        self.root = root
        self.found: list[RepoFile] = []
        self.markers: dict[str, list[str]] = {}
        self._tracked: Tracked | None | bool = False  # False: the git index is not read yet

    def walk(self, directory: str, rel: str, ignores: list[Ignores]) -> list[tuple[str, str, list[Ignores]]]:
        """Note the files of one folder; its subfolders to walk, in order."""
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return []
        if gitignore := self._gitignore(entries):
            with open(gitignore, encoding="utf-8", errors="replace") as handle:
                ignores = [*ignores, (rel, gitignore_spec(handle))]
        folders = []
        for entry in entries:
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name in PROJECT_DIR_MARKERS:
                    self.markers.setdefault(printable(rel), []).append(entry.name)
                if entry.name in SKIPPED_DIRS or entry.name.endswith(".egg-info"):
                    continue
                if ignored(ignores, child_rel + "/") and not self._tracks(child_rel, folder=True) \
                        and not may_reinclude(ignores, child_rel):
                    continue
                if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                    continue
                if entry.name in BUILD_DIRS and not self._read_build_dir(entry.path, child_rel):
                    continue
                folders.append((entry.path, child_rel, ignores))
            elif entry.name == ".git":  # a linked work tree's pointer to its git directory: git's, not the repository's
                continue
            elif ignored(ignores, child_rel) and not self._tracks(child_rel, folder=False):
                continue
            elif entry.is_symlink():
                self._link(entry.path, printable(child_rel))
            elif entry.is_file(follow_symlinks=False):
                self.found.append(RepoFile(printable(child_rel), entry.path, entry.stat(follow_symlinks=False).st_size))
        return folders

    def _gitignore(self, entries: list[os.DirEntry]) -> str | None:
        """The folder's .gitignore: a file of the folder (walked without following links), or a link to a file
        inside the repository (resolved: this costs a look at every folder above it)."""
        entry = next((e for e in entries if e.name == ".gitignore"), None)
        if entry is None or entry.is_dir(follow_symlinks=False):
            return None
        return inside(entry.path, self.root) if entry.is_symlink() else \
            entry.path if entry.is_file(follow_symlinks=False) else None

    def _link(self, path: str, shown: str) -> None:
        """A symlink: read at its target when that is a file inside the repository; listed as refused, its target
        never opened nor even looked at, when it leads out of the repository or into a folder the walk skips; not
        listed when it leads to nothing to read inside (dangling, a folder: links are never followed)."""
        target = os.path.realpath(path)
        if not target.startswith(self.root + os.sep):
            self.found.append(RepoFile(shown, "", 0, "a symbolic link out of the repository: not followed"))
        elif skipped := SKIPPED_DIRS.intersection(os.path.relpath(target, self.root).split(os.sep)[:-1]):
            self.found.append(RepoFile(shown, "", 0, f"a symbolic link into {min(skipped)}/: not followed"))
        elif kept := inside(target, self.root):
            self.found.append(RepoFile(shown, kept, os.path.getsize(kept)))

    def _git(self) -> Tracked | None:
        if self._tracked is False:  # read once, when a path first needs it
            self._tracked = tracked(self.root)
        return self._tracked

    def _tracks(self, rel: str, folder: bool) -> bool:
        known = self._git()
        return known is not None and rel in (known.folders if folder else known.files)

    def _read_build_dir(self, path: str, rel: str) -> bool:
        """A `build/` or `dist/` folder is read when git tracks files in it; without git, unless it looks generated."""
        known = self._git()
        return rel in known.folders if known is not None else not _looks_generated(path)


def _looks_generated(path: str) -> bool:
    try:
        names = os.listdir(path)
    except OSError:
        return True
    if "__init__.py" in names:  # a package that happens to be called build or dist
        return False
    return os.path.basename(path) == "dist" or any(fnmatch.fnmatch(n, p) for n in names for p in BUILD_OUTPUTS)
