"""The state a kernel carries from one chunk of a run to the next, one class per kernel.

Each head holds the run's current parameters in the form its kernel reads (lists of
floats, numpy arrays, one flat float64 vector), advances them over some rows, and
writes a checkpoint straight from that form. :mod:`~backprop_tui.core.run.engine` picks
which head runs; all three give the same bits.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from functools import cached_property
from math import isfinite

import numpy as np

from ..network.arch import Architecture
from ..network.kernel import FastParams, sgd_columns, sgd_samples
from ..network.netkernel import codes, join_flat, sgd_net, split_flat

PYTHON, NUMPY, NUMBA = "python", "numpy", "numba"


class Data:
    """The training rows in both forms the kernels read: lists of floats and float64 arrays
    (the lists made on first use: the compiled kernel never needs them)."""

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.Y = np.ascontiguousarray(y, dtype=np.float64)
        self.index = np.arange(len(self.Y), dtype=np.int64)
        self.n_inputs = self.X.shape[1] if self.X.ndim == 2 else 0

    @cached_property
    def xs(self) -> list[list[float]]:
        return self.X.tolist()

    @cached_property
    def ys(self) -> list[float]:
        return self.Y.tolist()

    @cached_property
    def Y2(self) -> np.ndarray:
        """The targets as (rows, outputs): what the any-network kernels read."""
        return np.ascontiguousarray(self.Y.reshape(len(self.Y), -1))

    @cached_property
    def ys2(self) -> list[list[float]]:
        return self.Y2.tolist()


Rows = slice | np.ndarray


class PlainHead:
    """Parameters as FastParams, advanced by the plain-float kernel."""

    kind = PYTHON

    def __init__(self, flat: Sequence[float], data: Data, n_hidden: int) -> None:
        self.p = FastParams.from_flat(flat, data.n_inputs, n_hidden)
        self._data = data

    def flat(self) -> list[float]:
        return self.p.flat()

    def append_to(self, checkpoints: array) -> None:
        checkpoints.extend(self.p.flat())

    def run(self, rows: Rows, lr: float, total: float, losses: list[float] | None = None
            ) -> tuple[bool, float]:
        """Updates for ``rows`` in order; (all finite, ``total`` plus their losses in order)."""
        d = self._data
        if isinstance(rows, slice):
            xs, ys = d.xs[rows], d.ys[rows]
        else:
            xs, ys = [d.xs[i] for i in rows], [d.ys[i] for i in rows]
        new: list[float] = []
        sgd_samples(self.p, xs, ys, lr, new)
        for v in new:  # in order, as the lab's `train_loss += loss`
            total += v
        if losses is not None:
            losses.extend(new)
        return all(map(isfinite, new)) and all(map(isfinite, self.p.flat())), total


class NumpyHead:
    """Parameters as numpy arrays (W1 transposed), advanced by ``sgd_columns``."""

    kind = NUMPY

    def __init__(self, flat: Sequence[float], data: Data, n_hidden: int) -> None:
        v = np.array(flat, dtype=np.float64)
        w = n_hidden * data.n_inputs
        self.W1T = np.ascontiguousarray(v[:w].reshape(n_hidden, data.n_inputs).T)
        self.b1, self.W2 = v[w : w + n_hidden].copy(), v[w + n_hidden : w + 2 * n_hidden].copy()
        self.b2 = float(v[-1])
        self._data = data

    def flat(self) -> np.ndarray:
        return np.concatenate([self.W1T.T.ravel(), self.b1, self.W2, [self.b2]])

    def append_to(self, checkpoints: array) -> None:
        checkpoints.frombytes(self.flat().tobytes())

    def run(self, rows: Rows, lr: float, total: float, losses: list[float] | None = None
            ) -> tuple[bool, float]:
        d = self._data
        index = range(*rows.indices(len(d.Y))) if isinstance(rows, slice) else rows.tolist()
        new: list[float] = []
        with np.errstate(all="ignore"):  # a divergence is found below and explained
            self.b2 = sgd_columns(self.W1T, self.b1, self.W2, self.b2, d.X, d.ys, index, lr,
                                  new)
        for v in new:  # in order, as the lab's `train_loss += loss`
            total += v
        if losses is not None:
            losses.extend(new)
        finite = (all(map(isfinite, new)) and isfinite(self.b2) and bool(
            np.isfinite(self.W1T).all() and np.isfinite(self.b1).all()
            and np.isfinite(self.W2).all()))
        return finite, total


class CompiledHead:
    """Parameters as one flat float64 vector, advanced by the numba kernel (the lab's;
    :class:`CompiledNetHead` gives it any network's)."""

    kind = NUMBA

    def __init__(self, flat: Sequence[float], data: Data, n_hidden: int, module) -> None:
        self.theta = np.array(flat, dtype=np.float64)
        self._data, self._n_hidden, self._sgd = data, n_hidden, module.sgd_rows
        self._scratch = np.empty(max(len(data.Y), 1))

    def flat(self) -> np.ndarray:
        return self.theta.copy()

    def append_to(self, checkpoints: array) -> None:
        checkpoints.frombytes(self.theta.tobytes())

    def run(self, rows: Rows, lr: float, total: float, losses: list[float] | None = None
            ) -> tuple[bool, float]:
        d = self._data
        index = d.index[rows] if isinstance(rows, slice) else rows
        out = self._scratch if len(index) <= len(self._scratch) else np.empty(len(index))
        finite, total = self._step(index, lr, out, total)
        if losses is not None:
            losses.extend(out[: len(index)].tolist())
        return finite, total

    def _step(self, index: np.ndarray, lr: float, out: np.ndarray, total: float
              ) -> tuple[bool, float]:
        d = self._data
        return self._sgd(self.theta, d.X, d.Y, index, self._n_hidden, lr, out, total)


class NetHead:
    """Any other network's parameters as lists of rows, advanced by ``netkernel.sgd_net``."""

    kind = PYTHON

    def __init__(self, flat: Sequence[float], data: Data, arch: Architecture) -> None:
        self.Ws, self.bs = split_flat(flat, arch)
        self._data, self._arch = data, arch

    def flat(self) -> list[float]:
        return join_flat(self.Ws, self.bs)

    def append_to(self, checkpoints: array) -> None:
        checkpoints.extend(self.flat())

    def run(self, rows: Rows, lr: float, total: float, losses: list[float] | None = None
            ) -> tuple[bool, float]:
        d = self._data
        if isinstance(rows, slice):
            xs, ys = d.xs[rows], d.ys2[rows]
        else:
            xs, ys = [d.xs[i] for i in rows], [d.ys2[i] for i in rows]
        new: list[float] = []
        sgd_net(self.Ws, self.bs, self._arch, xs, ys, lr, new)
        for v in new:
            total += v
        if losses is not None:
            losses.extend(new)
        return all(map(isfinite, new)) and all(map(isfinite, self.flat())), total


class CompiledNetHead(CompiledHead):
    """Any other network's parameters as one flat vector, advanced by ``netcompiled.sgd_net``
    through views of it, one per layer."""

    def __init__(self, flat: Sequence[float], data: Data, arch: Architecture, module) -> None:
        self.theta = np.array(flat, dtype=np.float64)
        self._data, self._sgd = data, module.sgd_net
        hidden, self._out, self._loss = codes(arch)
        self._layers = module.views(self.theta, arch.sizes)  # W_l, b_l: views of theta
        self._hidden = np.array([*hidden, 0], dtype=np.int64)
        self._scratch = np.empty(max(len(data.Y), 1))

    def _step(self, index: np.ndarray, lr: float, out: np.ndarray, total: float
              ) -> tuple[bool, float]:
        d = self._data
        Ws, bs = self._layers
        return self._sgd(Ws, bs, d.X, d.Y2, index, self._hidden, self._out, self._loss, lr,
                         out, total)


Head = PlainHead | NumpyHead | CompiledHead | NetHead | CompiledNetHead
