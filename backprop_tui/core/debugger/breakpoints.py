"""Breakpoints: stop the run where a condition becomes true, or where it diverges.

``run_until`` moves the session forward position by position (update u, phase
k) from just after the cursor, and stops at the first position where an enabled
breakpoint fires (its condition holds there and did not at the position before,
so continuing from a stop goes on to the next occurrence, as pudb's ``c`` does),
at the first non-finite value (the built-in breakpoint: the
timeline already refuses to go past a divergence), at the target, or when
cancelled. The cursor is left there, and the :class:`Stop` reads the session's
own values at that position, so the line it gives matches the screen. The
search itself (:mod:`.scan`) is as cheap as the conditions allow.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ..network.netphases import Net
from ..network.phases import lab_net
from ..run.timeline import CancelFn
from .conditions import NOT_YET, Condition, context_at
from .scan import Scanner, nonfinite_phase

MAX_BREAKPOINTS = 32
CHUNK = 256            # updates between progress reports and cancel polls
POSITION_CHUNK = 8192  # the same when no value is read: a chunk costs microseconds
BREAKPOINT, DIVERGED, TARGET, CANCELLED = "breakpoint", "diverged", "target", "cancelled"


@dataclass
class Breakpoint:
    """A condition the run stops at; ``hits`` counts the stops it caused."""

    condition: Condition
    enabled: bool = True
    hits: int = 0

    @property
    def text(self) -> str:
        return self.condition.text


class Breakpoints:
    """The session's breakpoints, in the order added (indices from 0)."""

    def __init__(self) -> None:
        self._items: list[Breakpoint] = []

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Breakpoint]:
        return iter(self._items)

    def __getitem__(self, i: int) -> Breakpoint:
        return self._items[self._index(i)]

    def _index(self, i: int) -> int:
        if not 0 <= i < len(self._items):
            raise ValueError(f"no breakpoint {i + 1} (there are {len(self._items)})")
        return i

    def add(self, condition: Condition) -> Breakpoint:
        """Append one; ValueError (one line) when full, a duplicate or not a truth value."""
        self.check(condition)
        bp = Breakpoint(condition)
        self._items.append(bp)
        return bp

    def check(self, condition: Condition) -> None:
        """What :meth:`add` refuses, without adding (a dialog says it as one types)."""
        if not condition.is_scalar:
            raise ValueError(f"a breakpoint needs a truth value, but {condition.text} has "
                             f"shape {condition.shape} (compare it, e.g. norm(...) > 1)")
        if not _is_test(condition.text):  # `L` alone holds wherever L is not 0: a slip
            raise ValueError(f"{condition.text} is a value, not a condition: compare it "
                             f"(e.g. {condition.text} < 0.01), or watch it with w")
        for i, b in enumerate(self._items):
            if b.condition.key == condition.key:
                raise ValueError(f"breakpoint {i + 1} already stops at {b.text}")
        if len(self._items) >= MAX_BREAKPOINTS:
            raise ValueError(f"at most {MAX_BREAKPOINTS} breakpoints: delete one first")

    def enable(self, i: int) -> None:
        self[i].enabled = True

    def disable(self, i: int) -> None:
        self[i].enabled = False

    def toggle(self, i: int) -> bool:
        """Flip one on or off; returns whether it is now enabled."""
        bp = self[i]
        bp.enabled = not bp.enabled
        return bp.enabled

    def delete(self, i: int) -> Breakpoint:
        return self._items.pop(self._index(i))

    def enabled(self) -> list[Breakpoint]:
        return [b for b in self._items if b.enabled]


def _is_test(text: str) -> bool:
    """Whether the condition (already checked) is a comparison, and/or/not, or finite(...)."""
    node = ast.parse(text.strip(), mode="eval").body
    return (isinstance(node, ast.Compare | ast.BoolOp)
            or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not))
            or (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "finite"))


def format_value(value: object) -> str:
    """A value for the one-line stop message: 6 significant digits, arrays kept short."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4, threshold=6, max_line_width=10_000
                               ).replace("\n", "")
    return f"{value:.6g}" if isinstance(value, float | int | np.floating) else str(value)


@dataclass(frozen=True)
class Stop:
    """Where and why :func:`run_until` stopped; the session's cursor is at (update, phase)."""

    reason: str                   # BREAKPOINT, DIVERGED, TARGET or CANCELLED
    update: int
    phase: int
    n: int                        # samples per epoch, to say the position as the app does
    breakpoint: Breakpoint | None = None
    values: tuple[tuple[str, object], ...] = field(default=())
    note: str = ""                # the divergence's explanation
    net: Net | None = field(default=None, repr=False, compare=False)  # the lab's if None

    def _key(self) -> str:
        """The name of the phase it stopped at, in the session's network."""
        return (self.net or lab_net()).phases[self.phase].key

    @property
    def text(self) -> str:
        return self.breakpoint.text if self.breakpoint else ("non-finite" if
                                                             self.reason == DIVERGED else "")

    def where(self) -> str:
        return (f"epoch {self.update // self.n}, sample {self.update % self.n + 1}, "
                f"phase {self._key()}")

    def describe(self) -> str:
        """One line for the screen, e.g. ``stopped: L < 0.01 (L = 0.00987)``."""
        if self.reason == BREAKPOINT:
            shown = ", ".join(f"{t} = {format_value(v)}" for t, v in self.values
                              if v is not NOT_YET)
            return f"stopped: {self.text}" + (f" ({shown})" if shown else "")
        if self.reason == DIVERGED:
            return f"stopped: first non-finite value (phase {self._key()}): {self.note}"
        if self.reason == CANCELLED:
            return f"cancelled at {self.where()}"
        return f"reached {self.where()}: no breakpoint held"


def run_until(
    session,
    breakpoints: Breakpoints | Iterable[Breakpoint],
    target_update: int,
    progress: Callable[[int, int], None] | None = None,
    cancel: CancelFn | None = None,
) -> Stop:
    """Move forward from just after the cursor to the first position where an enabled
    breakpoint fires, the first non-finite value, or (target_update, phase 0).

    The target is included: a breakpoint firing at (target_update, 0) is reported as
    such. With no enabled breakpoint this is one plain run (as ``run_epochs``).
    ``progress(done, total)`` counts updates; ``cancel()`` is polled every few hundred
    updates (a cancel leaves the cursor at the start of the first update not searched).
    """
    active = [b for b in breakpoints if b.enabled]
    c, last_phase = session.cursor, session.net.update_phase
    u0, lo = (c.update, c.phase + 1) if c.phase < last_phase else (c.update + 1, 0)
    tl = session.timeline
    last = target_update if tl.limit is None else min(target_update, tl.limit)
    total = max(target_update - c.update, 0)

    def report(head: int) -> None:
        if progress is not None:
            progress(min(head, target_update) - c.update, total)

    if not active and u0 <= last:  # nothing to look at: one run, as fast as run_epochs
        tl.advance(target_update, report, cancel)
        if tl.limit is None and tl.head < target_update:
            return _stop(session, CANCELLED, active, tl.head, 0)
        u0 = last + 1
    scanner = Scanner(session, [b.condition for b in active], u0) if u0 <= last else None
    chunk = CHUNK if scanner is None or scanner.tier != "position" else POSITION_CHUNK
    u = u0
    while scanner is not None and u <= last:
        end = min(u + chunk, last + 1)
        if cancel is not None and cancel():
            return _stop(session, CANCELLED, active, u, 0)
        hit = None
        if scanner.tier == "position":  # find the hit first: no values are needed for it
            hit = _scan(scanner, u, end, u0, lo, target_update, None)
        to = min(end if hit is None else hit[0] + (hit[1] > 0), target_update)
        if scanner.tier == "position":  # a long chunk: the timeline reports and polls
            tl.advance(to, report, cancel)
        else:
            tl.advance(to)
        d = tl.limit
        if d is None and tl.head < to:  # cancelled inside: positions before head were searched
            return _stop(session, CANCELLED, active, max(u, tl.head), 0)
        if scanner.tier != "position":
            hit = _scan(scanner, u, end if d is None else min(end, d + 1), u0, lo,
                        target_update, d)
        if d is not None and d < end:
            k_bad = nonfinite_phase(session, d)
            if hit is None or (hit[0], hit[1]) > (d, k_bad):
                return _stop(session, DIVERGED, active, d, k_bad)
        if hit is not None:
            return _stop(session, BREAKPOINT, active, hit[0], hit[1], active[hit[2]])
        report(end)
        u = end
    if tl.limit is not None and tl.limit < target_update:  # the cursor is past the last value
        return _stop(session, DIVERGED, active, tl.limit, nonfinite_phase(session, tl.limit))
    return _stop(session, TARGET, active, target_update, 0)


def _scan(scanner: Scanner, start: int, end: int, u0: int, lo: int, target: int,
          diverges: int | None) -> tuple[int, int, int] | None:
    """The first hit in updates [start, end); the scanner is left at the update after."""
    last = scanner.net.update_phase
    for u in range(start, end):
        found = scanner.check(u, lo if u == u0 else 0, 0 if u == target else last)
        if found is not None:
            return u, found[0], found[1]
        if u != diverges:
            scanner.step()
    return None


def _stop(session, reason: str, active: list[Breakpoint], update: int, phase: int,
          fired: Breakpoint | None = None) -> Stop:
    """Move the cursor there (never backwards) and describe it from the session's values."""
    c = session.cursor
    if (update, phase) > (c.update, c.phase):
        session.goto(update, phase)
    c = session.cursor
    values: tuple[tuple[str, object], ...] = ()
    note = ""
    if reason == BREAKPOINT:
        fired.hits += 1
        values = tuple(fired.condition.term_values(context_at(session)))
    elif reason == DIVERGED and session.divergence is not None:
        note = session.divergence.message
    return Stop(reason, c.update, c.phase, session.n, fired, values, note, session.net)
