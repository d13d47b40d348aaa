"""The code base stays lint-clean and layered: checked by the same command as the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff")
                    .exists(), reason="ruff comes with the test extra: pip install '.[test]'")
def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_and_checker_never_import_textual() -> None:
    """The numeric core and the checker work without a terminal library."""
    code = ("import sys, backprop_tui.core.training, backprop_tui.core.gradcheck, "
            "backprop_tui.check.cli; assert not any(m.startswith('textual') for m in "
            "sys.modules), sorted(m for m in sys.modules if m.startswith('textual'))")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_modules_stay_small() -> None:
    """Small modules are a project rule; this names any that grew past it."""
    big = [str(p.relative_to(ROOT)) for p in (ROOT / "backprop_tui").rglob("*.py")
           if len(p.read_text(encoding="utf-8").splitlines()) > 320]
    assert not big, f"modules over 320 lines: {big}"


def test_app_start_up_imports_neither_the_checker_nor_the_compiled_kernel() -> None:
    """The first frame waits for nothing it does not draw: the checker, the gradient
    check and numba load when first asked for."""
    code = ("import sys, backprop_tui.app.app; late = [m for m in sys.modules if "
            "m.startswith(('backprop_tui.check', 'backprop_tui.core.gradcheck', 'numba'))]; "
            "assert not late, late")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_app_start_up_leaves_plotext_for_after_the_first_frame() -> None:
    code = ("import sys, backprop_tui.app.app; assert 'plotext' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
