"""The benchmark scripts are not run by the suite (they time things), but they must still import:
a module that moves must not break them silently."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_benchmark_script_imports(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    module = importlib.import_module(f"bench.{name}")
    assert module.__file__ == str(ROOT / "bench" / f"{name}.py")
    sys.modules.pop(f"bench.{name}", None)
