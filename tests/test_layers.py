"""The package's layers: arrows point one way, and there is no import circle.

Every ``import`` in every module of ``access/`` is read from its source (at module level, inside
functions and under ``TYPE_CHECKING`` alike) and checked against the layers, top to bottom::

    cli → outputs → whatif → analysis → routing → inputs → core

A module may import from its own layer or any layer below it, never above; and no set of
modules may import each other in a circle.  ``access/__init__.py`` (the package face, which only
loads names lazily) and ``access/__main__.py`` sit above every layer.

The checker is itself checked: on a small package written here with an upward arrow and a circle,
it must report both.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LAYERS = ("cli", "outputs", "whatif", "analysis", "routing", "inputs", "core")
"""Top to bottom."""

PACKAGE = Path(__file__).resolve().parents[1] / "access"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Return Module → the package's modules it imports, from every import statement in its source."""
    modules = {_module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    top = root.name
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            for target in targets:
                if target == top or target.startswith(top + "."):
                    while target not in modules and "." in target:
                        target = target.rsplit(".", 1)[0]
                    if target != name:
                        graph[name].add(target)
    return graph


def layer_of(module: str) -> int | None:
    """Return the layer's rank (0 = top), or ``None`` for the package face and ``__main__``."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in LAYERS:
        return None
    return LAYERS.index(parts[1])


def upward_arrows(graph: dict[str, set[str]]) -> list[str]:
    """Every import from a lower layer into a higher one, or into the package face."""
    found = []
    for module, targets in sorted(graph.items()):
        here = layer_of(module)
        if here is None:
            continue
        for target in sorted(targets):
            there = layer_of(target)
            if there is None or there < here:
                found.append(f"{module} imports {target}")
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected sets of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_belongs_to_a_layer() -> None:
    graph = import_graph(PACKAGE)
    homeless = [m for m in graph if layer_of(m) is None and m not in ("access", "access.__main__")]
    assert not homeless, f"modules outside every layer {LAYERS}: {homeless}"


def test_no_arrow_points_up() -> None:
    arrows = upward_arrows(import_graph(PACKAGE))
    assert not arrows, "imports against the layers (" + " → ".join(LAYERS) + "):\n" + "\n".join(arrows)


def test_no_import_circle() -> None:
    found = circles(import_graph(PACKAGE))
    assert not found, f"import circles: {found}"


def test_the_graph_sees_imports_inside_functions_and_type_checking_blocks() -> None:
    graph = import_graph(PACKAGE)
    # cli/study.py imports the writers at module level; the package face imports every layer under TYPE_CHECKING
    assert "access.outputs.writers" in graph["access.cli.study"]
    assert {"access.whatif.board", "access.outputs.writers"} <= graph["access"]


@pytest.fixture
def bad_package(tmp_path: Path) -> Path:
    root = tmp_path / "access"
    for layer in ("core", "inputs", "analysis", "outputs"):
        (root / layer).mkdir(parents=True)
        (root / layer / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    upward = "def f():\n    from access.outputs import maps  # upward, inside a function\n"
    (root / "core" / "files.py").write_text(upward)
    (root / "outputs" / "maps.py").write_text("import access.core.files\n")
    (root / "inputs" / "a.py").write_text("from access.inputs import b\n")
    (root / "inputs" / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                          "    from . import a\n")
    (root / "analysis" / "ok.py").write_text("from access.inputs.a import x\nfrom ..core import files\n")
    return root


def test_the_checker_finds_an_upward_arrow_and_a_circle(bad_package: Path) -> None:
    graph = import_graph(bad_package)
    assert upward_arrows(graph) == ["access.core.files imports access.outputs.maps"]
    assert sorted(circles(graph)) == [["access.core.files", "access.outputs.maps"],
                                      ["access.inputs.a", "access.inputs.b"]]
    assert graph["access.analysis.ok"] == {"access.inputs.a", "access.core.files"}
