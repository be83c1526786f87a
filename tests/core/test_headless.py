"""The core and the CLI must run without a screen: no module under reader.core or
reader.cli imports Textual (the CLI imports the app only when it opens it)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import reader.cli
import reader.core

MODULES = (
    sorted(
        m.name for m in pkgutil.walk_packages(reader.core.__path__, "reader.core.") if not m.ispkg
    )
    + ["reader.cli"]
    + [m.name for m in pkgutil.walk_packages(reader.cli.__path__, "reader.cli.")]
)


def test_core_has_the_expected_modules():
    names = ("ingest.parse", "store.storage", "library", "search.query", "search.index", "models")
    for name in names:
        assert f"reader.core.{name}" in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_without_textual(module: str):
    code = (
        f"import sys, {module}; "
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]; "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, f"{module} imports textual: {done.stdout}{done.stderr}"
