"""Which cells of a notebook run where when it is graded, and the code that sets each kernel up.

The trainee's kernel (sandboxed) runs every cell but the test cells, first and to the end; then the grader's
trusted kernel, which never runs a line of trainee code, runs the test cells (visible and hidden, from the
instructor's source) and the read-only cells they need, in order. Before a cell runs there, every name it uses
that an answer cell of the instructor's source defines is bound to a proxy (a function: arguments and result
cross as data, see :mod:`spmu.answer_calls` and :mod:`spmu.crossing`) or to the value, fetched as data.

Running all the trainee's cells before any test also means no trainee cell runs after a hidden test: nothing a
trainee's code saw during a hidden test can reach a cell output, and so feedback.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

from spmu import answer_calls, crossing


@dataclass(frozen=True)
class Step:
    """One code cell's place in a graded run: in the trainee's kernel, the trusted one, or both; ``binds`` are
    the answer names bound (as proxies or values) in the trusted kernel before it runs."""

    answer_kernel: bool
    trusted_kernel: bool
    is_test: bool
    binds: tuple[str, ...] = field(default=())


def _nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def is_test_cell(cell) -> bool:
    """An autograder test cell (graded, not an answer)."""
    meta = _nbgrader(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_answer_cell(cell) -> bool:
    return cell.cell_type == "code" and bool(_nbgrader(cell).get("solution"))


def is_read_only_cell(cell) -> bool:
    """A code cell of the instructor's that trainees cannot edit (imports, data, worked examples, widgets)."""
    meta = _nbgrader(cell)
    return (
        cell.cell_type == "code"
        and bool(meta.get("locked"))
        and not meta.get("grade")
        and not meta.get("solution")
    )


def _tree(source: str) -> ast.Module | None:
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def _targets(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def bound_names(source: str, imports: bool = True) -> set[str]:
    """Names a cell binds at its top level (assignments, def, class, for, with, walrus; imports if asked)."""
    tree = _tree(source)
    if tree is None:
        return set()
    names: set[str] = set()
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            if imports:
                names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
            continue
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                pending.append(child)
            else:
                names |= _targets(child)
    return names


def used_names(source: str) -> set[str]:
    """Every name a cell reads, anywhere in it (also inside the functions it defines)."""
    tree = _tree(source)
    if tree is None:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def answer_names(source_nb: nbformat.NotebookNode) -> frozenset[str]:
    """The names the answer cells of the instructor's source define (imports excepted): the trainee's interface."""
    names: set[str] = set()
    for cell in source_nb.cells:
        if is_answer_cell(cell):
            names |= bound_names(cell.source, imports=False)
    return frozenset(names)


def plan(nb: nbformat.NotebookNode, answers: frozenset[str]) -> dict[int, Step]:
    """Where each code cell of ``nb`` runs. A read-only cell runs in the trusted kernel too when it defines a name
    that a later cell there reads (imports, case data); the others (worked examples, self-checks, explorers) run
    in the trainee's kernel only."""
    read_later: set[str] = set()
    steps: dict[int, Step] = {}
    for index in reversed(range(len(nb.cells))):
        cell = nb.cells[index]
        if cell.cell_type != "code":
            continue
        used = used_names(cell.source)
        binds = tuple(sorted(used & answers))
        if is_test_cell(cell):
            steps[index] = Step(answer_kernel=False, trusted_kernel=True, is_test=True, binds=binds)
            read_later |= used
        elif is_read_only_cell(cell):
            needed = bool(bound_names(cell.source) & read_later)
            steps[index] = Step(answer_kernel=True, trusted_kernel=needed, is_test=False, binds=binds)
            if needed:
                read_later |= used
        else:
            steps[index] = Step(answer_kernel=True, trusted_kernel=False, is_test=False)
    return steps


def _sources() -> tuple[str, str]:
    return (
        Path(crossing.__file__).read_text(encoding="utf-8"),
        Path(answer_calls.__file__).read_text(encoding="utf-8"),
    )


def answer_kernel_setup(server: str) -> str:
    """Code run in the trainee's kernel before any trainee cell: defines the answer server ``server``."""
    crossing_source, calls_source = _sources()
    return (
        f"def {server}_make():\n"
        "    namespace = {'__name__': 'spmu_answers'}\n"
        f"    exec(compile({crossing_source!r}, '<grader: crossing>', 'exec'), namespace)\n"
        f"    exec(compile({calls_source!r}, '<grader: answer calls>', 'exec'), namespace)\n"
        "    return namespace['make_answer_server'](namespace, get_ipython().user_ns)\n"
        f"{server} = {server}_make()\n"
        f"del {server}_make\n"
    )


def trusted_kernel_setup(bind: str, relay_path: str) -> str:
    """Code run in the trusted kernel before any cell: defines ``bind(names)``, talking to the grader's relay."""
    crossing_source, calls_source = _sources()
    return (
        f"def {bind}_make():\n"
        "    namespace = {'__name__': 'grader'}\n"
        f"    exec(compile({crossing_source!r}, '<grader: crossing>', 'exec'), namespace)\n"
        f"    exec(compile({calls_source!r}, '<grader: answer calls>', 'exec'), namespace)\n"
        f"    return namespace['install_trusted'](namespace, get_ipython().user_ns, {relay_path!r})\n"
        f"{bind} = {bind}_make()\n"
        f"del {bind}_make\n"
    )


def with_binding(source: str, bind: str, names: tuple[str, ...]) -> str:
    """A cell's source as the trusted kernel runs it: the answer names it uses bound first (on its first line, so
    a failure to read an answer fails this cell with a plain reason)."""
    if not names:
        return source
    return f"{bind}({list(names)!r})\n{source}"
