"""The public Python API: its names, that importing it is light, and the README's example.

Notebooks and scripts rely on ``from backprop_tui import ...`` keeping its
names; the README's example is run as written, so the documentation cannot
drift from the code.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import backprop_tui

README = Path(__file__).resolve().parents[1] / "README.md"
PUBLIC = {"build_session", "DataOptions", "TrainConfig", "Session", "gradient_check", "Limits",
          "DataError"}
SESSION_METHODS = {"run_epochs", "goto", "step_forward", "step_back", "values", "epoch_records",
                   "cursor", "params"}


def test_public_names_are_exported() -> None:
    assert PUBLIC <= set(backprop_tui.__all__) <= set(dir(backprop_tui))
    for name in backprop_tui.__all__:
        assert getattr(backprop_tui, name) is not None
    assert set(dir(backprop_tui.Session)) >= SESSION_METHODS
    with pytest.raises(AttributeError):
        backprop_tui.no_such_name  # noqa: B018


def test_import_loads_neither_numpy_nor_textual() -> None:
    code = ("import sys, backprop_tui; assert 'numpy' not in sys.modules; "
            "from backprop_tui import build_session, Session; "
            "assert 'numpy' in sys.modules and 'textual' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def readme_example() -> str:
    section = README.read_text().split("## Python API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README's Python API section has no example"
    return match.group(1)


def test_readme_example_runs_as_written() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(readme_example(), "README example", "exec"), namespace := {})
    lines = out.getvalue().splitlines()
    losses = [float(v) for v in lines[0].strip("[]").split(",")]
    assert len(losses) == 10 and losses[-1] < losses[0]
    assert lines[1].startswith("Cursor(update=0, phase=2")
    session = namespace["session"]
    epoch, position = divmod(250, session.n)
    assert lines[2].startswith(f"sets η from 0.5 to 0.1 for the updates from epoch {epoch}, "
                               f"sample {position + 1} on; the {10 * session.n - 250:,} updates")
    assert session.timeline.head == 250 and [e.text for e in session.edits] == ["W1[0,1] = 0.5"]
    worst = float(lines[3].rsplit(" ", 1)[1])
    assert worst < 1e-7
    assert lines[4] == "4-4-3-3 tanh, softmax output, ce 15"  # a deeper network, by name
    assert 0.0 <= float(lines[5]) <= 1.0
