"""Python module names and import resolution inside one repository.

A module's name is what other code imports it as: inside a regular package
(folders with __init__.py) it is counted from the package's top; elsewhere from
the repository root, with a leading `src/` dropped (src layouts, namespace
packages). Absolute imports are resolved against those names, then against the
importing file's own folder (how scripts import their neighbours). Python 3 has no
implicit relative imports: inside a package `pkg/X/`, `import X` is the external `X`,
not the package itself, and a module of a regular package importing a standard-library
name (`import logging` beside `pkg/logging.py`) gets the standard library.
"""

import posixpath
from dataclasses import dataclass

from mldebt_core.scan.collect.code_facts import ImportFact
from mldebt_core.scan.collect.packages import STDLIB


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    name: str
    path: str
    is_package: bool


def module_infos(python_paths: list[str]) -> list[ModuleInfo]:
    paths = set(python_paths)
    infos = []
    for path in python_paths:
        if not path.endswith(".py"):
            continue
        name = module_name(path, paths)
        if name:
            infos.append(ModuleInfo(name, path, path.endswith("/__init__.py") or path == "__init__.py"))
    return infos


def module_name(path: str, all_paths: set[str]) -> str:
    parts = path[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    folders = path.split("/")[:-1]
    top = len(folders)
    while top > 0 and "/".join(folders[:top]) + "/__init__.py" in all_paths:
        top -= 1
    if top < len(folders):  # inside a regular package: count from the package's top
        return ".".join(parts[top:])
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(p for p in parts if p)


class ModuleIndex:
    def __init__(self, infos: list[ModuleInfo]):
        self.by_name = {}
        for info in sorted(infos, key=lambda i: i.path.count("/")):  # shallowest wins a clash
            self.by_name.setdefault(info.name, info)
        self.by_path = {info.path: info for info in infos}
        # A neighbour is found in the folder it lies in: a package's folder lies in its parent folder.
        self.by_folder_name = {(posixpath.dirname(posixpath.dirname(i.path) if i.is_package else i.path),
                                i.name.rsplit(".", 1)[-1]): i for i in infos if i.name}
        self.package_folders = {posixpath.dirname(i.path) for i in infos if i.is_package}

    def resolve(self, importer: str, module: str, level: int) -> ModuleInfo | None:
        """The module of this repository that `import module` (or `from .. import`) in `importer` means."""
        if level:
            info = self.by_path.get(importer)
            if info is None:
                return None
            package = info.name.split(".") if info.is_package else info.name.split(".")[:-1]
            if level > 1:
                package = package[: len(package) - (level - 1)]
            target = ".".join([*package, module] if module else package)
            return self.by_name.get(target)
        if module in self.by_name:
            return self.by_name[module]
        folder = posixpath.dirname(importer)
        head, _, rest = module.partition(".")
        if head in STDLIB and folder in self.package_folders:
            return None  # a package's module gets the standard library, not a neighbour shadowing it
        local = self.by_folder_name.get((folder, head))
        if local is None:
            return None
        return self.by_name.get(f"{local.name}.{rest}") if rest else local

    def targets(self, importer: str, imp: ImportFact) -> list[ModuleInfo]:
        """The repository modules an import statement (an ImportFact) of `importer` brings in."""
        found = ([self.resolve_from(importer, imp.module, imp.level, n) for n in imp.names] if imp.names
                 else [self.resolve(importer, imp.module, imp.level)])
        return [t for t in found if t is not None]

    def resolve_from(self, importer: str, module: str, level: int, name: str) -> ModuleInfo | None:
        """For `from module import name`: the submodule `module.name` if it exists, else `module`."""
        base = self.resolve(importer, module, level)
        if base is not None and base.is_package:
            sub = self.by_name.get(f"{base.name}.{name}" if base.name else name)
            if sub is not None:
                return sub
        if base is None:  # `from . import name` or `from ns import name` in a namespace package
            return self.resolve(importer, f"{module}.{name}" if module else name, level)
        return base

