"""The package's layout: folders in the order data flows, imports running one way.

The import graph is built from the source with `ast` (no module is imported), so a cycle
hidden in a function body counts as much as one at the top of a module.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from childwatch.cli import build_parser, command

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "childwatch"

# Lowest first: a module may import from its own floor and the floors below it, never
# from one above. The root package's __init__ is the curated public surface, on top.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("childwatch.version", "childwatch.errors", "childwatch.records", "childwatch.vocab"),
    ("childwatch.codebook",),
    ("childwatch.ingest",),
    ("childwatch.extract",),
    ("childwatch.resolve",),
    ("childwatch.store",),
    ("childwatch.review",),
    ("childwatch.read",),
    ("childwatch.export",),
    ("childwatch.run",),
    ("childwatch.serve", "childwatch.cli"),
    ("childwatch",),
)

MAX_ROOT_MODULES = 5
MAX_LINES = 500


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the childwatch module imported
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _target(name: str) -> str | None:
    """The childwatch module `name` (a module, or a name inside one) stands for."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in MODULES else None


def _scopes(tree: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node with whether it sits inside a function body."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, inside = stack.pop()
        yield node, inside
        nested = inside or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        stack.extend((child, nested) for child in ast.iter_child_nodes(node))


def imports() -> list[Import]:
    found: list[Import] = []
    for name, path in MODULES.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node, inside in _scopes(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [_target(a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                # `from childwatch import review` imports the module childwatch.review.
                targets = [
                    _target(f"{base}.{a.name}") if f"{base}.{a.name}" in MODULES else _target(base) for a in node.names
                ]
            for target in targets:
                if target is not None and target != name:
                    found.append(Import(name, target, node.lineno, inside))
    return found


def floor(module: str) -> int:
    best, level = -1, -1
    for n, members in enumerate(FLOORS):
        for prefix in members:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, level = len(prefix), n
    assert level >= 0, f"{module} is on no floor: add its folder to FLOORS"
    return level


def graph() -> dict[str, set[str]]:
    """Module -> modules it imports, with the packages a `from a.b.c import` runs on the way
    (a.b's __init__), but not the root package, which only gathers the public surface."""
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in imports():
        edges[imp.module].add(imp.target)
        parts = imp.target.split(".")
        for k in range(2, len(parts)):
            parent = ".".join(parts[:k])
            if parent != imp.module and not imp.module.startswith(parent + "."):
                edges[imp.module].add(parent)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_function_local_import_of_our_own_modules() -> None:
    # A deferred import of one of our modules hides a cycle or an upward reach; only
    # third-party extras (feedparser, pycountry at build time, ...) may be deferred.
    local = [f"{i.module}:{i.line} imports {i.target}" for i in imports() if i.in_function]
    assert local == []


def test_imports_run_down_the_floors() -> None:
    upward = [
        f"{i.module}:{i.line} imports {i.target} (floor {floor(i.module)} -> {floor(i.target)})"
        for i in imports()
        if floor(i.target) > floor(i.module)
    ]
    assert upward == []


def test_no_import_cycle_between_modules() -> None:
    assert cycles(graph()) == []


def test_no_import_cycle_between_packages() -> None:
    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    edges: dict[str, set[str]] = {}
    for module, targets in graph().items():
        edges.setdefault(package(module), set()).update(package(t) for t in targets if package(t) != package(module))
    assert cycles(edges) == []


def test_few_modules_at_the_root() -> None:
    root = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(root) <= MAX_ROOT_MODULES, root


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_500_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines: split it by what its parts do"


def test_the_graph_sees_a_cycle_and_an_upward_import() -> None:
    # The checks above must be able to fail: a made-up graph with a cycle, and a made-up
    # import from the store up into review.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert floor("childwatch.store.database") < floor("childwatch.review.actions")
    assert floor("childwatch.resolve.cluster") < floor("childwatch.store.resolution")


def test_every_command_names_a_function_that_exists() -> None:
    # The command line loads a command's module when it runs ("module:function" in the
    # parser), so a wrong name would only show when someone runs that command.
    parser = build_parser()
    handlers = set()
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        assert isinstance(action, argparse._SubParsersAction)
        for name, sub in action.choices.items():
            handler = sub.get_default("handler")
            assert handler, f"`childwatch {name}` names no function"
            handlers.add(handler)
    assert len(handlers) >= 16
    for handler in sorted(handlers):
        assert callable(command(handler)), handler
        assert f"childwatch.cli.{handler.split(':')[0]}" in MODULES
