"""The sync client runs on a station's old PC: Python 3.9, Windows or Linux, nothing but the
standard library. Checked on its source, since the test machine has one Python; run the
end-to-end test with ``STATION_SYNC_PYTHON=/path/to/python3.9`` to try a real old one."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SOURCES = sorted((Path(__file__).resolve().parents[3] / "station_sync").glob("*.py"))
POSIX_ONLY = {"fcntl", "termios", "pwd", "grp", "resource", "posix", "tty", "pty"}
NEWER_THAN_39 = {  # standard library names that appeared after Python 3.9
    ("itertools", "pairwise"), ("contextlib", "chdir"), ("typing", "TypeAlias"),
    ("typing", "ParamSpec"), ("typing", "Self"), ("typing", "Never"), ("tomllib", None),
}  # fmt: skip


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), str(path), feature_version=(3, 9))


def annotation_nodes(module: ast.Module) -> set[int]:
    """ids of every node inside an annotation (postponed by ``from __future__``)."""
    inside: set[int] = set()
    for node in ast.walk(module):
        roots: list[ast.AST | None] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs,
                         node.args.vararg, node.args.kwarg]  # fmt: skip
            roots += [a.annotation for a in arguments if a is not None] + [node.returns]
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
        for root in roots:
            if root is not None:
                inside |= {id(n) for n in ast.walk(root)}
    return inside


def test_there_is_a_client_to_check() -> None:
    assert {p.name for p in SOURCES} >= {"__init__.py", "__main__.py", "cli.py", "client.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_source_is_python_39_syntax_with_postponed_annotations(path: Path) -> None:
    module = tree(path)  # SyntaxError on match, parenthesised with-items, except* ...
    annotations = annotation_nodes(module)
    if annotations:  # Python 3.9 evaluates annotations unless they are postponed
        future = [
            alias.name
            for node in module.body
            if isinstance(node, ast.ImportFrom) and node.module == "__future__"
            for alias in node.names
        ]
        assert "annotations" in future, path.name
    # ``X | Y`` is fine in annotations (strings under the future import), not at run time.
    runtime_unions = [
        node.lineno
        for node in ast.walk(module)
        if isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.BitOr)
        and id(node) not in annotations
    ]
    assert runtime_unions == [], f"{path.name}: '|' at run time on lines {runtime_unions}"
    for node in ast.walk(module):
        if isinstance(node, ast.Call):
            keywords = {k.arg for k in node.keywords}
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            assert not (name == "zip" and "strict" in keywords), f"{path.name}:{node.lineno}"
            assert not (name == "dataclass" and keywords & {"slots", "kw_only"}), path.name


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_imports_only_the_standard_library_and_nothing_posix_only(path: Path) -> None:
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            names = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [(node.module, alias.name) for alias in node.names]
        else:
            continue
        for module, member in names:
            top = module.split(".")[0]
            assert top == "station_sync" or top in sys.stdlib_module_names, (path.name, module)
            assert top not in POSIX_ONLY, (path.name, module)
            assert (top, member) not in NEWER_THAN_39 and (top, None) not in NEWER_THAN_39


def test_files_are_put_in_place_with_os_replace_which_windows_has() -> None:
    client = (SOURCES[0].parent / "client.py").read_text("utf-8")
    assert "os.replace(" in client
    assert "os.rename(" not in client  # fails on Windows when the target exists
