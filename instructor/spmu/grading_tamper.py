"""Detecting trainee code that patches what the tests rely on.

Two independent checks, either of which flags the submission for review:

* in the kernel, after every cell, a probe compares the modules tests use (builtins, math, numpy, pandas,
  the ``courses`` package, ``sys.modules``) with references taken before any trainee code ran;
* before running, a scan of the trainee's own code looks for the usual ways of patching (assigning to a module's
  attribute, ``setattr`` on a module, ``sys.modules``, ``builtins``/``__builtins__``, ``ctypes``, ``gc``,
  ``unittest.mock``).

Neither is proof against an attacker who reads this file; together they make patching visible to an examiner.
"""

from __future__ import annotations

import ast

from IPython.core.inputtransformer2 import TransformerManager

WATCHED_MODULES = (
    "builtins",
    "math",
    "numpy",
    "numpy.testing",
    "pandas",
    "pandas.testing",
    "courses",
    "courses.data",
)
# names IPython itself rebinds in builtins around every request (output cache, input, get_ipython, exit...)
IGNORED_BUILTINS = ("_", "__", "___", "input", "raw_input", "get_ipython", "exit", "quit", "display", "help")
SUSPICIOUS_IMPORTS = ("builtins", "ctypes", "gc", "unittest.mock", "mock", "importlib")
PATCHABLE_NAMES = {"math", "np", "numpy", "pd", "pandas", "builtins", "sys", "courses"}

_PROBE_SETUP = """
def {name}_make():
    import importlib, json, sys
    modules_dict = sys.modules
    for module_name in {watched!r} + tuple(m for m in list(sys.modules) if m.startswith("courses.")):
        try:
            importlib.import_module(module_name)
        except Exception:
            pass
    watched = {{n: (m, dict(vars(m))) for n, m in list(modules_dict.items())
               if n in {watched!r} or n.startswith("courses.")}}
    ignored = {ignored!r}
    missing = object()
    def probe():
        found = []
        if sys.modules is not modules_dict:
            found.append("sys.modules was replaced")
        for name, (module, attrs) in watched.items():
            if modules_dict.get(name) is not module:
                found.append(f"sys.modules[{{name!r}}] was replaced")
                continue
            current = vars(module)
            for attr, value in attrs.items():
                if attr in ignored or (name == "builtins" and attr.startswith("__")):
                    continue
                if current.get(attr, missing) is not value:
                    found.append(f"{{name}}.{{attr}} was changed")
        return "; ".join(found[:5])
    return probe
{name} = {name}_make()
del {name}_make
"""


def probe_setup(name: str) -> str:
    """Kernel code, run before any trainee cell, that defines the probe function ``name``."""
    return _PROBE_SETUP.format(name=name, watched=WATCHED_MODULES, ignored=IGNORED_BUILTINS)


def probe_call(name: str) -> str:
    """Expression returning the probe's findings ('' when nothing was patched)."""
    return f"{name}()"


def _module_aliases(tree: ast.AST) -> set[str]:
    aliases = set(PATCHABLE_NAMES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update((a.asname or a.name).split(".")[0] for a in node.names)
    return aliases


def _base_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def scan_source(source: str, known_modules: set[str] = frozenset()) -> list[str]:
    """Plain-words findings of patching in one cell's code ([] when clean or not parseable Python)."""
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return []
    modules = _module_aliases(tree) | set(known_modules)
    findings = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)) and _base_name(target) in modules:
                findings.append(f"line {node.lineno}: changes {ast.unparse(target)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and node.args
            and _base_name(node.args[0]) in modules | {"globals"}
        ):
            findings.append(f"line {node.lineno}: {node.func.id} on {ast.unparse(node.args[0])}")
        if isinstance(node, ast.Name) and node.id == "__builtins__":
            findings.append(f"line {node.lineno}: uses __builtins__")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for imported in names:
                if imported in SUSPICIOUS_IMPORTS or imported.startswith("unittest.mock"):
                    findings.append(f"line {node.lineno}: imports {imported}")
    return findings


def notebook_imports(sources: list[str]) -> set[str]:
    """Names bound by ``import`` statements anywhere in these cells (e.g. ``np`` for ``import numpy as np``)."""
    names: set[str] = set()
    for source in sources:
        try:
            names |= {n for n in _module_aliases(ast.parse(TransformerManager().transform_cell(source)))}
        except (SyntaxError, ValueError):
            continue
    return names
