"""The record of a training run: parameters after every update, kept small.

A run is deterministic: the parameters before update u, P(u), depend only on u.
So the timeline keeps a checkpoint of P(u) every ``interval`` updates plus each
update's loss, and rebuilds any other P(u) by replaying the fast trainer from the
nearest checkpoint, as reverse debuggers do. Replay runs the very code that made
the run, so what a step back restores is bit-identical to what was there.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .kernel import FastParams, sgd_samples
from .network import Params, mean_loss

ProgressFn = Callable[[int], None]
CancelFn = Callable[[], bool]


@dataclass(frozen=True)
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


def sequential_sum(values) -> float:
    """Left-to-right float sum, as the lab's ``train_loss += loss`` loop adds."""
    total = 0.0
    for v in values:
        total += v
    return total


class Timeline:
    """Checkpointed history of P(u) and the per-update losses of one run."""

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
    ) -> None:
        self.n = len(y)
        self.lr = lr
        self.interval = interval
        self._shape = (params0.n_inputs, params0.n_hidden)
        self._X, self._y = X, y
        self._xs: list[list[float]] = X.tolist()
        self._ys: list[float] = y.tolist()
        self._order = order
        self._X_test, self._y_test = X_test, y_test
        self._checkpoints: list[np.ndarray] = [params0.flat()]
        self._losses = array("d")
        self._head = FastParams.from_params(params0)
        self.head = 0                       # P(head) is known; updates [0, head) are done
        self.divergence: Divergence | None = None
        self.epoch_records: list[EpochRecord] = []
        self._recent: tuple[int, Params] | None = None

    # -- reading ---------------------------------------------------------------
    def row(self, u: int) -> int:
        """The training row that update u uses."""
        epoch, position = divmod(u, self.n)
        return int(self._order(epoch)[position]) if self._order else position

    def loss(self, u: int) -> float:
        """Loss of update u's sample, taken before its update (u < head)."""
        return self._losses[u]

    def losses(self, start: int, stop: int) -> list[float]:
        return self._losses[start:stop].tolist()

    @property
    def limit(self) -> int | None:
        """The last update that can start, when the run diverged; None otherwise."""
        return None if self.divergence is None else self.divergence.update

    def params_at(self, u: int) -> Params:
        """P(u), the parameters before update u, computing the run up to u if needed."""
        if u > self.head:
            self.advance(u)
            if u > self.head:
                raise ValueError(f"update {u} lies beyond the diverged run (last {self.head})")
        if self._recent is not None and self._recent[0] == u:
            return self._recent[1]
        k = u // self.interval
        start = k * self.interval
        flat = self._checkpoints[k]
        if start == u:
            params = Params.from_flat(flat, *self._shape)
        else:
            fast = FastParams.from_params(Params.from_flat(flat, *self._shape))
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
            start = self.head
            stop = min(
                to_u,
                (start // self.interval + 1) * self.interval,
                (start // self.n + 1) * self.n,
            )
            before = len(self._losses)
            saved = self._checkpoint_of_head()
            for xs, ys in self._segments(start, stop):
                sgd_samples(self._head, xs, ys, self.lr, self._losses)
            new_losses = self._losses[before:]
            if not (all(math.isfinite(v) for v in new_losses)
                    and np.all(np.isfinite(self._checkpoint_of_head()))):
                self._stop_at_divergence(start, stop, saved)
                return
            self.head = stop
            if stop % self.interval == 0:
                self._checkpoints.append(self._checkpoint_of_head())
            if stop % self.n == 0:
                self._record_epoch(stop // self.n - 1)
            if progress is not None:
                progress(self.head)

    def _checkpoint_of_head(self) -> np.ndarray:
        return self._head.to_params().flat()

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

    def _stop_at_divergence(self, start: int, stop: int, saved: np.ndarray) -> None:
        """Find the first update in [start, stop) that leaves non-finite values; stop there."""
        del self._losses[start:]
        fast = FastParams.from_params(Params.from_flat(saved, *self._shape))
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
                self._losses.append(trial[0])
                u += 1
        raise AssertionError("a non-finite chunk replayed finite")  # pragma: no cover

    def _record_epoch(self, epoch: int) -> None:
        if epoch < len(self.epoch_records):
            return
        total = sequential_sum(self._losses[epoch * self.n : (epoch + 1) * self.n])
        test = None
        if self._X_test is not None and len(self._y_test):
            test = mean_loss(self._head.to_params(), self._X_test, self._y_test)
        self.epoch_records.append(EpochRecord(epoch, total, total / self.n, test))
