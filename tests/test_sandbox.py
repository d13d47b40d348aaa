"""The student's code runs in a process tree of its own, and none of it outlives the check.

Each student file here records the pid of every process it forks in a file;
after the check (or the app's ``close``) every one of them must be gone, within
a bounded wait, whether the check passed, timed out, crashed or the student
tried to escape with ``setsid()``. The forked children only ever sleep a
bounded time, and the teardown kills any that a failing test left behind.
Misbehaving code (BaseException, an exception whose str() fails, endless
recursion, closed descriptors, a signal to its parent) must end in a verdict,
never an internal traceback.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backprop_tui.check.compare import student_args
from backprop_tui.check.runner import check_file
from backprop_tui.check.sandbox import Crashed, StudentProcess, TimedOut
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="process trees are read from /proc")

CORRECT = (Path(__file__).parent / "students" / "correct.py").read_text()
SLEEP = 20  # seconds a forked child lives at most, should everything else fail


def alive(pid: int) -> bool:
    """Running (a zombie is dead: it only waits for its parent to collect it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2:].split()[0] != b"Z"


def wait_gone(pids: list[int], seconds: float = 5.0) -> list[int]:
    """The pids still alive after waiting up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def pidfile(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pids.txt"
    path.touch()
    yield path
    for pid in read_pids(path):  # a failing test must not leave sleepers behind
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def read_pids(path: Path) -> list[int]:
    return [int(p) for p in path.read_text().split()]


def student_file(tmp_path: Path, pidfile: Path, body: str, at_import: str = "") -> str:
    """The correct student plus helpers, ``at_import`` code and a wrapped function."""
    code = CORRECT + textwrap.dedent(f"""

        import os as _os, signal as _signal, time as _time

        def _record(pid):
            with open({str(pidfile)!r}, "a") as f:
                f.write(f"{{pid}}\\n")

        def _spawn(escape=False, depth=1):
            pid = _os.fork()
            if pid == 0:
                if escape:
                    _os.setsid()
                if depth > 1:
                    _spawn(escape, depth - 1)
                _record(_os.getpid())
                _time.sleep({SLEEP})
                _os._exit(0)
            return pid

        _correct = forward_backward_pass
        """)
    code += ("\ndef forward_backward_pass(x, target, W1, b1, W2, b2):\n"
             + textwrap.indent(textwrap.dedent(body), "    ")
             + "\n    return _correct(x, target, W1, b1, W2, b2)\n")
    code += textwrap.dedent(at_import)
    path = tmp_path / "student.py"
    path.write_text(code)
    return str(path)


def first_args() -> tuple[object, ...]:
    session = build_session(DataOptions(), TrainConfig())
    return student_args(session.params, session.dataset.X_train[0],
                        float(session.dataset.y_train[0]))


def check(path: str, samples: int = 3, timeout: float = 10.0):
    session = build_session(DataOptions(), TrainConfig())
    return check_file(session, path, samples, timeout)


def wait_recorded(pidfile: Path, count: int, seconds: float = 5.0) -> list[int]:
    """The forked children write their pid after the fork: wait for them (bounded)."""
    deadline = time.monotonic() + seconds
    while len(pids := read_pids(pidfile)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return pids


CASES = {
    # name: (function body, code at import, children expected, status)
    "fork at import": ("pass", "_spawn()\n", 1, "ok"),
    "fork in every call": ("_spawn()", "", 3, "ok"),
    "grandchildren": ("_spawn(depth=3) if not _os.path.exists('x') else None", "", 3, "ok"),
    "setsid escape": ("_spawn(escape=True, depth=2)", "", 6, "ok"),
    "fork then never return": ("_spawn()\nwhile True: pass", "", 1, "timeout"),
    "fork then die": ("_spawn()\n_os._exit(1)", "", 1, "crashed"),
    "fork then KeyboardInterrupt": ("_spawn()\nraise KeyboardInterrupt", "", 1, "wrong"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_no_process_survives_the_check(tmp_path: Path, pidfile: Path, case: str) -> None:
    body, at_import, children, status = CASES[case]
    path = student_file(tmp_path, pidfile, body, at_import)
    report = check(path, timeout=3.0 if status == "timeout" else 10.0)
    assert report.status == status, report.message
    pids = wait_recorded(pidfile, children)
    assert len(pids) >= children  # the student's processes did start ...
    assert wait_gone(pids) == []  # ... and none of them is left


def test_no_process_survives_the_apps_close(tmp_path: Path, pidfile: Path) -> None:
    """The app's --student path: load, call, close(kill=True) at quit."""
    path = student_file(tmp_path, pidfile, "_spawn(escape=True)", "_spawn()\n")
    proc = StudentProcess(path, 10.0, quiet=True)
    proc.load()
    result = proc.call(first_args())
    assert result.raised is None
    pids = wait_recorded(pidfile, 2)
    guard = proc.pid
    proc.close(kill=True)
    assert wait_gone([*pids, guard]) == []


def test_killing_its_guard_leaves_no_process(tmp_path: Path, pidfile: Path) -> None:
    """SIGKILL to its parent (the guard) still ends the worker and its group."""
    path = student_file(tmp_path, pidfile, "_spawn()\n_os.kill(_os.getppid(), _signal.SIGKILL)"
                        "\n_time.sleep(5)")
    report = check(path)
    assert report.status == "crashed" and "SIGKILL" in report.message
    assert wait_gone(wait_recorded(pidfile, 1)) == []


def test_timeout_and_crash_exceptions_keep_their_api(tmp_path: Path, pidfile: Path) -> None:
    path = student_file(tmp_path, pidfile, "while True: pass")
    with StudentProcess(path, 1.0) as proc:
        proc.load()
        with pytest.raises(TimedOut):
            proc.call(first_args())
        assert proc.remaining == 0.0
    with StudentProcess(student_file(tmp_path, pidfile, "_os._exit(3)"), 5.0) as proc:
        proc.load()
        with pytest.raises(Crashed, match="exit code 3"):
            proc.call(first_args())


def run_check(path: str) -> subprocess.CompletedProcess[str]:
    # its own session: were the guard to fail, a stray SIGINT must not reach pytest
    return subprocess.run([sys.executable, "-m", "backprop_tui", "check", path, "--samples", "3"],
                          capture_output=True, text=True, timeout=120, start_new_session=True)


def test_sigterm_to_the_parent_is_not_the_sandboxs_cue(tmp_path: Path, pidfile: Path) -> None:
    """SIGTERM tells the guard to bury the tree, but only when the sandbox sends it: a
    student's SIGTERM to its parent, followed by slow work, must not end the check."""
    path = student_file(tmp_path, pidfile, "_os.kill(_os.getppid(), _signal.SIGTERM)\n"
                        "_time.sleep(0.3)")
    proc = run_check(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all quantities match" in proc.stdout


def test_signal_to_the_parent_does_not_take_check_down(tmp_path: Path, pidfile: Path) -> None:
    path = student_file(tmp_path, pidfile, "_os.kill(_os.getppid(), _signal.SIGINT)\n"
                        "_os.kill(_os.getppid(), _signal.SIGTERM)\n"
                        "_os.kill(_os.getppid(), _signal.SIGHUP)")
    proc = run_check(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all quantities match" in proc.stdout


MISBEHAVIOUR = {
    "KeyboardInterrupt": ("raise KeyboardInterrupt", "raised: KeyboardInterrupt"),
    "BaseException": ("class Boom(BaseException): pass\nraise Boom('out')",
                      "raised: Boom: out"),
    "unprintable": ("class Bad(Exception):\n    def __str__(self): raise ValueError\nraise Bad()",
                    "Bad: (its message could not be shown: str() raised ValueError)"),
    "GeneratorExit": ("raise GeneratorExit", "raised: GeneratorExit"),
    "SystemExit": ("raise SystemExit(4)", "raised: SystemExit: 4"),
    "closed fds 0-2": ("_os.close(0); _os.close(1); _os.close(2)\nraise ValueError('x')",
                       "raised: ValueError: x"),
    "closed every fd": ("_os.closerange(0, 1000)", "closed or wrote over the channel"),
    "garbage on the channel": ("_os.write(4, b'garbage' * 100)\n_time.sleep(0.2)",
                               "forward_backward_pass ended the process"),
}


@pytest.mark.parametrize("case", list(MISBEHAVIOUR))
def test_misbehaviour_is_a_verdict_without_internal_traceback(tmp_path: Path, pidfile: Path,
                                                              case: str) -> None:
    body, words = MISBEHAVIOUR[case]
    proc = run_check(student_file(tmp_path, pidfile, body))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert words in " ".join(proc.stdout.split())  # the report wraps long lines
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "worker.py" not in proc.stdout + proc.stderr


def test_endless_recursion_is_folded(tmp_path: Path, pidfile: Path) -> None:
    path = student_file(tmp_path, pidfile, "def again(n):\n    return again(n + 1)\nagain(0)")
    proc = run_check(path)
    assert proc.returncode == 1 and "RecursionError" in proc.stdout
    assert len(proc.stdout) < 3000, proc.stdout
    assert "repeated frames" in proc.stdout
    assert proc.stdout.count("return again(n + 1)") == 6  # three first, three last


def test_keyboard_interrupt_at_import_is_one_line(tmp_path: Path, pidfile: Path) -> None:
    path = student_file(tmp_path, pidfile, "pass", "raise KeyboardInterrupt\n")
    proc = run_check(path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "raised KeyboardInterrupt" in proc.stderr
    assert "while loading (put" in proc.stderr


def test_no_process_survives_a_killed_check(tmp_path: Path, pidfile: Path) -> None:
    """check itself killed (SIGKILL, no cleanup of ours runs): the guard buries the tree."""
    path = student_file(tmp_path, pidfile, "_record(_os.getpid())\n_spawn(escape=True)\n"
                        "while True: pass", "_spawn()\n")
    check = subprocess.Popen([sys.executable, "-m", "backprop_tui", "check", path, "--timeout",
                              "60"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        pids = wait_recorded(pidfile, 3, seconds=60)  # the worker and two children
        assert len(pids) == 3
    finally:
        check.kill()
        check.wait(10)
    assert wait_gone(pids) == []


def test_huge_student_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.py"
    with open(path, "wb") as f:
        f.truncate(11 * 2**20)  # sparse: no disk used
    proc = subprocess.run([sys.executable, "-m", "backprop_tui", "check", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("11 MiB of source, more than the 10 MiB a student's "
                                        "file may have")
