"""Places in a run, as a person types them: ``3 17``, ``3 17 dW2``, ``3:17 z1``.

The go-to key (``:``) reads a place in the app's own counting, the one the
title line shows: epochs from 0, samples 1..N within an epoch, and a phase by
name or by its number (1..11 for the lab; 1..4L+3 for a network of L layers,
whose phases it names: ``3 17 dW3``). A place far ahead is reached by running
the trainer there, with the same progress and cancel as a run of epochs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from ..network.netphases import Net
from ..network.phases import lab_net
from ..run.session import Cursor, RunResult, Session
from ..run.timeline import CancelFn
from .condnames import aliases

MAX_AHEAD = 100_000_000
"""Updates a go-to may run forward: a typo of a few extra digits is said, not run for hours."""
MAX_TEXT = 100


class PlaceError(ValueError):
    """A place that cannot be read or reached, in one line."""


@dataclass(frozen=True)
class Place(Cursor):
    """Where a go-to leads: a cursor position (update u = epoch * N + sample - 1, phase)
    in the phases of ``net`` (the lab's when not given)."""

    net: Net | None = field(default=None, repr=False, compare=False)

    @property
    def sample(self) -> int:
        return self.position + 1

    def describe(self) -> str:
        key = (self.net or lab_net()).phases[self.phase].key
        return f"epoch {self.epoch}, sample {self.sample}/{self.n}, phase {key}"


@lru_cache(maxsize=32)
def _phase_words(net: Net) -> dict[str, str]:
    """The words a place may name a phase by, beyond its key: the lab's names (pred,
    grad_output, ...) and db1..dbL, computed in the phase of dW1..dWL."""
    words = {lab: ours for lab, ours in aliases(net).items() if ours in net.index}
    words.update({f"db{layer}": f"dW{layer}" for layer in range(1, net.arch.depth + 1)})
    return words


def _phase(word: str, net: Net) -> int:
    count = len(net.phases)
    if word.isascii() and word.isdigit():
        k = int(word)
        if 1 <= k <= count:
            return k - 1
        raise PlaceError(f"phase {word}: phases are numbered 1 to {count}")
    key = _phase_words(net).get(word, word)
    if key in net.index:
        return net.index[key]
    raise PlaceError(f"unknown phase {word!r}{net.hint(word)}")


def parse_place(text: str, n: int, net: Net | None = None) -> Place:
    """``epoch sample [phase]`` (also ``epoch:sample``) in the app's counting, the phase
    one of ``net``'s (a session's ``session.net``; the lab's when not given).

    A lone number is an epoch's first sample; the phase defaults to the first
    (load sample). Raises PlaceError with a one-line reason.
    """
    net = net or lab_net()
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
    phase = _phase(words[2], net) if len(words) > 2 else 0
    if epoch > (MAX_AHEAD + 10 * n) // n + 1:
        raise PlaceError(f"epoch {epoch} is too far: a go-to runs at most {MAX_AHEAD:,} "
                         f"updates ahead")
    return Place(epoch * n + sample - 1, phase, n, net)


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
