"""services/, db/ and seed/ never import Streamlit (DESIGN.md §3)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def streamlit_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        if any(n == "streamlit" or n.startswith(("streamlit.", "streamlit_")) for n in names):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("package", ["services", "db", "seed"])
def test_package_does_not_import_streamlit(package):
    files = list((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    offenders = {str(f.relative_to(ROOT)): streamlit_imports(f) for f in files}
    assert {f: lines for f, lines in offenders.items() if lines} == {}


def test_the_checker_catches_an_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom streamlit import session_state\n")
    assert streamlit_imports(bad) == [2]
