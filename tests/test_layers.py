"""The layering of both apps: views make domain calls, the domain owns SQL and transactions,
and no module imports itself back through others."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [ROOT / "mock_okta", ROOT / "mock_sonar"]
VIEWS = sorted(path for package in PACKAGES for path in (package / "views").rglob("*.py"))
#: What only the domain may do: open a transaction or run SQL.
FORBIDDEN_IN_VIEWS = re.compile(r"\batomic\(|\bdb\.(query|execute)\(|\bdb\[")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The app's modules a file imports (relative or absolute, `from x import module`)."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            if target in known:
                found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names} & known
    return found - {module_name(path)}


@pytest.mark.parametrize("path", VIEWS, ids=lambda path: str(path.relative_to(ROOT)))
def test_views_run_no_sql_and_open_no_transaction(path):
    assert FORBIDDEN_IN_VIEWS.findall(path.read_text()) == []


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.name)
def test_no_import_circle_inside_the_app(package):
    files = {module_name(path): path for path in package.rglob("*.py")}
    graph = {name: imported_modules(path, set(files)) for name, path in files.items()}
    # A package's __init__ is imported by every import of its modules: only its own imports count.
    graph = {
        name: {m for m in targets if not name.startswith(m + ".")}
        for name, targets in graph.items()
    }
    circles, state = [], {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                circles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []
