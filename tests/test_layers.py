"""The layers of DESIGN.md §3, read from the import statements: services/, db/ and seed/ never
import Streamlit, pages never import db.models, services never import components or pages, and
the service packages never import each other in a loop."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def module_name(path: Path, root: Path) -> str:
    """`services/records/children.py` -> `services.records.children` (a package's __init__ -> the
    package)."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, also inside functions; `from x import y`
    names both x and x.y, since y may be a module."""
    package = module_name(path, root).split(".") if path.is_relative_to(root) else []
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the file's package
                prefix = package[: len(package) - node.level + 1]
                base = ".".join([*prefix, *([node.module] if node.module else [])])
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def is_within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def forbidden_imports(path: Path, prefixes: tuple[str, ...], root: Path = ROOT) -> list[int]:
    """Lines of the file that import a module under one of `prefixes`."""
    return sorted({line for line, module in imports(path, root) if is_within(module, prefixes)})


def streamlit_imports(path: Path) -> list[int]:
    lines = {
        line
        for line, module in imports(path)
        if is_within(module, ("streamlit",)) or module.startswith("streamlit_")
    }
    return sorted(lines)


def offenders(folder: str, prefixes: tuple[str, ...]) -> dict[str, list[int]]:
    files = list((ROOT / folder).rglob("*.py"))
    assert files, f"{folder}/ has no Python files"
    found = {str(f.relative_to(ROOT)): forbidden_imports(f, prefixes) for f in files}
    return {f: lines for f, lines in found.items() if lines}


def service_unit(module: str) -> str | None:
    """The unit a services module belongs to: its package (services/<unit>/) or, for a top-level
    module (errors, audit, scope, masking, rows), the module itself."""
    parts = module.split(".")
    return parts[1] if parts[0] == "services" and len(parts) > 1 else None


def unit_graph(services: Path) -> dict[str, dict[str, list[str]]]:
    """unit -> {imported unit -> ["file:line", ...]} for every import between two units."""
    root = services.parent
    graph: dict[str, dict[str, list[str]]] = {}
    for path in sorted(services.rglob("*.py")):
        source = service_unit(module_name(path, root))
        if source is None:
            continue
        for line, module in imports(path, root):
            target = service_unit(module)
            if target is not None and target != source:
                where = f"{path.relative_to(root)}:{line}"
                places = graph.setdefault(source, {}).setdefault(target, [])
                if where not in places:
                    places.append(where)
    return graph


def loops(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The groups of units that import each other in a loop (strongly connected, size > 1)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(unit: str) -> None:  # Tarjan's algorithm; a few dozen units, so recursion is fine
        order[unit] = low[unit] = len(order)
        stack.append(unit)
        for target in graph.get(unit, {}):
            if target not in order:
                visit(target)
                low[unit] = min(low[unit], low[target])
            elif target in stack:
                low[unit] = min(low[unit], order[target])
        if low[unit] == order[unit]:
            group = []
            while not group or group[-1] != unit:
                group.append(stack.pop())
            if len(group) > 1:
                groups.append(sorted(group))

    for unit in sorted(graph):
        if unit not in order:
            visit(unit)
    return sorted(groups)


def explain(graph: dict[str, dict[str, list[str]]], group: list[str]) -> list[str]:
    """The imports that close a loop, as "a -> b: file:line, ..."."""
    return [
        f"{a} -> {b}: {', '.join(graph[a][b])}"
        for a in group
        for b in sorted(graph.get(a, {}))
        if b in group
    ]


# --- the real tree ---------------------------------------------------------------------------


@pytest.mark.parametrize("package", ["services", "db", "seed"])
def test_package_does_not_import_streamlit(package):
    files = list((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    found = {str(f.relative_to(ROOT)): streamlit_imports(f) for f in files}
    assert {f: lines for f, lines in found.items() if lines} == {}


def test_pages_do_not_import_db_models():
    assert offenders("pages", ("db.models",)) == {}


def test_services_do_not_import_components_or_pages():
    assert offenders("services", ("components", "pages")) == {}


def test_service_packages_do_not_import_each_other_in_a_loop():
    graph = unit_graph(ROOT / "services")
    assert graph, "no imports between service units found"
    found = loops(graph)
    assert found == [], [explain(graph, group) for group in found]


# --- the checkers catch what they should -----------------------------------------------------


def test_the_checker_catches_an_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom streamlit import session_state\n")
    assert streamlit_imports(bad) == [2]


def test_the_checker_catches_a_page_importing_models(tmp_path):
    page = tmp_path / "pages" / "bad.py"
    page.parent.mkdir()
    page.write_text(
        "from db.enums import Role\nfrom db import models\nimport db.models\n"
        "def f():\n    from db.models import Child\n"
    )
    assert forbidden_imports(page, ("db.models",), tmp_path) == [2, 3, 5]


def test_the_checker_catches_a_service_importing_components_or_pages(tmp_path):
    service = tmp_path / "services" / "records" / "bad.py"
    service.parent.mkdir(parents=True)
    service.write_text("from components.feedback import submit\nimport pages.home\nimport os\n")
    assert forbidden_imports(service, ("components", "pages"), tmp_path) == [1, 2]


def write_services(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "services" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "services"


def test_the_checker_catches_two_packages_importing_each_other(tmp_path):
    services = write_services(
        tmp_path,
        {
            "records/__init__.py": "",
            "records/children.py": "from services.care.profile import show\n",
            "care/__init__.py": "",
            "care/profile.py": "def show():\n    from ..records import children\n",
            "errors.py": "",
            "ops/backup.py": "from services import errors\nfrom services.records import children\n",
        },
    )
    graph = unit_graph(services)
    assert loops(graph) == [["care", "records"]]
    assert explain(graph, ["care", "records"]) == [
        "care -> records: services/care/profile.py:2",
        "records -> care: services/records/children.py:1",
    ]


def test_the_checker_catches_a_loop_through_a_top_level_module(tmp_path):
    services = write_services(
        tmp_path,
        {
            "records/children.py": "from services.errors import NotFound\n",
            "errors.py": "from services import audit\n",
            "audit.py": "from services.records.children import name_of\n",
            "scope.py": "from services import errors\n",
        },
    )
    assert loops(unit_graph(services)) == [["audit", "errors", "records"]]


def test_packages_that_only_import_downwards_have_no_loop(tmp_path):
    services = write_services(
        tmp_path,
        {
            "records/children.py": "from services.errors import NotFound\n",
            "care/profile.py": "from services.records import children\nimport services.errors\n",
            "errors.py": "",
        },
    )
    graph = unit_graph(services)
    assert set(graph) == {"records", "care"}
    assert loops(graph) == []
