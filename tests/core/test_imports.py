"""reader's import graph: no cycle, and the layers point one way (cli -> tui -> core).

The graph is read from the source with `ast`, not by importing: every `reader.*`
import counts, also one inside a function (the CLI opens the app that way), but not
one under `if TYPE_CHECKING:`, which never runs. An import of `reader.a.b` is an edge
to that module (Python runs the package `reader.a` first, but that is the order of a
package, not a cycle).
"""

from __future__ import annotations

import ast
import graphlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import reader

ROOT = Path(reader.__file__).parent


@dataclass(frozen=True)
class Edge:
    """One import statement: `source` (at `line`) imports `target`."""

    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source} imports {self.target} (line {self.line})"


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package at `root`, by its dotted name."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of `tree` but those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of `name` that is one of `modules` (None: not reader's)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> Iterator[Edge]:
    """The edges from module `name` (the file at `path`) to other modules of `modules`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the package
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from reader.cli import common` imports the module reader.cli.common
            targets = [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            found = _resolve(target, modules)
            if found is not None and found != name:
                yield Edge(name, found, node.lineno)


def import_graph(root: Path = ROOT) -> list[Edge]:
    """Every import between the modules of the package at `root`."""
    modules = module_files(root)
    return [edge for name, path in modules.items() for edge in imports_of(name, path, modules)]


def find_cycle(edges: list[Edge]) -> list[str] | None:
    """One import cycle as `[a, b, ..., a]`, or None."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return list(reversed(error.args[1]))  # graphlib lists it target-first
    return None


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return import_graph()


def test_the_graph_sees_reader_imports_also_inside_functions(edges: list[Edge]):
    pairs = {(e.source, e.target) for e in edges}
    assert any(_in(s, "reader.cli") and t == "reader.core.library" for s, t in pairs)
    # the CLI opens the app with an import inside a function
    assert any(_in(s, "reader.cli") and t == "reader.tui.app" for s, t in pairs)
    assert any(_in(s, "reader.tui") and _in(t, "reader.core") for s, t in pairs)


def test_no_import_cycle_in_reader(edges: list[Edge]):
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_core_imports_neither_the_tui_nor_the_cli(edges: list[Edge]):
    bad = [
        str(e)
        for e in edges
        if _in(e.source, "reader.core")
        and (_in(e.target, "reader.tui") or _in(e.target, "reader.cli"))
    ]
    assert not bad, "\n".join(bad)


def test_the_tui_does_not_import_the_cli(edges: list[Edge]):
    bad = [str(e) for e in edges if _in(e.source, "reader.tui") and _in(e.target, "reader.cli")]
    assert not bad, "\n".join(bad)


def test_a_cycle_is_found_and_named(tmp_path: Path):
    """The checker itself: a made-up package whose two modules import each other
    (one of them inside a function, one relatively), and a third only for type checking."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from pkg import b\n")
    (package / "b.py").write_text("from . import a\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"
    )
    (package / "d.py").write_text("import pkg.c\n")
    edges = import_graph(package)
    assert {(e.source, e.target) for e in edges} == {
        ("pkg.a", "pkg.b"),
        ("pkg.b", "pkg.a"),
        ("pkg.d", "pkg.c"),
    }
    cycle = find_cycle(edges)
    assert cycle is not None
    assert cycle[0] == cycle[-1] and set(cycle) == {"pkg.a", "pkg.b"}


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("4", "4")])
def test_numpy_starts_no_blas_threads_unless_the_user_asks(given: str | None, expected: str):
    """reader does no linear algebra: OpenBLAS's thread pool, started at numpy's import,
    only cost every command time; a user's own setting is kept."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    code = "import reader.cli, os; print(os.environ['OPENBLAS_NUM_THREADS'])"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == expected, done.stderr
