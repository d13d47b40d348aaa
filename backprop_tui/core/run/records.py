"""The per-epoch figures of a run, kept in bounded memory however long the run grows.

Every epoch of a short run is kept exactly. Beyond ``2 * recent`` epochs, the
older ones are thinned the way checkpoints are: one epoch in ``stride`` is kept,
and when more than ``max_old`` of them pile up, every other one is dropped and
the stride doubles. So the newest ``recent`` epochs (at least) are always exact,
the whole run stays visible on a plot, and memory stays below
(2 * recent + max_old) records (~12k records, ~2 MB) for any number of epochs.

Whoever needs every epoch (``backprop-tui train`` prints each one) listens to
them as they are recorded, before any thinning (``Timeline.on_epoch``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

RECENT = 4096
MAX_OLD = 4096


@dataclass(frozen=True, slots=True)
class EpochRecord:
    """The lab's per-epoch figures: summed loss (what it prints), mean, and test loss."""

    epoch: int
    train_loss_sum: float
    train_loss: float
    test_loss: float | None
    # For classes (softmax + ce): the share of rows whose likeliest class is right, at
    # the parameters the epoch ends with (None for other networks, or no test rows).
    train_accuracy: float | None = None
    test_accuracy: float | None = None


class EpochLog:
    """Epoch records in epoch order: the newest exact, older ones thinned (see module doc).

    ``len()`` is the number of epochs recorded so far (it only grows); iterating
    gives the records kept, which are all of them until the run passes
    ``2 * recent`` epochs.
    """

    def __init__(self, recent: int = RECENT, max_old: int = MAX_OLD) -> None:
        if recent < 1 or max_old < 2:
            raise ValueError("need recent >= 1 and max_old >= 2")
        self.recent, self.max_old = recent, max_old
        self.stride = 1                      # one old epoch kept in every `stride`
        self._old: list[EpochRecord] = []    # thinned, all before _new
        self._new: list[EpochRecord] = []    # exact, the newest recent..2*recent - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[EpochRecord]:
        yield from self._old
        yield from self._new

    @property
    def thinned(self) -> bool:
        return self.stride > 1 or self._count > len(self._old) + len(self._new)

    @property
    def n_kept(self) -> int:
        return len(self._old) + len(self._new)

    def append(self, record: EpochRecord) -> None:
        self._new.append(record)
        self._count += 1
        if len(self._new) >= 2 * self.recent:  # move the older half out, in one batch
            moving, self._new = self._new[: self.recent], self._new[self.recent :]
            self._old.extend(r for r in moving if r.epoch % self.stride == 0)
            while len(self._old) > self.max_old:
                self.stride *= 2
                self._old = [r for r in self._old if r.epoch % self.stride == 0]

    def before(self, epoch: int) -> list[EpochRecord]:
        """The records kept of the epochs before ``epoch``, oldest first."""
        i = bisect_left(self._old, epoch, key=_epoch)
        j = bisect_left(self._new, epoch, key=_epoch)
        return self._old[:i] + self._new[:j]

    def truncate(self, epoch: int) -> None:
        """Forget the records of ``epoch`` and later (an edit discarded that part of the run).

        The thinning already done stays: after an edit deep in a long run, the epochs
        just before it may be among the thinned ones."""
        self._old = self._old[: bisect_left(self._old, epoch, key=_epoch)]
        self._new = self._new[: bisect_left(self._new, epoch, key=_epoch)]
        self._count = min(self._count, epoch)

    def last(self) -> EpochRecord | None:
        return self._new[-1] if self._new else None


def _epoch(record: EpochRecord) -> int:
    return record.epoch


@dataclass(frozen=True)
class Divergence:
    """Where a run stopped because the parameters stopped being finite numbers."""

    update: int
    epoch: int
    position: int
    row: int
    lr: float

    @property
    def message(self) -> str:
        return (
            f"diverged in epoch {self.epoch}, sample {self.position + 1} (row {self.row}): "
            f"its step produced nan/inf. Try a learning rate below {self.lr:g} (--lr), "
            f"a smaller --init-scale, or --normalize the data."
        )


@dataclass(frozen=True)
class RunningEpoch:
    """The epoch in progress: ``samples`` losses of ``n`` taken so far, and their mean."""

    epoch: int
    samples: int
    n: int
    mean_loss: float
