"""docs/ARCHITECTURE.md stays true: every file it names exists, and every function its figure
table names is defined in the modules of that row."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
PATHS = re.compile(r"`((?:app|tasks|tests)/[\w/]+\.py)`")


def _defined(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }


def test_every_file_the_map_names_exists() -> None:
    named = set(PATHS.findall(DOC))
    assert len(named) > 20
    assert sorted(p for p in named if not (ROOT / p).is_file()) == []


def test_every_function_of_the_figure_table_is_where_it_says() -> None:
    table = DOC.split("## Where each figure of SPEC §4 is computed", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) >= 12
    for row in rows:
        _, modules, functions = (cell.strip() for cell in row.strip("|").split("|"))
        defined = set().union(*(_defined(path) for path in PATHS.findall(modules)))
        wanted = re.findall(r"`(\w+)`", functions)
        assert wanted and set(wanted) <= defined, row
