"""Hostile students: nothing they try runs in our process, and each gets a verdict in words.

The checker reads the student's process as hostile data (``check/wire.py``): no
pickle, every field checked, every size capped. The student's process has a
memory cap, a fresh working folder and no access to this package
(``check/isolate.py``). Each test here is a student file that attacks one of
those, and what it must end in.
"""

from __future__ import annotations

import io
import json
import os
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from backprop_tui.check import wire
from backprop_tui.check.loader import CallResult, StudentError
from backprop_tui.check.runner import _same, check_file
from backprop_tui.check.sandbox import StudentProcess
from backprop_tui.check.values import max_elements
from backprop_tui.cli import main
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="memory limits and /proc are Linux's")

STUDENTS = Path(__file__).parent / "students"
CORRECT = (STUDENTS / "correct.py").read_text()
RIGHT = "    return pred, loss, np.outer(delta1, x), delta1, np.outer(delta2, a1), delta2"


def write(tmp_path: Path, name: str, source: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def correct_but(tmp_path: Path, name: str, returned: str) -> str:
    """The correct solution with another return line."""
    assert RIGHT in CORRECT
    return write(tmp_path, name, CORRECT.replace(RIGHT, returned))


def lab(samples: int = 3):
    return build_session(DataOptions("lab"), TrainConfig())


PICKLE_ATTACK = """
    import gc, io, os, pickle
    import numpy as np

    class Exploit:
        def __reduce__(self):
            return (exec, ("open(%r, 'w').write('ran')",))

    def forward_backward_pass(x, target, W1, b1, W2, b2):
        payload = pickle.dumps(("result", Exploit()))
        for obj in gc.get_objects():  # the worker's reply stream, found as the issue says
            if isinstance(obj, io.BufferedWriter) and obj.fileno() > 2:
                try:
                    obj.write(payload); obj.flush()
                except Exception:
                    pass
        for fd in range(3, 32):
            try:
                os.write(fd, payload)
            except OSError:
                pass
        return 0.5, 0.1, np.zeros((2, 3)), np.zeros(2), np.zeros((1, 2)), np.zeros(1)
"""


def test_a_pickle_from_the_student_runs_nothing_here(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = write(tmp_path, "attack.py", PICKLE_ATTACK % str(marker))
    report = check_file(lab(), path, 3, 20.0)
    assert not marker.exists()  # under pickle, the checker itself wrote this file
    assert report.status == "crashed"
    assert "wrote over the channel to the checker" in report.message


FORGED = """
    import gc, io, struct
    import numpy as np

    def forward_backward_pass(x, target, W1, b1, W2, b2):
        body = %r.encode()
        for obj in gc.get_objects():
            if isinstance(obj, io.BufferedWriter) and obj.fileno() > 2:
                obj.write(b"BPTW" + struct.pack(">I", len(body)) + body); obj.flush()
        import time; time.sleep(5)
"""


@pytest.mark.parametrize(("message", "words"), [
    (["result", {"values": [{"a": ["|O", [1], "AA=="]}], "returned": "", "raised": None,
                 "mutated": [], "dtypes": []}], "dtype '|O'"),
    (["result", {"values": [{"a": ["<f8", [100000, 100000], ""]}], "returned": "",
                 "raised": None, "mutated": [], "dtypes": []}], "shape is malformed"),
    (["result", {"values": None}], "result's fields"),
    (["ready"], "where a result was due"),
    ([[[[[[]]]]]], "not a message of the protocol"),
])
def test_a_forged_frame_is_refused_in_words(tmp_path: Path, message: object,
                                            words: str) -> None:
    path = write(tmp_path, "forged.py", FORGED % json.dumps(message))
    report = check_file(lab(), path, 3, 20.0)
    assert report.status == "crashed"
    assert "wrote over the channel to the checker" in report.message
    assert words in report.message


def test_a_frame_larger_than_the_cap_is_not_read() -> None:
    big = io.BytesIO()
    wire.write(big, ["x" * 100])
    big.seek(0)
    with pytest.raises(wire.WireError, match="at most 50"):
        wire.read(big, 50)
    nested = io.BytesIO(wire.HEADER.pack(wire.MAGIC, 40000) + b"[" * 40000)
    with pytest.raises(wire.WireError, match="not JSON"):  # not a RecursionError
        wire.read(nested, 10**6)


def test_arrays_cross_bit_for_bit() -> None:
    values = (np.array([np.nan, -0.0, np.inf, 5e-324]), np.arange(6.0).reshape(2, 3), "None",
              np.array(2.5))
    result = CallResult(values, "a tuple of 4 values", None,
                        (("W1", np.full((2, 3), 0.1)),), ("float64", "float64", "", ""))
    sent = io.BytesIO()
    wire.write(sent, wire.encode_result(result))
    sent.seek(0)
    back = wire.decode_result(wire.read(sent, 10**6), 10_000)
    assert np.array_equal(back.values[0], values[0], equal_nan=True)
    assert np.signbit(back.values[0][1])
    assert back.values[1].shape == (2, 3) and back.values[2] == "None"
    assert back.values[3].shape == ()  # a scalar stays a scalar: shape notes depend on it
    assert back.mutated[0][0] == "W1" and back.dtypes == result.dtypes


def test_the_student_who_takes_20_gb_gets_a_verdict(tmp_path: Path) -> None:
    path = write(tmp_path, "hog.py", """
        import numpy as np
        def forward_backward_pass(x, target, W1, b1, W2, b2):
            return np.ones(20 * 2**30 // 8)
    """)
    report = check_file(lab(), path, 3, 20.0)
    assert report.status == "memory" and report.exit_status == 1
    assert "your code used more than 2048 MB of memory" in report.message


def test_memory_grown_step_by_step_and_at_load_is_a_verdict(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    path = write(tmp_path, "grows.py", """
        chunks = []
        while True:
            chunks.append(bytearray(32 * 2**20))
        def forward_backward_pass(x, target, W1, b1, W2, b2):
            pass
    """)
    status = main(["check", path, "--memory", "128"])
    out = capsys.readouterr()
    assert status == 1 and "Traceback" not in out.err
    assert "used more than 128 MB of memory" in " ".join(out.out.split())


def test_the_package_cannot_be_imported_by_the_student(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    path = write(tmp_path, "imports.py", """
        import numpy as np
        from backprop_tui.core.run.session import Session
        def forward_backward_pass(x, target, W1, b1, W2, b2):
            pass
    """)
    assert main(["check", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "(line 3) imports backprop_tui" in err


def test_importing_inside_the_function_is_refused(tmp_path: Path) -> None:
    path = correct_but(tmp_path, "late.py", "    import backprop_tui.core.network.params\n" + RIGHT)
    report = check_file(lab(), path, 3, 20.0)
    assert report.status == "wrong"
    m = report.comparison.mismatch
    assert m.raised is not None and "imports backprop_tui" in m.raised.message


def test_going_around_the_blocker_is_caught(tmp_path: Path) -> None:
    root = str(Path(__file__).resolve().parents[1])
    path = correct_but(tmp_path, "around.py", textwrap.indent(textwrap.dedent(f"""
        import sys
        sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_NoEngine"]
        sys.path.insert(0, {root!r})
        import backprop_tui.core.network.params
    """), "    ") + RIGHT)
    with pytest.raises(StudentError, match="imports backprop_tui"):
        check_file(lab(), path, 3, 20.0)


def test_the_student_runs_in_a_folder_of_its_own(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    record = tmp_path / "where.txt"
    path = correct_but(tmp_path, "writes.py", textwrap.indent(textwrap.dedent(f"""
        import os
        open("dropped.txt", "w").write("x")
        open({str(record)!r}, "w").write(os.getcwd())
    """), "    ") + RIGHT)
    report = check_file(lab(), path, 2, 20.0)
    assert report.status == "ok"
    folder = record.read_text()
    assert folder != str(tmp_path) and "backprop-tui-student-" in folder
    assert not (tmp_path / "dropped.txt").exists()
    assert not os.path.exists(folder)  # removed after the check


@pytest.mark.parametrize("returned", ["np.zeros((6000, 6000))",
                                      "np.broadcast_to(0.0, (20000, 20000))"])
def test_a_huge_wrong_shape_is_reported_in_a_few_lines(tmp_path: Path, returned: str,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    path = correct_but(tmp_path, "huge.py", RIGHT.replace("np.outer(delta1, x)", returned))
    assert main(["check", path]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert len(out) < 4000 and "quantity dW1: wrong shape" in out
    assert "where the engine's has shape (2, 3): a gradient has its parameter's shape" in out


def test_max_elements_bounds_every_returned_array() -> None:
    assert max_elements((np.zeros(3), np.zeros((2, 3)))) == 10_000
    assert max_elements((np.zeros((100, 1000)),)) == 400_000


def test_a_reply_in_the_app_is_bounded_too(tmp_path: Path) -> None:
    """The app's --student reads the same channel (StudentProcess)."""
    marker = tmp_path / "ran"
    path = write(tmp_path, "attack.py", PICKLE_ATTACK % str(marker))
    session = lab()
    from backprop_tui.check.compare import student_args
    from backprop_tui.check.sandbox import Crashed

    with StudentProcess(path, 10.0, quiet=True) as proc:
        proc.load()
        ds = session.dataset
        with pytest.raises(Crashed, match="wrote over the channel"):
            proc.call(student_args(session.params, ds.X_train[0], float(ds.y_train[0])))
    assert not marker.exists()


def test_same_compares_arrays_of_other_values_without_raising() -> None:
    a = CallResult((np.array([1.0, 2.0]), "None"), "a tuple of 2 values")
    b = CallResult((np.array([1.0, 3.0]), "None"), "a tuple of 2 values")
    c = CallResult((np.array([1.0]), "None"), "a tuple of 2 values")
    assert _same(a, a) and not _same(a, b) and not _same(a, c)


def test_float16_code_gets_a_verdict_not_a_crash(tmp_path: Path) -> None:
    source = CORRECT.replace("import numpy as np", "import numpy as np\n_h = np.float16")
    source = source.replace(RIGHT, "    return tuple(np.asarray(v, dtype=np.float16) for v in "
                                   "(pred, loss, np.outer(delta1, x), delta1, "
                                   "np.outer(delta2, a1), delta2))")
    path = write(tmp_path, "half.py", source)
    report = check_file(lab(), path, 4, 20.0)
    assert report.status == "wrong"
