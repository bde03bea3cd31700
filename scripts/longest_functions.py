"""List the longest functions of the tree (lines from ``def`` to the end of the body, and
the same without the docstring).

Usage, from the repository root: ``python scripts/longest_functions.py [--top N] [PATH ...]``
(default: the top 15 over every package; tests, benchmarks, notebooks and scripts are left
out unless named).
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".venv", "tests", "benchmarks", "notebooks", "scripts", "build", ".git"}


def _docstring_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines taken by the function's docstring (0 without one)."""
    first = function.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first.end_lineno - first.lineno + 1
    return 0


def functions(path: Path) -> list[tuple[int, int, str, int]]:
    """(lines, lines without the docstring, qualified name, first line) of every function and
    method in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, int, str, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                lines = child.end_lineno - child.lineno + 1
                found.append((lines, lines - _docstring_lines(child), name, child.lineno))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def python_files(paths: list[Path]) -> list[Path]:
    """The .py files under ``paths`` (default: the repository, minus :data:`SKIP`)."""
    if paths:
        return sorted(f for p in paths for f in ([p] if p.is_file() else p.rglob("*.py")))
    return sorted(
        f for f in ROOT.rglob("*.py")
        if not SKIP.intersection(f.relative_to(ROOT).parts)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    rows = [
        (lines, code, name, f"{file.relative_to(ROOT)}:{first}")
        for file in python_files([p.resolve() for p in args.paths])
        for lines, code, name, first in functions(file)
    ]
    print("lines  no-doc  function                                      where")
    for lines, code, name, where in sorted(rows, reverse=True)[: args.top]:
        print(f"{lines:5d}  {code:6d}  {name:45s} {where}")


if __name__ == "__main__":
    main()
