"""The ``check`` loop: the student's function beside the engine, sample after sample.

Both sides get the same parameters before every sample, and the run moves on
with the ENGINE's update, so one wrong gradient shows up once, at the sample
where it first differs, instead of dragging every later sample off as well.
The samples come from the session (its order, shuffle included), so sample i
here is update i in the app and in ``train``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.session import Session
from .compare import SampleComparison, compare_call, student_args
from .loader import RETURNS, one_line, precheck
from .sandbox import Crashed, StudentProcess, TimedOut

STATUS_EXIT = {"ok": 0, "wrong": 1, "timeout": 1, "crashed": 1, "error": 2}


@dataclass(frozen=True)
class SampleInfo:
    """Where a sample sits in the run: update index, epoch, position in it, training row."""

    index: int
    epoch: int
    position: int
    row: int


@dataclass
class CheckReport:
    """The outcome of a whole check, for the text and the JSON report."""

    path: str
    status: str  # "ok", "wrong", "timeout", "crashed" or "error"
    samples_requested: int
    timeout: float
    samples_checked: int = 0
    sample: SampleInfo | None = None
    comparison: SampleComparison | None = None
    message: str = ""
    engine_note: str | None = None
    max_errors: dict[str, float] = field(default_factory=dict)
    max_numeric_errors: dict[str, float] = field(default_factory=dict)

    @property
    def exit_status(self) -> int:
        return STATUS_EXIT[self.status]

    @property
    def samples_matched(self) -> int:
        return self.samples_checked - (1 if self.comparison is not None else 0)

    def note_errors(self, comparison: SampleComparison) -> None:
        """Keep the largest errors of the samples that matched: how close 'ok' really is."""
        for name, q in comparison.quantities.items():
            if q.error is not None:
                self.max_errors[name] = max(self.max_errors.get(name, 0.0), q.error)
            if q.numeric_error is not None:
                self.max_numeric_errors[name] = max(self.max_numeric_errors.get(name, 0.0),
                                                    q.numeric_error)


def check_file(session: Session, path: str, samples: int, timeout: float) -> CheckReport:
    """Load ``path`` in a child process and compare it with the engine on ``samples`` samples.

    Raises StudentError when the file cannot be checked at all (exit status 2).
    """
    precheck(path)
    report = CheckReport(path, "ok", samples, timeout)
    with StudentProcess(path, timeout) as proc:
        try:
            proc.load()
        except TimedOut:
            report.status = "timeout"
            report.message = (f"loading {path} did not finish within {timeout:g} s: top-level "
                              "code that never ends? Put experiments under "
                              "'if __name__ == \"__main__\":'")
            return report
        except Crashed as err:
            report.status = "crashed"
            report.message = f"loading {path} killed the interpreter: {err}"
            return report
        _walk(session, proc, report)
    return report


def _walk(session: Session, proc: StudentProcess, report: CheckReport) -> None:
    ds = session.dataset
    for u in range(report.samples_requested):
        if not session.goto(u, 0):
            report.engine_note = (f"the engine's run diverged before sample {u} (lr "
                                  f"{session.config.lr:g}); only {u} samples could be checked")
            break
        cursor = session.cursor
        info = SampleInfo(u, cursor.epoch, cursor.position, session.row)
        params, x, y = session.params, ds.X_train[info.row], float(ds.y_train[info.row])
        try:
            call = proc.call(student_args(params, x, y))
        except TimedOut:
            report.status, report.sample = "timeout", info
            report.message = (f"forward_backward_pass did not return within the time limit "
                              f"({report.timeout:g} s for the whole check) on sample {u}; it "
                              f"was stopped. An endless loop?")
            return
        except Crashed as err:
            report.status, report.sample = "crashed", info
            report.message = f"forward_backward_pass ended the process on sample {u}: {err}"
            return
        comparison = compare_call(call, params, x, y)
        report.samples_checked = u + 1
        if not comparison.ok:
            report.status, report.sample, report.comparison = "wrong", info, comparison
            m = comparison.mismatch
            assert m is not None
            what = f"{m.quantity} ({m.kind})" if m.quantity else one_line(m.kind)
            report.message = f"first mismatch at sample {u}: {what}"
            return
        report.note_errors(comparison)
    n = report.samples_checked
    report.message = (f"checked {n} sample{'s' if n != 1 else ''}: all quantities match to "
                      f"1e-7 ({', '.join(RETURNS)})")
