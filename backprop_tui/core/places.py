"""Places in a run, as a person types them: ``3 17``, ``3 17 dW2``, ``3:17 z1``.

The go-to key (``:``) reads a place in the app's own counting, the one the
title line shows: epochs from 0, samples 1..N within an epoch, and a phase by
name or by its number 1..11. A place far ahead is reached by running the
trainer there, with the same progress and cancel as a run of epochs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .phases import PHASE_INDEX, PHASES, phase_hint
from .session import Cursor, RunResult, Session
from .timeline import CancelFn

MAX_AHEAD = 100_000_000
"""Updates a go-to may run forward: a typo of a few extra digits is said, not run for hours."""
MAX_TEXT = 100


class PlaceError(ValueError):
    """A place that cannot be read or reached, in one line."""


@dataclass(frozen=True)
class Place(Cursor):
    """Where a go-to leads: a cursor position (update u = epoch * N + sample - 1, phase)."""

    @property
    def sample(self) -> int:
        return self.position + 1

    def describe(self) -> str:
        return f"epoch {self.epoch}, sample {self.sample}/{self.n}, phase {PHASES[self.phase].key}"


def _phase(word: str) -> int:
    if word.isascii() and word.isdigit():
        k = int(word)
        if 1 <= k <= len(PHASES):
            return k - 1
        raise PlaceError(f"phase {word}: phases are numbered 1 to {len(PHASES)}")
    alias = {"pred": "y_hat", "loss": "L", "grad_output": "delta2", "grad_hidden": "delta1",
             "db2": "dW2", "db1": "dW1"}.get(word, word)
    if alias in PHASE_INDEX:
        return PHASE_INDEX[alias]
    raise PlaceError(f"unknown phase {word!r}{phase_hint(word)}")


def parse_place(text: str, n: int) -> Place:
    """``epoch sample [phase]`` (also ``epoch:sample``) in the app's counting.

    A lone number is an epoch's first sample; the phase defaults to the first
    (load sample). Raises PlaceError with a one-line reason.
    """
    if len(text) > MAX_TEXT:
        raise PlaceError(f"a place is at most {MAX_TEXT} characters, like '3 17 dW2'")
    words = re.split(r"[\s,:]+", text.strip())
    words = [w for w in words if w]
    if not words:
        raise PlaceError("type a place: epoch sample [phase], e.g. '3 17' or '3 17 dW2'")
    if len(words) > 3:
        raise PlaceError(f"too many parts in {text.strip()!r}: epoch sample [phase]")
    for label, word in zip(("epoch", "sample"), words[:2], strict=False):
        if not (word.isascii() and word.isdigit()):
            raise PlaceError(f"{label} {word!r} is not a whole number (epochs count from 0, "
                             f"samples from 1)")
    epoch = int(words[0])
    sample = int(words[1]) if len(words) > 1 else 1
    if not 1 <= sample <= n:
        raise PlaceError(f"sample {sample}: an epoch has samples 1 to {n}")
    phase = _phase(words[2]) if len(words) > 2 else 0
    if epoch > (MAX_AHEAD + 10 * n) // n + 1:
        raise PlaceError(f"epoch {epoch} is too far: a go-to runs at most {MAX_AHEAD:,} "
                         f"updates ahead")
    return Place(epoch * n + sample - 1, phase, n)


def check_reachable(session: Session, place: Place) -> None:
    """Raise PlaceError when the run cannot get there (beyond a divergence, too far ahead)."""
    limit = session.timeline.limit
    if limit is not None and place.update > limit:
        d = session.divergence
        raise PlaceError(f"the run diverged at epoch {d.epoch}, sample {d.position + 1}: "
                         f"nothing lies beyond it")
    ahead = place.update - session.timeline.head
    if ahead > MAX_AHEAD:
        raise PlaceError(f"{place.describe()} is {ahead:,} updates ahead of the computed run; "
                         f"a go-to runs at most {MAX_AHEAD:,}")


def updates_to_run(session: Session, place: Place) -> int:
    """How many updates the trainer must compute to get there (0: already computed)."""
    return max(0, place.update - session.timeline.head)


def go_to(session: Session, place: Place, progress: Callable[[int, int], None] | None = None,
          cancel: CancelFn | None = None) -> RunResult:
    """Move the cursor to ``place``, computing the run up to it first if needed, with a
    run's progress and cancel (:meth:`Session.run_to`)."""
    return session.run_to(place.update, place.phase, progress, cancel)
