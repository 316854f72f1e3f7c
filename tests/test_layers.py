"""The apps are layered and imports go one way: down (docs/architecture.md, "Layers").

Read from the source with ``ast``, so every import counts, including those inside a function
(made there to dodge a circle at import time, which is exactly what this test is about) and
those only for type checking. A failure names the importing module, the line and the arrow.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top. An app may import its own modules and those of the layers below it; apps
# side by side in one layer may not import each other. Outside the layers (tests, bench,
# loadtest, manage.py) anything may be imported.
LAYERS: list[frozenset[str]] = [
    frozenset({"accounts"}),
    frozenset({"journal"}),
    frozenset({"triage"}),
    frozenset({"outcomes"}),
    frozenset({"notify"}),
    frozenset({"clinic"}),
    frozenset({"api", "webapp"}),
    frozenset({"config"}),
]
LAYER_OF = {app: index for index, layer in enumerate(LAYERS) for app in layer}
NOT_APPS = {"tests", "bench", "loadtest", "docs", "var"}

# Upward imports allowed by name, each explained in docs/architecture.md: (module, imported).
ALLOWED_UP: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # the importing module, e.g. "journal.services"
    target: str  # what it imports, resolved to a module or package, e.g. "triage.services"
    line: int

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(root: Path, path: Path, known: set[str]) -> Iterator[Import]:
    """Every import in ``path``, relative ones resolved; ``from a import b`` counts as an
    import of ``a.b`` when that is a module of ours, else of ``a``."""
    module = module_name(root, path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                yield Import(module, candidate if candidate in known else source, node.lineno)


def packages(root: Path) -> list[Path]:
    """The top-level packages of ours (the apps and config), not tests or tools."""
    return sorted(
        path.parent
        for path in root.glob("*/__init__.py")
        if path.parent.name not in NOT_APPS and not path.parent.name.startswith(".")
    )


def first_party(root: Path) -> list[Path]:
    """The apps' modules (migrations are left out: they name other apps only in strings)."""
    return sorted(
        path
        for package in packages(root)
        for path in package.rglob("*.py")
        if "migrations" not in path.relative_to(root).parts
    )


def all_imports(root: Path) -> list[Import]:
    paths = first_party(root)
    known = {module_name(root, path) for path in paths}
    # One per (module, target, line): ``from a import b, c`` names ``a`` once.
    return list(dict.fromkeys(found for path in paths for found in imports_of(root, path, known)))


def app_of(module: str) -> str:
    return module.partition(".")[0]


def upward(found: Iterable[Import]) -> list[Import]:
    """Imports from an app to one in its own layer or above (other than itself)."""
    wrong = []
    for imported in found:
        source, target = app_of(imported.module), app_of(imported.target)
        if source == target or target not in LAYER_OF:
            continue
        allowed = (imported.module, imported.target) in ALLOWED_UP
        if LAYER_OF[target] >= LAYER_OF[source] and not allowed:
            wrong.append(imported)
    return wrong


def circles(found: Iterable[Import]) -> list[set[str]]:
    """Groups of two or more modules that import each other, directly or not (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for imported in found:
        if imported.target != imported.module:
            graph.setdefault(imported.module, set()).add(imported.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def celery_pair(group: set[str]) -> bool:
    """An app's services queue its tasks on commit and the tasks call the services: the one
    circle Celery's shape gives us."""
    app = app_of(min(group))
    return group == {f"{app}.services", f"{app}.tasks"}


def test_every_app_has_a_layer():
    apps = {package.name for package in packages(ROOT)}
    assert apps - set(LAYER_OF) == set(), "place the new app in LAYERS and docs/architecture.md"


def test_no_import_runs_up():
    wrong = upward(all_imports(ROOT))
    assert [str(imported) for imported in wrong] == []


def test_no_circle_but_services_and_tasks():
    found = [group for group in circles(all_imports(ROOT)) if not celery_pair(group)]
    assert found == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    """Packages under ``root`` with these modules (and an empty ``__init__.py`` each)."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        for package in path.relative_to(root).parents:
            if package != Path("."):
                (root / package / "__init__.py").touch()
    return root


@pytest.mark.parametrize(
    ("files", "arrow"),
    [
        # Plain, inside a function, and relative: each is an arrow up.
        ({"journal/services.py": "from api.services import pain_log_create\n"}, "api.services"),
        (
            {"triage/services.py": "def f():\n    import notify.services\n"},
            "notify.services",
        ),
        ({"accounts/views.py": "from ..journal import models\n"}, "journal.models"),
        # A peer in the same layer is not below.
        ({"api/views.py": "from webapp import shell\n", "webapp/shell.py": ""}, "webapp.shell"),
    ],
)
def test_an_import_up_is_caught(tmp_path, files, arrow):
    root = _tree(tmp_path, {"journal/models.py": "", "api/services.py": "", **files})
    assert [imported.target for imported in upward(all_imports(root))] == [arrow]


def test_imports_down_and_within_an_app_pass(tmp_path):
    root = _tree(
        tmp_path,
        {
            "journal/models.py": "",
            "api/services.py": "from journal import models\nfrom . import views\n",
            "api/views.py": "from api.services import x\n",
            "notify/services.py": "from triage.models import Alert\n",
            "triage/models.py": "",
        },
    )
    assert upward(all_imports(root)) == []


def test_a_circle_is_caught_and_the_celery_pair_is_not(tmp_path):
    root = _tree(
        tmp_path,
        {
            "notify/services.py": "def f():\n    from notify.tasks import t\n",
            "notify/tasks.py": "from notify import services\n",
            "clinic/a.py": "from clinic import b\n",
            "clinic/b.py": "def f():\n    from clinic.a import x\n",
        },
    )
    found = circles(all_imports(root))
    assert sorted(sorted(group) for group in found) == [
        ["clinic.a", "clinic.b"],
        ["notify.services", "notify.tasks"],
    ]
    assert [sorted(group) for group in found if not celery_pair(group)] == [
        ["clinic.a", "clinic.b"]
    ]
