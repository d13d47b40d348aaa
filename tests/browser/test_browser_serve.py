"""The real-browser check of ``backprop-tui serve`` under pytest: it runs wherever Chromium does.

The check itself is ``check_serve.py`` beside this file (also a script); here it
runs in-process, so its clean-up runs even when it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason="textual-serve is not installed (pip install .)")

import check_serve  # noqa: E402  (tests/browser is on sys.path: pytest's rootdir-less import)

SCRIPT = Path(check_serve.__file__)


@pytest.mark.skipif(check_serve.find_chromium() is None,
                    reason="no chromium on PATH (apt-get install chromium) and no $CHROMIUM")
def test_the_app_draws_and_steps_in_headless_chromium(tmp_path: Path) -> None:
    out = tmp_path / "serve.png"
    status, verdict = check_serve.run_check(out)
    assert status == 0 and verdict.startswith("pass:"), verdict
    width, height, shades = check_serve.png_facts(out.read_bytes())
    assert width >= 800 and height >= 600 and shades >= 16


def test_without_chromium_the_script_says_skipped_and_exits_0(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CHROMIUM"}
    env["PATH"] = str(tmp_path)   # nothing there: no browser to find
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path / "x.png")],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("skipped: no chromium (apt-get install chromium, "
                                   "or --chromium PATH)")
    assert not (tmp_path / "x.png").exists()


def test_a_named_browser_that_is_missing_fails(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--chromium", str(tmp_path / "none")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout.strip() == f"fail: no browser at {tmp_path / 'none'}"
