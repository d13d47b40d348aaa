"""The ``check`` loop: the student's function beside the engine, sample after sample.

Both sides get the same parameters before every sample, and the run moves on
with the ENGINE's update, so one wrong gradient shows up once, at the sample
where it first differs, instead of dragging every later sample off as well.
The samples come from the session (its order, shuffle included), so sample k
here is the k-th update in the app and in ``train``; by default the walk covers
two passes over the data when that is cheap, so a result remembered from the
first epoch meets its sample again with other weights.

A function must depend on its arguments only. The first sample is therefore
asked twice more: with the same arguments (a counter or a growing global shows),
and with the same x under the next sample's weights (a cache shows). When a later
sample fails although the first matched, it is asked again, first thing, in a
fresh process: if it is right there, the calls before changed the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.network.params import Params
from ..core.run.session import Session
from . import state
from .compare import Mismatch, SampleComparison, compare_call, student_args
from .diagnose import UNEXPLAINED
from .loader import PARAMETERS, RETURNS, CallResult, StudentError, one_line, precheck
from .names import lab_only, label
from .sandbox import DEFAULT_MEMORY_MB, Crashed, OverMemory, StudentProcess, TimedOut

STATUS_EXIT = {"ok": 0, "wrong": 1, "timeout": 1, "crashed": 1, "memory": 1, "error": 2}
TWO_PASSES_UP_TO = 1000  # samples: two epochs by default while two epochs are this cheap


def default_samples(n_train: int) -> int:
    """Two passes over the training rows when that is at most TWO_PASSES_UP_TO samples, else one."""
    return 2 * n_train if 2 * n_train <= TWO_PASSES_UP_TO else n_train


@dataclass(frozen=True)
class SampleInfo:
    """Where a sample sits in the run: 0-based update index, epoch, position in it, training row.

    People count samples from 1 (``number``, ``number_in_epoch``); rows and epochs
    are shown 0-based, as the lab prints epochs and numpy indexes rows.
    """

    index: int
    epoch: int
    position: int
    row: int
    per_epoch: int = 0

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def text(self) -> str:
        """'sample 1 (epoch 0, row 0)'; past the first epoch also the app's 'sample i/N'."""
        if self.epoch == 0 or not self.per_epoch:
            return f"sample {self.number} (epoch {self.epoch}, row {self.row})"
        return (f"sample {self.number} (epoch {self.epoch}, sample {self.position + 1}/"
                f"{self.per_epoch} of the epoch, row {self.row})")


@dataclass
class CheckReport:
    """The outcome of a whole check, for the text and the JSON report."""

    path: str
    status: str  # "ok", "wrong", "timeout", "crashed", "memory" or "error"
    samples_requested: int
    timeout: float
    samples_checked: int = 0
    sample: SampleInfo | None = None
    comparison: SampleComparison | None = None
    message: str = ""
    engine_note: str | None = None
    notes: list[str] = field(default_factory=list)
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
        for note in comparison.notes:
            if note not in self.notes:
                self.notes.append(note)

    def fail(self, info: SampleInfo, comparison: SampleComparison) -> None:
        m = comparison.mismatch
        assert m is not None
        self.status, self.sample, self.comparison = "wrong", info, comparison
        what = f"{m.quantity} ({m.kind})" if m.quantity else one_line(m.kind)
        self.message = f"first mismatch at {info.text}: {what}"


def check_file(session: Session, path: str, samples: int, timeout: float,
               memory_mb: float = DEFAULT_MEMORY_MB) -> CheckReport:
    """Load ``path`` in a child process and compare it with the engine on ``samples`` samples.

    Raises StudentError when the file cannot be checked at all (exit status 2): the
    session is not the lab's network, or the student's code imports this package
    (sandbox.EngineUsed).
    """
    if (refused := lab_only(session.arch)) is not None:
        raise StudentError(refused)
    precheck(path)
    report = CheckReport(path, "ok", samples, timeout)
    with StudentProcess(path, timeout, memory_mb=memory_mb) as proc:
        try:
            proc.load()
        except OverMemory as err:
            report.status = "memory"
            report.message = f"loading {path}: {err}"
            return report
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


def _info(session: Session, u: int) -> SampleInfo:
    c = session.cursor
    return SampleInfo(u, c.epoch, c.position, session.row, session.n)


def _walk(session: Session, proc: StudentProcess, report: CheckReport) -> None:
    ds = session.dataset
    first: tuple[SampleInfo, tuple[object, ...]] | None = None
    for u in range(report.samples_requested):
        if not session.goto(u, 0):
            report.engine_note = (f"the engine's run diverged before sample {u + 1} (lr "
                                  f"{session.config.lr:g}); only {u} samples could be checked")
            break
        info = _info(session, u)
        params, x, y = session.params, ds.X_train[info.row], float(ds.y_train[info.row])
        args = student_args(params, x, y)
        try:
            call = proc.call(args)
            comparison = compare_call(call, params, x, y, lr=session.lr)
            report.samples_checked = u + 1
            if not comparison.ok:
                if first is not None and comparison.mismatch is not None and \
                        comparison.mismatch.kind in ("value", "shape", "missing", "non-finite"):
                    comparison = _later(proc, first[0], info, comparison, args, params, x, y)
                comparison = _unused(proc, comparison, call, args)
                report.fail(info, comparison)
                return
            if first is None:
                first = (info, args)
                probe = _probe(session, proc, info, call, params, x, y)
                if probe is not None:
                    report.fail(info, probe)
                    return
        except TimedOut:
            report.status, report.sample, report.samples_checked = "timeout", info, u
            report.message = (f"forward_backward_pass did not return within the time limit "
                              f"({report.timeout:g} s for the whole check) on {info.text}; it "
                              f"was stopped. An endless loop?")
            return
        except OverMemory as err:
            report.status, report.sample, report.samples_checked = "memory", info, u
            report.message = f"forward_backward_pass on {info.text}: {err}"
            return
        except Crashed as err:
            report.status, report.sample, report.samples_checked = "crashed", info, u
            report.message = f"forward_backward_pass ended the process on {info.text}: {err}"
            return
        report.note_errors(comparison)
    n = report.samples_checked
    report.message = (f"checked {n} sample{'s' if n != 1 else ''}: all quantities match the "
                      f"engine's exact values to 1e-7: {', '.join(label(k) for k in RETURNS)}")


def _same(a: CallResult, b: CallResult) -> bool:
    """Whether two calls returned the same: arrays equal bit for bit (nan too), words equal."""
    if a.values is None or b.values is None or len(a.values) != len(b.values):
        return a.returned == b.returned
    return all(_same_value(p, q) for p, q in zip(a.values, b.values, strict=True))


def _same_value(p: np.ndarray | str, q: np.ndarray | str) -> bool:
    if isinstance(p, np.ndarray) and isinstance(q, np.ndarray):
        return p.shape == q.shape and np.array_equal(p, q, equal_nan=True)
    return isinstance(p, str) and isinstance(q, str) and p == q


def _probe(session: Session, proc: StudentProcess, info: SampleInfo, call: CallResult,
           params: Params, x: np.ndarray, y: float) -> SampleComparison | None:
    """Ask the first sample again: same arguments, then same x with the next weights."""
    again = proc.call(student_args(params, x, y))
    if not _same(call, again):
        return _as_state(compare_call(again, params, x, y), state.explain_repeat(info.text))
    if not session.goto(info.index + 1, 0):
        return None
    moved = session.params
    later = proc.call(student_args(moved, x, y))
    comparison = compare_call(later, moved, x, y)
    if comparison.ok:
        return None
    if _same(call, later):
        return _as_state(comparison, state.explain_stale(info.text, True))
    if _fresh(proc, student_args(moved, x, y), moved, x, y):
        return _as_state(comparison, state.explain_stale(info.text, False))
    return None  # a slip that the next weights expose; the walk meets it at the next sample


def _fresh(proc: StudentProcess, args: tuple[object, ...], params: Params, x: np.ndarray,
           y: float) -> bool | None:
    """Whether a fresh process, asked this first, gets it right (None: could not tell)."""
    budget = max(proc.remaining, 1.0)
    other = StudentProcess(proc.path, budget, quiet=True, memory_mb=proc.memory_mb)
    try:
        with other:
            other.load()
            call = other.call(args)
    except (TimedOut, Crashed, StudentError):
        return None
    finally:
        proc.remaining -= budget - max(other.remaining, 0.0)
    return compare_call(call, params, x, y, numeric=False).ok


def _unused(proc: StudentProcess, comparison: SampleComparison, call: CallResult,
            args: tuple[object, ...]) -> SampleComparison:
    """For a mismatch no slip explains: does the function ignore one of its arguments?"""
    m = comparison.mismatch
    if m is None or m.kind != "value" or UNEXPLAINED not in m.explanation:
        return comparison
    ignored = []
    for i, name in enumerate(PARAMETERS):
        if i == 1:
            continue  # the target is a plain number; a changed target is not a test of W
        moved = list(args)
        moved[i] = np.asarray(args[i], dtype=float) + 0.25
        if _same(call, proc.call(tuple(moved))):
            ignored.append(name)
    if not ignored:
        return comparison
    return SampleComparison(comparison.quantities, Mismatch(
        m.quantity, m.kind, f"{state.explain_ignored(ignored)} ({m.explanation})", m.raised),
        comparison.returned, comparison.deltas, comparison.origin, comparison.notes)


def _as_state(comparison: SampleComparison, words: str) -> SampleComparison:
    return SampleComparison(comparison.quantities, Mismatch(None, "state", words),
                            comparison.returned, comparison.deltas, None, comparison.notes)


def _later(proc: StudentProcess, first: SampleInfo, info: SampleInfo,
           comparison: SampleComparison, args: tuple[object, ...], params: Params,
           x: np.ndarray, y: float) -> SampleComparison:
    """A later sample failed after the first matched: is it state? Ask a fresh process."""
    m = comparison.mismatch
    assert m is not None
    fresh = _fresh(proc, args, params, x, y)
    if fresh:
        return _as_state(comparison, state.explain_later_state(first.text, info.text, True))
    if fresh is None and UNEXPLAINED in m.explanation:
        words = state.explain_later_state(first.text, info.text, None)
        return SampleComparison(comparison.quantities, Mismatch(
            m.quantity, m.kind, f"{m.explanation} Also: {words}", m.raised),
            comparison.returned, comparison.deltas, comparison.origin, comparison.notes)
    return comparison
