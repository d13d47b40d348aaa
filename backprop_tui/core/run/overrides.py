"""The places where a user changed a run by hand: the parameters P(u) and η from u on.

A run with edits is still a function of u alone, once the edits are known: P(u) is
what SGD made of P(u - 1), except at an edited update, where it is the vector the
user set (kept whole, so a replay that crosses it needs nothing else); and update
u uses the η of the last edit at or before u. Edits only ever sit at or before the
head of the run, since an edit discards the run's future (:meth:`Timeline.edit`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence

import numpy as np

__all__ = ["MAX_EDITED_UPDATES", "OVERRIDE_BUDGET", "Overrides", "replay_chunks"]

MAX_EDITED_UPDATES = 1000
OVERRIDE_BUDGET = 64 * 1024 * 1024  # bytes of edited vectors kept (a few for 1000x1000 layers)


class Overrides:
    """Edited updates in increasing order, each with its full parameter vector and η."""

    def __init__(self, lr: float) -> None:
        self.base_lr = lr                 # the run's configured η, before any edit
        self._at: list[int] = []
        self._flats: list[array] = []
        self._lrs: list[float] = []

    def __len__(self) -> int:
        return len(self._at)

    @property
    def updates(self) -> list[int]:
        return list(self._at)

    @property
    def nbytes(self) -> int:
        return sum(f.itemsize * len(f) for f in self._flats)

    def lr_at(self, u: int) -> float:
        """η of update u: the last edit's at or before u, else the configured one."""
        i = bisect_right(self._at, u) - 1
        return self._lrs[i] if i >= 0 else self.base_lr

    def flat_at(self, u: int) -> array | None:
        """The edited P(u), or None where u was not edited."""
        i = bisect_left(self._at, u)
        return self._flats[i] if i < len(self._at) and self._at[i] == u else None

    def last_at_or_before(self, u: int) -> int | None:
        i = bisect_right(self._at, u) - 1
        return self._at[i] if i >= 0 else None

    def inside(self, start: int, stop: int) -> list[int]:
        """Edited updates v with start < v < stop: where a replay of [start, stop) resets."""
        return self._at[bisect_right(self._at, start) : bisect_left(self._at, stop)]

    def room_for(self, u: int, size: int) -> str | None:
        """Why one more edit at u cannot be kept (None when it can): memory stays bounded."""
        keep = bisect_right(self._at, u)  # an edit at u drops every later one
        replaces = keep > 0 and self._at[keep - 1] == u
        count = keep + (0 if replaces else 1)
        nbytes = 8 * size * count
        if count > MAX_EDITED_UPDATES:
            return (f"too many edited updates ({MAX_EDITED_UPDATES} at most): "
                    "reset or edit at an earlier update to drop later edits")
        if nbytes > OVERRIDE_BUDGET:
            return (f"edits would keep {nbytes / 2**20:.0f} MiB of parameters "
                    f"({OVERRIDE_BUDGET // 2**20} MiB at most): edit at an earlier update "
                    "to drop later edits")
        return None

    def clear(self) -> None:
        """No edit at all (the timeline was cut back to update 0 first)."""
        del self._at[:], self._flats[:], self._lrs[:]

    def put(self, u: int, flat: Sequence[float], lr: float) -> None:
        """P(u) := ``flat`` and η := ``lr`` from u on; edits after u are dropped."""
        keep = bisect_right(self._at, u)
        if keep > 0 and self._at[keep - 1] == u:
            keep -= 1
        del self._at[keep:], self._flats[keep:], self._lrs[keep:]
        self._at.append(u)
        self._flats.append(array("d", flat))
        self._lrs.append(float(lr))


def replay_chunks(start: int, stop: int, n: int, order: Callable[[int], np.ndarray] | None,
                  overrides: Overrides) -> Iterator[tuple[int, slice | np.ndarray]]:
    """(first update, rows) for updates [start, stop), split at epoch ends and at edits (a
    replay restarts from the edited vector there, and η may change): a slice of the
    training rows in file order, or the epoch's shuffled row indices."""
    cuts = [*overrides.inside(start, stop), stop]
    u = start
    while u < stop:
        epoch, position = divmod(u, n)
        while cuts[0] <= u:
            cuts.pop(0)
        end = min(cuts[0], (epoch + 1) * n) - epoch * n
        yield u, slice(position, end) if order is None else order(epoch)[position:end]
        u = epoch * n + end
