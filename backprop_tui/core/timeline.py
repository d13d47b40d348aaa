"""The record of a training run: parameters after every update, kept small.

A run is deterministic: the parameters before update u, P(u), depend only on u.
So the timeline keeps a checkpoint of P(u) every ``interval`` updates plus each
update's loss, and rebuilds any other P(u) by replaying the fast trainer from the
nearest checkpoint, as reverse debuggers do. Replay runs the very code that made
the run, so what a step back restores is bit-identical to what was there.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .kernel import FastParams, sgd_samples
from .network import Params, mean_loss

ProgressFn = Callable[[int], None]
CancelFn = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class EpochRecord:
    """The lab's per-epoch figures: summed loss (what it prints), mean, and test loss."""

    epoch: int
    train_loss_sum: float
    train_loss: float
    test_loss: float | None


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


class Timeline:
    """Checkpointed history of P(u) for one run, in memory that stays bounded.

    Checkpoints lie every ``interval`` updates in one flat float64 array. When
    there are more than ``max_checkpoints`` of them, every other one is dropped
    and the interval doubles, so any run length fits in a fixed budget while a
    replay never exceeds one interval. Per-update losses are not stored: each
    epoch's sum is added up as the run goes (the figure the lab prints), and the
    losses inside an epoch are replayed when asked for.
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
        max_checkpoints: int = 8192,
    ) -> None:
        self.n = len(y)
        self.lr = lr
        self.interval = interval
        self.max_checkpoints = max_checkpoints
        self._shape = (params0.n_inputs, params0.n_hidden)
        self._size = params0.flat().size
        self._xs: list[list[float]] = X.tolist()
        self._ys: list[float] = y.tolist()
        self._order = order
        self._X_test, self._y_test = X_test, y_test
        self._checkpoints = array("d", params0.flat().tolist())
        self._head = FastParams.from_params(params0)
        self._epoch_sum = 0.0                # losses of the epoch in progress, summed in order
        self.head = 0                       # P(head) is known; updates [0, head) are done
        self.divergence: Divergence | None = None
        self.epoch_records: list[EpochRecord] = []
        self._recent: tuple[int, Params] | None = None
        self._epoch_losses: tuple[int, list[float]] = (0, [])  # (first update, losses)
        # A run may advance in a worker thread while the UI reads: each chunk of work and
        # each read holds this lock, so a reader waits at most one chunk.
        self._lock = threading.RLock()

    # -- reading ---------------------------------------------------------------
    def row(self, u: int) -> int:
        """The training row that update u uses."""
        epoch, position = divmod(u, self.n)
        return int(self._order(epoch)[position]) if self._order else position

    @property
    def n_checkpoints(self) -> int:
        return len(self._checkpoints) // self._size

    def memory_bytes(self) -> int:
        """What the history holds: checkpoints and per-epoch records (for the benchmark)."""
        return (self._checkpoints.itemsize * len(self._checkpoints)
                + len(self.epoch_records) * (4 * 8 + 64))

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
            fast = FastParams.from_params(self.params_at(start + len(cached)))
            for xs, ys in self._segments(start + len(cached), stop):
                sgd_samples(fast, xs, ys, self.lr, cached)
        self._epoch_losses = (first, cached)
        return cached[: stop - start]

    @property
    def limit(self) -> int | None:
        """The last update that can start, when the run diverged; None otherwise."""
        return None if self.divergence is None else self.divergence.update

    def _checkpoint(self, k: int) -> Params:
        flat = np.frombuffer(self._checkpoints, dtype=float, count=self._size,
                             offset=k * self._size * self._checkpoints.itemsize)
        return Params.from_flat(flat, *self._shape)

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
        k = min(u // self.interval, self.n_checkpoints - 1)
        start = k * self.interval
        params = self._checkpoint(k)
        if start != u:
            fast = FastParams.from_params(params)
            for xs, ys in self._segments(start, u):
                sgd_samples(fast, xs, ys, self.lr, [])
            params = fast.to_params()
        self._recent = (u, params)
        return params

    # -- extending -------------------------------------------------------------
    def advance(
        self, to_u: int, progress: ProgressFn | None = None, cancel: CancelFn | None = None
    ) -> None:
        """Compute the run up to update ``to_u`` (or a divergence, or a cancel)."""
        while self.head < to_u and self.divergence is None:
            if cancel is not None and cancel():
                return
            with self._lock:
                self._advance_chunk(to_u)
            if progress is not None:
                progress(self.head)

    def _advance_chunk(self, to_u: int) -> None:
        """One chunk: up to the next checkpoint, epoch end or ``to_u``, whichever is first."""
        start = self.head
        stop = min(
            to_u,
            (start // self.interval + 1) * self.interval,
            (start // self.n + 1) * self.n,
        )
        saved = self._head.to_params()
        chunk: list[float] = []
        for xs, ys in self._segments(start, stop):
            sgd_samples(self._head, xs, ys, self.lr, chunk)
        if not (all(math.isfinite(v) for v in chunk) and self._head.to_params().is_finite()):
            self._stop_at_divergence(start, stop, saved)
            return
        for v in chunk:  # in order, as the lab's `train_loss += loss`
            self._epoch_sum += v
        self.head = stop
        if stop % self.interval == 0:
            self._add_checkpoint(stop)
        if stop % self.n == 0:
            self._record_epoch(stop // self.n - 1)

    def _add_checkpoint(self, u: int) -> None:
        if u // self.interval != self.n_checkpoints:
            return  # already there (a thinning left this one in place)
        self._checkpoints.extend(self._head.to_params().flat().tolist())
        if self.n_checkpoints > self.max_checkpoints:
            kept = array("d")
            for k in range(0, self.n_checkpoints, 2):
                kept.extend(self._checkpoints[k * self._size : (k + 1) * self._size])
            self._checkpoints = kept
            self.interval *= 2

    def _segments(self, start: int, stop: int):
        """(xs, ys) lists for updates [start, stop), split at epoch boundaries."""
        u = start
        while u < stop:
            epoch, position = divmod(u, self.n)
            end = min(stop, (epoch + 1) * self.n) - epoch * self.n
            if self._order is None:
                yield self._xs[position:end], self._ys[position:end]
            else:
                rows = self._order(epoch)[position:end]
                yield [self._xs[i] for i in rows], [self._ys[i] for i in rows]
            u = epoch * self.n + end

    def _stop_at_divergence(self, start: int, stop: int, saved: Params) -> None:
        """Find the first update in [start, stop) that leaves non-finite values; stop there."""
        fast = FastParams.from_params(saved)
        u = start
        for xs, ys in self._segments(start, stop):
            for x, y in zip(xs, ys, strict=True):
                trial: list[float] = []
                before = fast.to_params()
                sgd_samples(fast, [x], [y], self.lr, trial)
                if not (math.isfinite(trial[0]) and fast.to_params().is_finite()):
                    self._head = FastParams.from_params(before)
                    self.head = u
                    epoch, position = divmod(u, self.n)
                    self.divergence = Divergence(u, epoch, position, self.row(u), self.lr)
                    return
                self._epoch_sum += trial[0]
                u += 1
        raise AssertionError("a non-finite chunk replayed finite")  # pragma: no cover

    def _record_epoch(self, epoch: int) -> None:
        total, self._epoch_sum = self._epoch_sum, 0.0
        test = None
        if self._X_test is not None and len(self._y_test):
            test = mean_loss(self._head.to_params(), self._X_test, self._y_test)
        self.epoch_records.append(EpochRecord(epoch, total, total / self.n, test))
