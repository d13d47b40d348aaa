"""Property-based tests (hypothesis): the CSV loader and the options, on input nobody wrote by hand.

The loader has two readers with one meaning (numpy's fast one for clean files,
the streaming one that defines the rules); on any CSV-like text they must give
the same arrays bit for bit, or the same one-line error. On arbitrary bytes the
loader must answer with a DataError or data, nothing else. On any combination of
option values, the command line must end with a status and at most one error
line, never a traceback.
"""

from __future__ import annotations

import io
import math
import string
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_tui.cli import main
from backprop_tui.core.data.csvload import DataError, load_table
from backprop_tui.core.data.datasets import load_dataset
from backprop_tui.core.data.source import open_source
from backprop_tui.core.limits import Limits

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

NUMBERS = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr),
    st.floats(-1e3, 1e3).map(lambda v: f"{v:.3e}"),
    st.sampled_from(["nan", "inf", "-Infinity", "1_000", "1e400", ".5", "5.", "+3", "0x10",
                     "\u0661", "1e", ""]),
)
FIELDS = st.one_of(NUMBERS, NUMBERS.map(lambda s: f"  {s} "),
                   st.text(string.ascii_letters + " _-;\t\x0c", max_size=6),
                   st.sampled_from(['"1"', '"a,b"', 'x"y', '"2', "\r"]))


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    width = draw(st.integers(1, 5))
    lines = []
    if draw(st.booleans()):
        lines.append(",".join(draw(st.lists(st.text(string.ascii_lowercase, max_size=3),
                                            min_size=width, max_size=width))))
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            lines.append(draw(st.sampled_from(["", "  ", "\t", "\x0c"])))  # blank-ish lines
        else:
            n = width if kind > 1 else draw(st.integers(1, 6))  # now and then a ragged row
            lines.append(",".join(draw(st.lists(FIELDS, min_size=n, max_size=n))))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(lines) + draw(st.sampled_from(["", ending]))


def outcome(path: str, fast: bool) -> object:
    """The arrays and names, or the error message, by one reader or the other."""
    try:
        with open_source(path, Limits()) as local, open(local.path, "rb") as lines:
            fast_path = local.path if fast and local.simple else None
            X, y, inputs, target = load_table(lines, path, None, None, fast_path=fast_path)
    except DataError as err:
        return str(err)
    return X.tobytes(), X.shape, y.tobytes(), inputs, target


@SETTINGS
@given(text=csv_texts())
def test_fast_and_streaming_readers_agree(tmp_path: Path, text: str) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode("utf-8"))
    assert outcome(str(path), fast=True) == outcome(str(path), fast=False)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_any_bytes_give_data_or_one_line_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(data)
    try:
        dataset, _ = load_dataset(str(path), test_fraction=0.0)
    except DataError as err:
        assert "\n" not in str(err) and str(err).startswith(str(path))
    else:
        assert dataset.n_train >= 2 and np.isfinite(dataset.X_train).all()


def run_cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(argv)
    return status, err.getvalue()


VALUES = st.one_of(st.integers(-10**12, 10**12).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr),
                   st.sampled_from(["1e308", "-0", "nan", "inf", "", "abc", "0x10", "1_0"]))
OPTIONS = ["--hidden", "--lr", "--init-scale", "--test-fraction", "--seed", "--max-size",
           "--max-rows", "--max-columns", "--max-memory", "--download-timeout"]


@settings(max_examples=120, deadline=None)
@given(chosen=st.dictionaries(st.sampled_from(OPTIONS), VALUES, max_size=4),
       epochs=st.integers(0, 2))
def test_any_training_options_end_in_a_status_and_one_line(chosen: dict[str, str],
                                                           epochs: int) -> None:
    argv = ["train", "--epochs", str(epochs)]
    for option, value in chosen.items():
        argv.append(f"{option}={value}")
    status, err = run_cli(argv)
    assert status in (0, 2, 3)
    lines = [ln for ln in err.splitlines() if ln]
    assert "Traceback" not in err and "RuntimeWarning" not in err
    assert all(ln.startswith("backprop-tui: ") for ln in lines)
    if status == 2:
        assert len(lines) == 1 and lines[0].startswith("backprop-tui: error: ")


@settings(max_examples=60, deadline=None)
@given(timeout=st.one_of(st.floats(allow_nan=True, allow_infinity=True), VALUES.map(str)))
def test_any_timeout_is_checked_before_running(timeout: object) -> None:
    status, err = run_cli(["check", "/nonexistent/student.py", f"--timeout={timeout}"])
    assert status == 2 and err.count("\n") == 1
    try:
        value = float(str(timeout))
    except ValueError:
        return
    if not (math.isfinite(value) and 0 < value <= 3600):
        assert "--timeout" in err


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=40))
def test_ascii_fallback_keeps_every_cell(text: str) -> None:
    """On an ASCII-only terminal the app's screen keeps its layout: one cell for one cell."""
    from rich.cells import cell_len

    from backprop_tui.terminal import HANDLERS, readable_output

    readable_output("cells")  # registers the handlers (the streams here encode UTF-8)
    out = text.encode("ascii", errors=HANDLERS["cells"]).decode("ascii")
    assert cell_len(out) == cell_len(text)
    words = text.encode("ascii", errors=HANDLERS["words"]).decode("ascii")
    assert all(ch in words for ch in text if ch.isascii())
