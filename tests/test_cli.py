"""``backprop-tui train`` as a student runs it: in a real subprocess, output and exit codes.

A student's first contact is often a typo; every bad input must give one clear
line and exit status 2, never a traceback. A diverging run must say so with
exit status 3, and the headless path must not pay for importing Textual.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import reference as ref

GOOD_CSV = "a,b,c,t\n" + "".join(f"{i % 7 / 7},{i % 5 / 5},{i % 3 / 3},{i % 4 / 4}\n"
                                  for i in range(30))


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backprop_tui", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def test_train_text_output_has_twenty_epoch_lines() -> None:
    proc = run("train")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    epoch_lines = [ln for ln in lines if ln.split() and ln.split()[0].isdigit()]
    assert [int(ln.split()[0]) for ln in epoch_lines] == list(range(20))
    X, y, p = ref.lab_data()
    sums, _, _ = ref.sgd(X, y, p, 0.5, 20)
    assert float(epoch_lines[-1].split()[1]) == pytest.approx(sums[-1], rel=1e-5)
    assert all(ln.split()[3] == "-" for ln in epoch_lines)   # no test rows in the lab
    # The lab's own table differs, and the output says why where a student compares them.
    assert lines[-1].startswith("note: the lab's handout prints 7.6, 7.5, 7.0")
    assert "broadcasts W2 to (2, 2)" in lines[-1]


def test_train_json_shape() -> None:
    proc = run("train", "--json", "--epochs", "3", "--hidden", "4", "--test-fraction", "0.1")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert set(doc) == {"config", "initial_train_loss", "epochs", "params", "diverged"}
    assert doc["diverged"] is None
    assert doc["config"]["hidden"] == 4 and doc["config"]["epochs"] == 3
    assert isinstance(doc["initial_train_loss"], float)
    assert [e["epoch"] for e in doc["epochs"]] == [0, 1, 2]
    for e in doc["epochs"]:
        assert set(e) == {"epoch", "train_loss_sum", "train_loss", "test_loss"}
        assert all(isinstance(e[k], float) for k in ("train_loss_sum", "train_loss", "test_loss"))
        assert e["train_loss"] == pytest.approx(e["train_loss_sum"] / 180, rel=1e-12)
    shapes = {k: np.asarray(v).shape for k, v in doc["params"].items()}
    assert shapes == {"W1": (4, 3), "b1": (4,), "W2": (1, 4), "b2": (1,)}


def test_train_json_matches_reference_and_has_no_test_loss_without_split() -> None:
    proc = run("train", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    X, y, p = ref.lab_data()
    sums, _, final = ref.sgd(X, y, p, 0.5, 20)
    np.testing.assert_allclose([e["train_loss_sum"] for e in doc["epochs"]], sums, rtol=1e-12)
    assert all(e["test_loss"] is None for e in doc["epochs"])
    for name, value in final.items():
        np.testing.assert_allclose(doc["params"][name], value, rtol=1e-12, atol=1e-15)


BAD_FILES: dict[str, str | bytes] = {
    "empty.csv": "",
    "ragged.csv": "a,b,c,t\n1,2,3,0.5\n1,2\n4,5,6,0.5\n",
    "nonnumeric.csv": "a,b,c,t\n1,2,3,0.5\n1,two,3,0.5\n4,5,6,0.5\n",
    "nan.csv": "a,b,c,t\n1,2,3,0.5\n1,2,nan,0.5\n4,5,6,0.5\n",
    "few.csv": "a,b,c,t\n1,2,3,0.5\n",
    "binary.csv": b"\x00\x01\x02\x03PK\xff\xfe",
}


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("backprop-tui: error:"), lines[0]
    return lines[0]


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_data_file(tmp_path: Path, name: str) -> None:
    content = BAD_FILES[name]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    line = assert_one_line_error(run("train", "--dataset", str(path), "--epochs", "1"))
    assert name in line


def test_missing_file(tmp_path: Path) -> None:
    line = assert_one_line_error(run("train", "--dataset", str(tmp_path / "nope.csv")))
    assert "nope.csv" in line


def test_unknown_dataset_name(tmp_path: Path) -> None:
    """A name that is neither lab, iris nor a file (run where no such file exists)."""
    line = assert_one_line_error(run("train", "--dataset", "irsi", cwd=tmp_path))
    assert "irsi" in line


@pytest.mark.parametrize("option", ["--target", "--inputs"])
def test_unknown_column(tmp_path: Path, option: str) -> None:
    path = tmp_path / "good.csv"
    path.write_text(GOOD_CSV)
    line = assert_one_line_error(run("train", "--dataset", str(path), option, "zz"))
    assert "zz" in line


@pytest.mark.parametrize("args", [
    ["--lr", "nan"], ["--lr", "inf"], ["--lr", "0"], ["--lr", "-0.5"], ["--lr", "abc"],
    ["--epochs", "-1"], ["--epochs", "2.5"], ["--epochs", str(10**9 + 1)],
    ["--epochs", "9" * 400], ["--hidden", "0"], ["--seed", "-1"],
    ["--seed", str(2**32)], ["--test-fraction", "1.0"], ["--test-fraction", "-0.1"],
    ["--init-scale", "nan"], ["--bogus"], ["--dataset"],
], ids=lambda a: " ".join(a))
def test_bad_option(args: list[str]) -> None:
    assert_one_line_error(run("train", *args))


def test_bad_option_on_the_app_path_fails_before_any_terminal_use() -> None:
    assert_one_line_error(run("--lr", "0"))


def test_diverging_run_exits_3(tmp_path: Path) -> None:
    """Zero weights predict 0.5 = target for 20 rows, then target 1e4 at lr 1e307 overflows."""
    rows = ["a,b,c,t"] + [f"{i / 20},{-i / 20},0.1,0.5" for i in range(20)] + ["1,1,1,10000"]
    path = tmp_path / "diverge.csv"
    path.write_text("\n".join(rows) + "\n")
    proc = run("train", "--dataset", str(path), "--test-fraction", "0", "--lr", "1e307",
               "--init-scale", "0", "--epochs", "2")
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    messages = [ln for ln in proc.stderr.splitlines() if "diverged" in ln]
    assert len(messages) == 1 and "epoch 0, sample 21 (row 20)" in messages[0]
    assert messages[0].startswith("backprop-tui: ")
    json_proc = run("train", "--dataset", str(path), "--test-fraction", "0", "--lr", "1e307",
                    "--init-scale", "0", "--json")
    assert json_proc.returncode == 3
    doc = json.loads(json_proc.stdout)
    assert "epoch 0, sample 21 (row 20)" in doc["diverged"] and doc["epochs"] == []
    assert np.all(np.isfinite(np.asarray(doc["params"]["W2"])))


def test_train_help() -> None:
    proc = run("train", "--help")
    assert proc.returncode == 0 and proc.stderr == ""
    for option in ("--dataset", "--lr", "--epochs", "--hidden", "--json", "--test-fraction"):
        assert option in proc.stdout


def test_headless_train_does_not_import_textual() -> None:
    code = ("import sys; from backprop_tui.cli import main; "
            "rc = main(['train', '--epochs', '1']); "
            "assert rc == 0, rc; assert 'textual' not in sys.modules, 'textual imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_json_stays_strict_when_a_loss_overflows(tmp_path: Path) -> None:
    """A target of 1e200 squares to inf: strict JSON has no Infinity, so it becomes null."""
    data = tmp_path / "huge_target.csv"
    data.write_text("a,y\n0.1,1e200\n0.2,0.5\n0.3,0.4\n")
    proc = run("train", "--dataset", str(data), "--test-fraction", "0", "--epochs", "1", "--json")

    def reject(constant: str) -> None:
        raise AssertionError(f"non-standard JSON constant {constant}")

    doc = json.loads(proc.stdout, parse_constant=reject)
    assert doc["initial_train_loss"] is None


def test_train_into_a_closed_pipe_prints_no_traceback() -> None:
    proc = subprocess.run(f"{sys.executable} -m backprop_tui train --epochs 2000 | head -1",
                          shell=True, capture_output=True, text=True)
    assert "Traceback" not in proc.stderr
    assert proc.stdout.startswith("dataset lab")


def test_normalize_overflow_is_said_in_words_without_numpy_warnings(tmp_path: Path) -> None:
    csv = tmp_path / "huge.csv"
    csv.write_text("a,b,t\n" + "".join(f"{(-1) ** i * 1.7e308},{i / 20},{i % 2}\n"
                                       for i in range(20)))
    proc = run("train", "--dataset", str(csv), "--normalize", "--epochs", "2")
    assert proc.returncode == 2, proc.stderr
    assert "RuntimeWarning" not in proc.stderr and "diverged" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("backprop-tui: error: "), proc.stderr
    assert "column 'a'" in lines[0] and "rescale" in lines[0]


def test_inputs_that_saturate_the_units_are_blamed_not_the_init_scale(tmp_path: Path) -> None:
    """Huge inputs saturated every unit and the warning advised --init-scale 0.1, the scale
    already in use; the inputs are the cause, and --normalize the cure."""
    csv = tmp_path / "big.csv"
    csv.write_text("a,b,t\n" + "".join(f"{(i + 1) * 1e6},{i / 20},{i % 2}\n"
                                       for i in range(20)))
    proc = run("train", "--dataset", str(csv), "--epochs", "1")
    assert proc.returncode == 0, proc.stderr
    [warning] = [ln for ln in proc.stderr.splitlines() if "warning" in ln]
    assert "the inputs reach 1.9e+07" in warning and "try --normalize" in warning, warning
    assert "--init-scale" not in warning and "RuntimeWarning" not in proc.stderr
