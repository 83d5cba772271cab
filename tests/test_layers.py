"""The tree's layers, read from the source: ml -> media -> catalog -> imagestudio -> api.

Every .py file of the project's packages is parsed with ``ast``; every import counts, at module level, inside
functions and under ``if TYPE_CHECKING`` alike (an import hidden in a function is still a dependency). Two
things are checked: no layer imports one above it, and no import circle joins files of different top-level
packages (a circle inside one package is that package's business).
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ml", "media", "catalog", "orders", "search", "imagestudio", "api", "accounts", "ecommerce")
DJANGO_APPS = ("media", "catalog", "orders", "search", "imagestudio", "api", "accounts", "ecommerce")

# package -> what it must never import (a layer imports only from layers below it).
FORBIDDEN = {
    "ml": DJANGO_APPS + ("django", "rest_framework", "celery"),
    "media": ("catalog", "imagestudio", "api", "orders", "search"),
    "catalog": ("imagestudio", "api"),
    "imagestudio": ("api",),
}


def module_name(path: Path, root: Path) -> str:
    """Return the dotted module name of a file under ``root`` (a package's __init__ is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Return {module name: path} for every .py file of ``packages`` under ``root``."""
    files = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            files[module_name(path, root)] = path
    return files


def imports_of(module: str, path: Path, known: set[str]) -> list[tuple[str, int]]:
    """Return (imported module, line) for every import in the file, relative ones resolved.

    ``from a.b import c`` is the module ``a.b.c`` when that is one of ``known``, else ``a.b`` (a name in it).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.append((submodule if submodule in known else target, node.lineno))
    return found


def owning_file(target: str, known: set[str]) -> str | None:
    """Return the project module that an import of ``target`` runs (the longest known prefix), or None."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Return {module: {imported project module or external top-level name: first line}}."""
    files = source_files(root, packages)
    known = set(files)
    graph: dict[str, dict[str, int]] = defaultdict(dict)
    for module, path in files.items():
        graph[module]  # every file is a node, even one that imports nothing
        for target, line in imports_of(module, path, known):
            resolved = owning_file(target, known) or target.split(".")[0]
            if resolved != module:
                graph[module].setdefault(resolved, line)
    return dict(graph)


def upward_imports(graph: dict[str, dict[str, int]], forbidden: dict[str, tuple[str, ...]]) -> list[str]:
    """Return 'file:line imports target' for every import a layer must not make."""
    found = []
    for module, targets in sorted(graph.items()):
        banned = forbidden.get(module.split(".")[0], ())
        for target, line in sorted(targets.items()):
            if target.split(".")[0] in banned:
                found.append(f"{module.replace('.', '/')}.py:{line} imports {target}")
    return found


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Return the import circles (strongly connected components of more than one file), Tarjan's way."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        # Iterative DFS: the graph has hundreds of files, deeper than a comfortable recursion.
        work = [(start, iter(sorted(graph.get(start, {}))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c in graph), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def cross_package_circles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Return the import circles whose files belong to more than one top-level package."""
    return [c for c in strongly_connected(graph) if len({m.split(".")[0] for m in c}) > 1]


@pytest.fixture(scope="module")
def graph():
    return import_graph(ROOT, PACKAGES)


def test_the_parser_reads_the_whole_tree(graph):
    # given / when: the project's graph
    # then: every package is there, and imports inside functions are seen (media.hooks queues its task lazily)
    assert {m.split(".")[0] for m in graph} == set(PACKAGES)
    assert "media.tasks" in graph["media.hooks"]
    assert "media.storage" in graph["media.models"]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_layer_imports_one_above_it(graph, package):
    # given: the imports of one package's files; then: none reaches a layer above it
    upward = upward_imports({m: t for m, t in graph.items() if m.split(".")[0] == package}, FORBIDDEN)
    assert upward == [], f"{package} must not import {', '.join(FORBIDDEN[package])}:\n" + "\n".join(upward)


def test_no_import_circle_between_files_of_different_packages(graph):
    circles = cross_package_circles(graph)
    assert circles == [], "import circles across packages:\n" + "\n".join(" <-> ".join(c) for c in circles)


def test_media_reaches_the_image_model_without_importing_catalog():
    from catalog.models import ProductImage
    from media.models import Rendition, image_model

    assert image_model() is ProductImage
    assert Rendition._meta.db_table == "catalog_rendition"  # moved without a database change


# --- the checker itself must be able to fail -------------------------------------------------------

def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_checker_finds_an_upward_import_hidden_in_a_function(tmp_path):
    # given: media importing catalog inside a function (the kind of import a reader misses)
    _write(tmp_path, {
        "media/__init__.py": "", "media/urls.py": "def f():\n    from catalog.models import ProductImage\n",
        "catalog/__init__.py": "", "catalog/models.py": "from media import urls\n",
    })
    # when
    graph = import_graph(tmp_path, ("media", "catalog"))
    # then
    assert upward_imports(graph, FORBIDDEN) == ["media/urls.py:2 imports catalog.models"]


def test_the_checker_finds_a_circle_across_packages_through_relative_imports(tmp_path):
    # given: catalog.a -> media.b -> media.c -(relative, in a function)-> ... -> catalog.a
    _write(tmp_path, {
        "catalog/__init__.py": "", "catalog/a.py": "from media import b\n",
        "media/__init__.py": "", "media/b.py": "from .c import x\n",
        "media/c.py": "x = 1\ndef later():\n    import catalog.a\n",
        "media/d.py": "from . import c\n",  # on the circle's edge, not in it
    })
    # when
    circles = cross_package_circles(import_graph(tmp_path, ("catalog", "media")))
    # then
    assert circles == [["catalog.a", "media.b", "media.c"]]
