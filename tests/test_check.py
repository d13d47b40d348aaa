"""``backprop-tui check``: a student's forward_backward_pass against the engine.

The students in tests/students/ are the classroom's usual mistakes, one per file.
Each must get the right exit status from the real command (0 right, 1 wrong,
2 cannot be checked) and the report must name the right quantity, in the text
and in the JSON, because that is what the student reads. The in-process API the
app uses is held to the same diagnoses, the child process must never outlive a
time limit, and the lab's printed loss table is traced back to its dW2 slip.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import reference as ref

from backprop_tui.check import StudentError, compare_sample, load_student
from backprop_tui.check.cli import run_check
from backprop_tui.check.sandbox import StudentProcess, TimedOut
from backprop_tui.check.template import TEMPLATE, write_template
from backprop_tui.core.network.params import Params
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session, train

STUDENTS = Path(__file__).parent / "students"
REPO = Path(__file__).parent.parent


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "backprop_tui", "check", *args]


def student(name: str) -> str:
    return str(STUDENTS / f"{name}.py")


class Runs:
    """Results of the real command, by its arguments."""

    def __init__(self, results: dict[tuple[str, ...], subprocess.CompletedProcess[str]],
                 template: Path, default_dir: Path) -> None:
        self.results, self.template, self.default_dir = results, template, default_dir

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.results[args]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Every command-line run of this module, started side by side once.

    Each run is mostly interpreter start-up or waiting out a time limit, so running
    them together keeps the module quick, while every test still sees the real
    command's exit status, stdout and stderr.
    """
    template = tmp_path_factory.mktemp("template") / "mine.py"
    write_template(str(template))
    default_dir = tmp_path_factory.mktemp("default")
    runs: list[tuple[tuple[str, ...], Path]] = [
        *(((student(n), "--samples", s), REPO) for n, s, *_ in WRONG),
        ((student("correct"),), REPO),
        ((student("noisy"), "--samples", "5", "--json"), REPO),
        ((student("raises"), "--samples", "2"), REPO),
        ((student("too_few"), "--samples", "2"), REPO),
        *(((student(n),), REPO) for n, _ in UNCHECKABLE),
        ((student("never_returns"), "--timeout", "2"), REPO),
        ((student("hangs_on_import"), "--timeout", "1"), REPO),
        ((str(template), "--samples", "2"), REPO),
        (("--template",), default_dir),
    ]
    procs = [(args, subprocess.Popen(command(*args), cwd=cwd, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE))
             for args, cwd in runs]
    results = {}
    for args, proc in procs:
        out, err = proc.communicate(timeout=120)
        results[args] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return Runs(results, template, default_dir)


def check_json(*args: str) -> tuple[int, dict]:
    """The same command in this process with --json: status and document (saves a start-up)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = run_check([*args, "--json"])
    return status, json.loads(out.getvalue())


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backprop-tui: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


# -- the command, one student per mistake -----------------------------------------------

# name, words of the one error line
UNCHECKABLE = [
    ("syntax_error", "syntax error at line 7"),
    ("no_function", "defines no forward_backward_pass"),
    ("wrong_parameters", "cannot take the lab's 6 arguments"),
    ("does_not_exist", "no such file"),
]

# name, samples, quantity named, mismatch kind, words the explanation must contain
WRONG = [
    ("transposed_dw2", "3", "dW2", "shape", ["(2, 1)", "(1, 2)", "(2, 2)", "3-2-1"]),
    ("no_output_derivative", "3", "dW2", "value",
     ["σ'(z2) is missing", "output sigmoid's derivative"]),
    ("no_hidden_derivative", "3", "dW1", "value",
     ["σ'(z1) is missing", "hidden sigmoid's derivative"]),
    ("wrong_bias", "3", "db1", "value", ["bias", "delta1"]),
]


@pytest.mark.parametrize("name,samples,quantity,kind,words", WRONG)
def test_wrong_student_is_named(cli: Runs, name: str, samples: str, quantity: str, kind: str,
                                words: list[str]) -> None:
    text = cli(student(name), "--samples", samples)
    assert text.returncode == 1, text.stderr
    assert f"quantity {quantity}:" in text.stdout
    assert "MISMATCH at sample 1 (epoch 0, row 0)" in text.stdout
    for w in words:
        assert w in " ".join(text.stdout.split())
    status, doc = check_json(student(name), "--samples", samples)
    assert status == 1 and doc["status"] == "wrong"
    first = doc["first_mismatch"]
    assert (first["sample"], first["sample_index"], first["row"]) == (1, 0, 0)
    assert (first["quantity"], first["kind"]) == (quantity, kind)
    assert doc["samples_checked"] == 1 and doc["samples_matched"] == 0
    assert first["quantities"][quantity]["band"] == ("shape" if kind == "shape" else "wrong")
    for w in words:
        assert w in doc["explanation"]


def test_transposed_dw2_shows_both_shapes_and_numbers() -> None:
    _, doc = check_json(student("transposed_dw2"), "--samples", "1")
    first = doc["first_mismatch"]
    assert first["expected_shape"] == [1, 2] and first["got_shape"] == [2, 1]
    np.testing.assert_allclose(np.array(first["got"]).T, first["expected"], rtol=1e-12)
    np.testing.assert_allclose(first["numeric"], first["expected"], rtol=1e-6)
    assert {k: q["band"] for k, q in first["quantities"].items()} == {
        "pred": "ok", "loss": "ok", "dW1": "ok", "db1": "ok", "dW2": "shape", "db2": "ok"}


def test_correct_student_passes_two_epochs_by_default(cli: Runs) -> None:
    text = cli(student("correct"))
    assert text.returncode == 0, text.stdout + text.stderr
    assert "400 samples" in text.stdout.splitlines()[0]
    assert ("checked 400 samples: all quantities match the engine's exact values to 1e-7"
            in text.stdout)
    status, doc = check_json(student("correct"), "--samples", "20")
    assert status == 0 and doc["status"] == "ok" and doc["samples_checked"] == 20
    assert doc["first_mismatch"] is None and doc["explanation"] is None
    assert max(doc["max_relative_error"].values()) <= 1e-7


def test_student_output_does_not_leak(cli: Runs) -> None:
    """What the student's code prints goes to stderr: stdout stays one JSON document."""
    run = cli(student("noisy"), "--samples", "5", "--json")
    assert run.returncode == 0, run.stdout
    assert json.loads(run.stdout)["samples_checked"] == 5
    assert "loading my backprop" in run.stderr


def test_exception_shows_its_own_lines(cli: Runs) -> None:
    text = cli(student("raises"), "--samples", "2")
    assert text.returncode == 1
    assert "raised:   ValueError: matmul" in text.stdout
    assert "raises.py, line 15, in forward_backward_pass" in text.stdout
    assert "return sig(x @ W1 + b1)" in text.stdout
    assert "Traceback" not in text.stdout + text.stderr
    _, doc = check_json(student("raises"), "--samples", "2")
    exc = doc["first_mismatch"]["exception"]
    assert doc["first_mismatch"]["kind"] == "raised" and exc["type"] == "ValueError"
    assert [(f["line"], f["function"]) for f in exc["frames"]] == [
        (15, "forward_backward_pass"), (11, "hidden")]


def test_too_few_values_names_the_missing_one(cli: Runs) -> None:
    text = cli(student("too_few"), "--samples", "2")
    assert text.returncode == 1
    assert "returned a tuple of 5 values" in text.stdout
    _, doc = check_json(student("too_few"), "--samples", "2")
    assert doc["first_mismatch"]["kind"] == "count"
    assert "missing db1" in doc["explanation"]


@pytest.mark.parametrize("name,words", UNCHECKABLE)
def test_uncheckable_file_is_one_line_exit_2(cli: Runs, name: str, words: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    run = cli(student(name))
    assert run.returncode == 2 and run.stdout == ""
    assert words in one_error_line(run.stderr)
    assert student(name) in run.stderr  # the path as typed, not as the child saw it
    status, doc = check_json(student(name))
    assert status == 2 and doc["status"] == "error" and words in doc["message"]
    assert words in one_error_line(capsys.readouterr().err)


def test_never_returns_is_stopped(cli: Runs) -> None:
    run = cli(student("never_returns"), "--timeout", "2")
    assert run.returncode == 1
    assert "did not return within the time limit (2 s" in " ".join(run.stdout.split())
    status, doc = check_json(student("never_returns"), "--timeout", "1")
    assert status == 1 and doc["status"] == "timeout" and doc["first_mismatch"]["sample"] == 1


def test_hang_while_loading_is_stopped(cli: Runs) -> None:
    run = cli(student("hangs_on_import"), "--timeout", "1")
    assert run.returncode == 1
    assert "did not finish within 1 s" in " ".join(run.stdout.split())


@pytest.mark.parametrize("args", [
    ["--samples", "0", "x.py"], ["--timeout", "0", "x.py"], [], ["--lr", "-1", "x.py"],
    ["--template", "t.py", "x.py"], ["--dataset", "no/such.csv", "x.py"], ["--bogus"],
])
def test_bad_options_are_one_line(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    one_error_line(captured.err)


# -- the template ------------------------------------------------------------------------

def test_template_is_written_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.py"
    assert run_check(["--template", str(path)]) == 0 and path.exists()
    original = path.read_text()
    capsys.readouterr()
    assert run_check(["--template", str(path)]) == 2
    assert "already exists" in one_error_line(capsys.readouterr().err)
    assert path.read_text() == original


def test_unfilled_template_checks_as_not_implemented(cli: Runs) -> None:
    run = cli(str(cli.template), "--samples", "2")
    assert run.returncode == 1
    assert "NotImplementedError: TODO: z1" in run.stdout
    assert "A TODO is still open" in run.stdout
    assert "mine.py, line" in run.stdout


def test_template_default_path(cli: Runs) -> None:
    run = cli("--template")
    assert run.returncode == 0, run.stderr
    written = cli.default_dir / "backprop_student.py"
    assert "backprop_student.py" in run.stdout
    assert load_student(written).path == str(written.resolve())


FILLED = {
    "z1": "W1 @ x + b1", "a1": "sigmoid(z1)", "z2": "W2 @ a1 + b2", "pred": "sigmoid(z2)",
    "loss": "0.5 * float((pred[0] - target) ** 2)",
    "delta2": "(pred - target) * sigmoid_prime(z2)", "dW2": "np.outer(delta2, a1)",
    "db2": "delta2", "delta1": "(W2.T @ delta2) * sigmoid_prime(z1)",
    "dW1": "np.outer(delta1, x)", "db1": "delta1",
}


def test_filled_template_passes(tmp_path: Path) -> None:
    lines = []
    for line in TEMPLATE.format(name="mine.py").splitlines():
        name = line.strip().split(" = todo(")[0]
        if " = todo(" in line:
            line = line.split("=")[0] + "= " + FILLED[name]
        lines.append(line)
    path = tmp_path / "mine.py"
    path.write_text("\n".join(lines) + "\n")
    assert compare_sample(load_student(path), *lab_sample()).ok


# -- the in-process API for the app ----------------------------------------------------

def lab_sample(update: int = 0) -> tuple[Params, np.ndarray, float]:
    session = build_session(DataOptions(), TrainConfig())
    session.goto(update, 0)
    return session.params, session.dataset.X_train[session.row], float(
        session.dataset.y_train[session.row])


@pytest.mark.parametrize("name,quantity,kind", [
    ("correct", None, None), ("transposed_dw2", "dW2", "shape"),
    ("no_output_derivative", "dW2", "value"), ("no_hidden_derivative", "dW1", "value"),
    ("wrong_bias", "db1", "value"), ("raises", None, "raised"), ("too_few", None, "count"),
])
def test_compare_sample(name: str, quantity: str | None, kind: str | None) -> None:
    params, x, y = lab_sample(7)
    before = params.flat().copy()
    result = compare_sample(load_student(student(name)), params, x, y)
    assert np.array_equal(params.flat(), before)
    assert result.ok == (kind is None)
    if kind is not None:
        assert result.mismatch is not None
        assert (result.mismatch.quantity, result.mismatch.kind) == (quantity, kind)
    assert list(result.quantities) == ["pred", "loss", "dW1", "db1", "dW2", "db2"]
    if name == "correct":
        assert all(q.band == "ok" and q.error <= 1e-7 for q in result.quantities.values())
        assert result.quantities["dW2"].numeric_error < 1e-5


def test_noisy_student_cannot_change_our_parameters() -> None:
    params, x, y = lab_sample()
    before = params.flat().copy()
    assert compare_sample(load_student(student("noisy")), params, x, y).ok
    assert np.array_equal(params.flat(), before)


STUDENT_HEAD = """import numpy as np
def s(z):
    return 1 / (1 + np.exp(-z))
def forward_backward_pass(x, target, W1, b1, W2, b2):
    a1 = s(W1 @ x + b1)
    pred = s(W2 @ a1 + b2)
    loss = 0.5 * (pred[0] - target) ** 2
    d2 = (pred - target) * pred * (1 - pred)
    d1 = (W2.T @ d2) * a1 * (1 - a1)
"""


@pytest.mark.parametrize("tail,quantity,words", [
    ("return s(W2 @ a1 + b2 - b2 + 0.3), loss, np.outer(d1, x), d1, np.outer(d2, a1), d2",
     "pred", "pred (y_hat) should be"),
    ("return W2 @ a1 + b2, loss, np.outer(d1, x), d1, np.outer(d2, a1), d2",
     "pred", "output sigmoid is missing"),
    ("return pred, 2 * loss, np.outer(d1, x), d1, np.outer(d2, a1), d2", "loss", "twice"),
    ("return pred, loss, np.outer(d1, x), d1, -np.outer(d2, a1), -d2", "dW2", "sign"),
    ("return pred, loss, np.outer(x, d1), d1, np.outer(d2, a1), d2", "dW1", "transposed"),
    ("return pred, loss, np.outer(d1, x), d1, np.outer(d2, a1), np.zeros(1)", "db2", "bias"),
    ("return pred, loss, np.outer(d1, x), d1, np.outer(d2, a1) * np.nan, d2", "dW2", "nan"),
    ("return pred, loss, np.outer(d1, x), d1, ..., d2", "dW2", "TODO"),
    ("return pred, loss, np.outer(d1, x), d1[:, None], np.outer(d2, a1), d2", "db1",
     "broadcasts (2,) and (2, 1) to (2, 2)"),
    ("return pred, loss, np.outer(d1, x), d1, np.outer(d2, a1), d2 * np.ones(2)", "db2",
     "broadcasts (1,) and (2,) to (2,)"),
])
def test_diagnoses(tmp_path: Path, tail: str, quantity: str, words: str) -> None:
    path = tmp_path / "s.py"
    path.write_text(STUDENT_HEAD + "    " + tail + "\n")
    result = compare_sample(load_student(path), *lab_sample(3))
    assert result.mismatch is not None and result.mismatch.quantity == quantity
    assert words in result.mismatch.explanation.replace("Ellipsis", "TODO")


@pytest.mark.parametrize("name,words", [
    ("syntax_error", "syntax error at line 7"), ("no_function", "defines no"),
    ("wrong_parameters", "requires 5"), ("missing", "no such file"),
])
def test_load_student_errors_are_one_line(name: str, words: str) -> None:
    with pytest.raises(StudentError) as info:
        load_student(student(name))
    assert words in str(info.value) and "\n" not in str(info.value)


def test_error_at_import_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s.py"
    path.write_text("import numpy as np\n\nprint(undefined_name)\n")
    with pytest.raises(StudentError, match="raised NameError at line 3 while loading"):
        load_student(path)


# -- the child process never outlives its time limit --------------------------------

def gone(pid: int) -> bool:
    """True once the process is reaped (a zombie still answers signal 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_timeout_kills_and_reaps_the_child() -> None:
    params, x, y = lab_sample()
    with StudentProcess(student("never_returns"), 1.0) as proc:
        proc.load()
        pid = proc.pid
        assert pid is not None and not gone(pid)
        with pytest.raises(TimedOut):
            proc.call((x, y, params.W1, params.b1, params.W2, params.b2))
    assert gone(pid)


def test_hang_at_import_kills_and_reaps_the_child() -> None:
    proc = StudentProcess(student("hangs_on_import"), 1.0)
    with pytest.raises(TimedOut):
        proc.load()
    assert proc.pid is None


# -- the lab's printed table -------------------------------------------------------------

LAB_PRINTED = ["7.6", "7.5", "7.0", "4.8", "2.1", "0.82", "0.39", "0.25", "0.19", "0.17",
               "0.16", "0.15", "0.14", "0.14", "0.13", "0.13", "0.13", "0.12", "0.12", "0.12"]


def test_lab_table_comes_from_the_transposed_dw2() -> None:
    """The notebook's printed losses are those of its (2, 1) dW2 broadcast into W2.

    Its training loop, run with the transposed_dw2 student (the lab's own backward
    pass), reproduces every printed figure; W2 ends (2, 2), so the network it
    trained was 3-2-2 averaged into one loss. The engine's 3-2-1 network, trained on
    the same data from the same weights, prints 7.56, 7.28, 6.05, 3.30, ...
    """
    X, y, p = ref.lab_data()
    fbp = load_student(student("transposed_dw2")).function
    W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
    printed = []
    for _ in range(20):
        total = 0.0
        for xi, ti in zip(X, y, strict=True):
            _, loss, dW1, db1, dW2, db2 = fbp(xi, ti, W1, b1, W2, b2)
            total += loss
            W1, W2, b1, b2 = W1 - 0.5 * dW1, W2 - 0.5 * dW2, b1 - 0.5 * db1, b2 - 0.5 * db2
        printed.append(f"{total:.2}")
    assert printed == LAB_PRINTED
    assert W2.shape == (2, 2) and b2.shape == (2,)

    session = build_session(DataOptions(), TrainConfig())
    train(session, 4)
    assert [f"{r.train_loss_sum:.3}" for r in session.epoch_records] == [
        "7.56", "7.28", "6.05", "3.3"]
