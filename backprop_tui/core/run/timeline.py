"""The record of a training run: parameters after every update, kept small.

A run is deterministic: the parameters before update u, P(u), depend only on u. So
the timeline keeps a checkpoint of P(u) every ``interval`` updates plus each epoch's
figures, and rebuilds any other P(u) by replaying a kernel from the nearest
checkpoint, as reverse debuggers do. The kernels compute the same bits (:mod:`.engine`),
so a step back restores exactly what was there, whichever kernel made the run. A
user's edit of P(u) or η (:meth:`Timeline.edit`) discards the run after u and is kept
whole for replays (:mod:`.overrides`), so P(u) stays a function of u alone.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Sequence

import numpy as np

from ..network.arch import Architecture
from ..network.evaluate import epoch_figures
from ..network.params import Params
from . import engine
from .overrides import Overrides, replay_chunks
from .records import Divergence, EpochLog, EpochRecord

__all__ = ["CancelFn", "Divergence", "EpochRecord", "ProgressFn", "Timeline"]

ProgressFn = Callable[[int], None]
CancelFn = Callable[[], bool]
EpochFn = Callable[[EpochRecord], None]
CHECKPOINT_BUDGET = 16 * 1024 * 1024  # bytes of checkpoints at most (~0.7 MB for the lab)


class Timeline:
    """Checkpointed history of P(u) for one run, in memory that stays bounded.

    Checkpoints lie every ``interval`` updates in one flat float64 array. When
    there are more than ``max_checkpoints`` of them (8192, fewer for large layers:
    at most 16 MB), every other one is dropped and the interval doubles, so any run
    length fits in a fixed budget while a replay never exceeds one interval.
    Per-update losses are not stored: each epoch's sum is added up as the run goes
    (the figure the lab prints), the losses inside an epoch are replayed when asked
    for, and the epoch records thin out past ~8k epochs (:class:`EpochLog`).
    """

    def __init__(
        self,
        params0: Params,
        X: np.ndarray,
        y: np.ndarray,
        lr: float,
        order: Callable[[int], np.ndarray] | None,
        X_test: np.ndarray | None = None,
        y_test: np.ndarray | None = None,
        interval: int = 128,
        max_checkpoints: int | None = None,
        arch: Architecture | None = None,
    ) -> None:
        self.n = len(y)
        self.overrides = Overrides(lr)  # the configured η; edits may change it (lr_at)
        self.interval = interval
        self.arch = arch or Architecture(params0.n_inputs, (params0.n_hidden,))  # or the lab's
        self._size = params0.flat().size
        self.max_checkpoints = max_checkpoints or min(
            8192, max(64, CHECKPOINT_BUDGET // (8 * self._size)))
        self._data = engine.Data(X, y)
        self._order = order
        self._X_test, self._y_test = X_test, y_test
        flat0 = params0.flat().tolist()
        self._checkpoints = array("d", flat0)
        self._head: engine.Head = engine.make_head(engine.PYTHON, flat0, self._data, self.arch)
        self.kernels_used: set[str] = set()  # which kernels advanced the run (for reports)
        self._epoch_sum = 0.0                # losses of the epoch in progress, summed in order
        self.head = 0                       # P(head) is known; updates [0, head) are done
        self.divergence: Divergence | None = None
        self.epoch_log = EpochLog()
        self.on_epoch: EpochFn | None = None  # called with every record, before any thinning
        self._recent: tuple[int, Params] | None = None
        self._epoch_losses: tuple[int, list[float]] = (0, [])  # (first update, losses)
        # A run may advance in a worker thread while the UI reads: each chunk of work and
        # each read holds this lock, so a reader waits at most one chunk.
        self._lock = threading.RLock()

    # -- reading ---------------------------------------------------------------
    @property
    def epoch_records(self) -> EpochLog:
        """Every epoch's record while the run is short; thinned beyond (see EpochLog)."""
        return self.epoch_log

    def records_before(self, epoch: int) -> list[EpochRecord]:
        """The kept records of epochs before ``epoch``, read whole even while a run appends."""
        with self._lock:
            return self.epoch_log.before(epoch)

    def row(self, u: int) -> int:
        """The training row that update u uses."""
        epoch, position = divmod(u, self.n)
        return int(self._order(epoch)[position]) if self._order else position

    @property
    def n_checkpoints(self) -> int:
        return len(self._checkpoints) // self._size

    def memory_bytes(self) -> int:
        """What the history holds: checkpoints and kept epoch records (for the benchmark)."""
        return (self._checkpoints.itemsize * len(self._checkpoints)
                + self.epoch_log.n_kept * (4 * 8 + 64) + self.overrides.nbytes)

    def loss(self, u: int) -> float:
        """Loss of update u's sample, taken before its update (u < head)."""
        return self.losses(u, u + 1)[0]

    def losses(self, start: int, stop: int) -> list[float]:
        """Losses of updates [start, stop), replayed from P(start) (and cached per start)."""
        with self._lock:
            return self._losses_locked(start, stop)

    def _losses_locked(self, start: int, stop: int) -> list[float]:
        stop = min(stop, self.head)
        if stop <= start:
            return []
        first, cached = self._epoch_losses
        if first != start:
            first, cached = start, []
        if len(cached) < stop - start:
            u = start + len(cached)
            self._replay(self.params_at(u).flat().tolist(), u, stop, cached)
        self._epoch_losses = (first, cached)
        return cached[: stop - start]

    @property
    def limit(self) -> int | None:
        """The last update that can start, when the run diverged; None otherwise."""
        return None if self.divergence is None else self.divergence.update

    @property
    def data(self) -> engine.Data:
        """The training rows as the kernels read them (for scans that step their own copy)."""
        return self._data

    def checkpoint_before(self, u: int) -> tuple[int, list[float]]:
        """(v, P(v)) for the last checkpoint or edit v <= u: where a replay to u starts."""
        with self._lock:
            start, flat = self._start_for(u)
            return start, flat.tolist()

    def _start_for(self, u: int) -> tuple[int, array]:
        k = min(u // self.interval, self.n_checkpoints - 1)
        edited = self.overrides.last_at_or_before(u)  # an edit holds the whole vector
        if edited is not None and edited >= k * self.interval:
            return edited, self.overrides.flat_at(edited)
        return k * self.interval, self._checkpoint_flat(k)

    def replay(self, flat, start: int, stop: int):
        """P(stop) from ``flat`` = P(start), by the kernels (same bits as the run)."""
        with self._lock:
            return self._replay(flat, start, stop, None)

    def _checkpoint_flat(self, k: int) -> array:
        return self._checkpoints[k * self._size : (k + 1) * self._size]

    def params_at(self, u: int) -> Params:
        """P(u), the parameters before update u, computing the run up to u if needed."""
        with self._lock:
            return self._params_at_locked(u)

    def _params_at_locked(self, u: int) -> Params:
        if u > self.head:
            self.advance(u)
            if u > self.head:
                raise ValueError(f"update {u} lies beyond the diverged run (last {self.head})")
        if self._recent is not None and self._recent[0] == u:
            return self._recent[1]
        start, flat = self._start_for(u)
        if self._recent is not None and start < self._recent[0] < u:  # stepping on: nearer
            start, flat = self._recent[0], self._recent[1].flat().tolist()
        flat = self._replay(flat, start, u, None)
        params = Params.from_sizes(np.asarray(flat, dtype=float), self.arch.sizes)
        self._recent = (u, params)
        return params

    def lr_at(self, u: int) -> float:
        """η of update u (the configured one unless an edit changed it at or before u)."""
        return self.overrides.lr_at(u)

    def _replay(self, flat, start: int, stop: int, losses: list[float] | None):
        """P(stop) from ``flat`` = P(start), replaying updates [start, stop) with each
        one's η and restarting from the edited vector at each edit on the way."""
        if stop <= start:
            return flat
        kind = engine.choose(stop - start, self.arch)
        head = engine.make_head(kind, flat, self._data, self.arch)
        for u, rows in replay_chunks(start, stop, self.n, self._order, self.overrides):
            if u != start and (edited := self.overrides.flat_at(u)) is not None:
                head = engine.make_head(kind, edited, self._data, self.arch)
            head.run(rows, self.overrides.lr_at(u), 0.0, losses)
        edited = self.overrides.flat_at(stop)
        return head.flat() if edited is None else edited

    # -- editing ---------------------------------------------------------------
    def edit(self, u: int, flat: Sequence[float], lr: float) -> None:
        """Make P(u) = ``flat`` and η = ``lr`` from update u on; the run after u is discarded.

        P(0..u-1), their checkpoints and the records of the epochs before u's stay as
        they were (bit for bit); the run goes on from the edited P(u) when advanced.
        ValueError when u is not reached yet, or one more edit would break the memory
        bound (:meth:`Overrides.room_for`).
        """
        with self._lock:
            if not 0 <= u <= self.head:
                raise ValueError(f"update {u} is not computed yet (the run reaches {self.head})")
            if (reason := self.overrides.room_for(u, self._size)) is not None:
                raise ValueError(reason)
            self.overrides.put(u, flat, lr)
            k = min(u // self.interval, self.n_checkpoints - 1)
            del self._checkpoints[(k + 1) * self._size :]
            if k * self.interval == u:  # a checkpoint is P(u): the edited one from now on
                self._checkpoints[k * self._size :] = array("d", flat)
            self.head, self.divergence = u, None
            self._recent, self._epoch_losses = None, (0, [])
            self._head = engine.make_head(self._head.kind, flat, self._data, self.arch)
            epoch = u // self.n
            self.epoch_log.truncate(epoch)
            total = 0.0
            for loss in self._losses_locked(epoch * self.n, u):  # as the run summed them
                total += loss
            self._epoch_sum = total

    # -- extending -------------------------------------------------------------
    def advance(
        self, to_u: int, progress: ProgressFn | None = None, cancel: CancelFn | None = None
    ) -> None:
        """Compute the run up to update ``to_u`` (or a divergence, or a cancel).

        The kernel is chosen once for the whole stretch (short work never waits for
        numba), then the run goes chunk by chunk: up to the next checkpoint or epoch end.
        """
        if self.head >= to_u or self.divergence is not None:
            return
        kind = engine.choose(to_u - self.head, self.arch)
        if kind != self._head.kind:
            with self._lock:
                self._head = engine.make_head(kind, self._head.flat(), self._data,
                                              self.arch)
        self.kernels_used.add(self._head.kind)
        while self.head < to_u and self.divergence is None:
            if cancel is not None and cancel():
                return
            with self._lock:
                self._advance_chunk(to_u)
            if progress is not None:
                progress(self.head)

    def _advance_chunk(self, to_u: int) -> None:
        """One chunk: up to the next checkpoint, epoch end or ``to_u``, whichever is first."""
        start, n, interval = self.head, self.n, self.interval
        epoch, position = divmod(start, n)
        stop = min(to_u, (start // interval + 1) * interval, (epoch + 1) * n)
        end = stop - epoch * n
        rows = slice(position, end) if self._order is None else self._order(epoch)[position:end]
        finite, total = self._head.run(rows, self.overrides.lr_at(start), self._epoch_sum)
        if not finite:
            self._stop_at_divergence(start, stop)
            return
        self._epoch_sum = total
        self.head = stop
        if stop % interval == 0:
            self._add_checkpoint(stop)
        if end == n:
            self._record_epoch(epoch)

    def _add_checkpoint(self, u: int) -> None:
        if u // self.interval != self.n_checkpoints:
            return  # already there (a thinning left this one in place)
        self._head.append_to(self._checkpoints)
        if self.n_checkpoints > self.max_checkpoints:
            kept = array("d")
            for k in range(0, self.n_checkpoints, 2):
                kept.extend(self._checkpoint_flat(k))
            self._checkpoints = kept
            self.interval *= 2

    def _stop_at_divergence(self, start: int, stop: int) -> None:
        """Find the first update in [start, stop) that leaves non-finite values; stop there.

        The head's state went bad inside this chunk, so P(start) is rebuilt from the
        last checkpoint (a chunk never passes one) and the chunk replayed one update
        at a time by the plain kernel, which gives the same bits.
        """
        flat = self._params_at_locked(start).flat().tolist()
        one = engine.make_head(engine.PYTHON, flat, self._data, self.arch)
        lr = self.overrides.lr_at(start)  # no edit lies ahead of the head
        for u in range(start, stop):
            row = self.row(u)
            trial: list[float] = []
            before = one.flat()
            finite, _ = one.run(np.array([row]), lr, 0.0, trial)
            if not finite:
                self._head = engine.make_head(self._head.kind, before, self._data,
                                              self.arch)
                self.head = u
                epoch, position = divmod(u, self.n)
                self.divergence = Divergence(u, epoch, position, row, lr)
                return
            self._epoch_sum += trial[0]
        raise AssertionError("a non-finite chunk replayed finite")  # pragma: no cover

    def _record_epoch(self, epoch: int) -> None:
        total, self._epoch_sum = self._epoch_sum, 0.0
        figures = epoch_figures(self._head.flat, self.arch, self._data.X, self._data.Y,
                                self._X_test, self._y_test)
        record = EpochRecord(epoch, total, total / self.n, *figures)
        self.epoch_log.append(record)
        if self.on_epoch is not None:
            self.on_epoch(record)
