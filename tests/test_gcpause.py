"""The cyclic collector paused while the command line starts (engine/gcpause.py): the command's
body runs with it on again, what the start built frozen; a collector the caller had switched
off stays off. Each case runs in a fresh interpreter (a freeze lasts as long as the process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_start_is_paused_then_frozen_and_the_collector_resumed() -> None:
    out = _run(
        "import gc\n"
        "from engine.gcpause import end_startup, pause_startup\n"
        "pause_startup()\n"
        "print(gc.isenabled(), gc.get_freeze_count())\n"
        "import engine.compile\n"
        "end_startup()\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 10_000)\n"
        "end_startup()\n"  # (once only: nothing more is frozen)
        "print(gc.isenabled(), gc.get_freeze_count() > 10_000)\n"
    )
    assert out == "False 0\nTrue True\nTrue True\n"


def test_a_collector_switched_off_before_stays_off_and_nothing_is_frozen() -> None:
    out = _run(
        "import gc\n"
        "gc.disable()\n"
        "from engine.gcpause import end_startup, pause_startup\n"
        "pause_startup()\n"
        "end_startup()\n"
        "print(gc.isenabled(), gc.get_freeze_count())\n"
    )
    assert out == "False 0\n"


def test_a_command_body_runs_with_the_collector_on_and_its_start_frozen() -> None:
    out = _run(
        "import gc, sys\n"
        "from engine.commands import validate\n"
        "real = validate.run_validate\n"
        "def spy(*args, **kwargs):\n"
        "    print(gc.isenabled(), gc.get_freeze_count() > 10_000)\n"
        "    return real(*args, **kwargs)\n"
        "validate.run_validate = spy\n"
        "sys.argv = ['hrpolicy', 'validate', 'policies/japan_mbo.yaml']\n"
        "from engine.cli import main\n"
        "main()\n",
    )
    assert out == "True True\n"
