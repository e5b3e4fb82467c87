"""The tooling (scripts, benchmarks, the ``devstack`` package) imports without ``sys.path``
edits and without side effects at import: no ``atexit`` handler, no process, no folder."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from devstack import ROOT

TOOLING = sorted(
    [
        *(ROOT / "benchmarks").glob("*.py"),
        *(ROOT / "devstack").glob("*.py"),
        ROOT / "scripts" / "prod_local.py",
    ]
)


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_no_sys_path_edits_and_no_registration_at_module_level() -> None:
    found = []
    for path in TOOLING:
        source = path.read_text(encoding="utf-8")
        if re.search(r"# noqa: [A-Z0-9, ]*E402", source):
            found.append(f"{path.name}: noqa E402")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and ast.unparse(node) == "sys.path":
                found.append(f"{path.name}:{node.lineno}: sys.path")
        for node in tree.body:  # module level only: main() may register handlers
            call = isinstance(node, ast.Expr | ast.Assign) and isinstance(node.value, ast.Call)
            if call and "atexit" in ast.unparse(node):
                found.append(f"{path.name}:{node.lineno}: atexit at import")
    assert not found, found


def test_every_tool_imports_as_a_module_from_the_root_with_no_side_effects(
    tmp_path: Path,
) -> None:
    """In a fresh interpreter started in the repository root (as ``python -m`` is): the
    atexit handlers and temporary folders each import adds beyond its own dependencies'."""
    names = [module_name(path) for path in TOOLING]
    probe = f"""
import atexit, importlib, importlib.util, json, os, sys, tempfile
names = {names!r}
sys.path[:] = [p for p in sys.path if p not in ("", {str(ROOT)!r})]
sys.path.insert(0, {str(ROOT)!r})
tempfile.tempdir = {str(tmp_path)!r}
report = {{}}
for name in names:
    source = importlib.util.find_spec(name)
    # Import the module's own imports first, so only what the module itself does counts.
    import ast
    tree = ast.parse(open(source.origin, encoding="utf-8").read())
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            importlib.import_module(node.module)
    before = atexit._ncallbacks()
    importlib.import_module(name)
    report[name] = atexit._ncallbacks() - before
print(json.dumps({{"atexit": report, "folders": sorted(os.listdir({str(tmp_path)!r}))}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,  # not the root: the probe puts the root on the path as -m would
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["folders"] == []
    assert {name: n for name, n in found["atexit"].items() if n} == {}
