"""A network applied to whole datasets: predictions, the mean loss, and accuracy.

Stepping computes one sample at a time (:mod:`.netphases`); the loss plot, the
test loss of each epoch and the Predictions tab need every row at once. For the
lab's network these are :func:`.network.predict` and :func:`.network.mean_loss`,
unchanged; any other network goes through the same formulas here, in numpy
across the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .activations import ACTIVATIONS
from .arch import Architecture
from .params import CHUNK_ROWS, Params
from .params import mean_loss as lab_mean_loss
from .params import predict as lab_predict


def _outputs(params: Params, X: np.ndarray, arch: Architecture) -> tuple[np.ndarray, np.ndarray]:
    """(z_L, y_hat) for every row: (rows, outputs) each, computed CHUNK_ROWS rows at a time
    (a million rows through a 64-unit layer would take 500 MB of temporaries at once)."""
    if len(X) <= CHUNK_ROWS:
        return _chunk(params, X, arch)
    parts = [_chunk(params, X[i: i + CHUNK_ROWS], arch) for i in range(0, len(X), CHUNK_ROWS)]
    return np.concatenate([z for z, _ in parts]), np.concatenate([a for _, a in parts])


def _chunk(params: Params, X: np.ndarray, arch: Architecture) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(X, dtype=float)
    for layer in range(1, arch.depth):
        W, b = getattr(params, f"W{layer}"), getattr(params, f"b{layer}")
        a = ACTIVATIONS[arch.activations[layer - 1]].f(a @ W.T + b)
    z = a @ getattr(params, f"W{arch.depth}").T + getattr(params, f"b{arch.depth}")
    if arch.output == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return z, e / e.sum(axis=1, keepdims=True)
    return z, ACTIVATIONS[arch.output].f(z)


def predict(params: Params, X: np.ndarray, arch: Architecture | None = None) -> np.ndarray:
    """y_hat for every row: (rows,) for one output, (rows, outputs) for several."""
    if arch is None or arch.is_lab:
        return lab_predict(params, X)
    with np.errstate(all="ignore"):
        y_hat = _outputs(params, X, arch)[1]
    return y_hat[:, 0] if arch.n_outputs == 1 and not arch.classifies else y_hat


def row_losses(params: Params, X: np.ndarray, y: np.ndarray, arch: Architecture) -> np.ndarray:
    """Each row's loss, by the same formula a step takes it."""
    z, y_hat = _outputs(params, X, arch)
    Y = np.asarray(y, dtype=float).reshape(len(z), -1)
    if arch.loss == "half-mse":
        return 0.5 * np.sum((y_hat - Y) ** 2, axis=1)
    if arch.loss == "bce":
        return np.sum(np.maximum(z, 0.0) - z * Y + np.log1p(np.exp(-np.abs(z))), axis=1)
    m = z.max(axis=1)
    c = np.argmax(Y, axis=1)
    return np.log(np.exp(z - m[:, None]).sum(axis=1)) - (z[np.arange(len(z)), c] - m)


def mean_loss(params: Params, X: np.ndarray, y: np.ndarray,
              arch: Architecture | None = None) -> float:
    """The mean per-row loss (nan for no rows): the lab's dataset loss for its network."""
    if arch is None or arch.is_lab:
        return lab_mean_loss(params, X, y)
    if len(y) == 0:
        return float("nan")
    with np.errstate(all="ignore"):
        return float(np.mean(row_losses(params, X, y, arch)))


def accuracy(params: Params, X: np.ndarray, y: np.ndarray, arch: Architecture) -> float:
    """The share of rows whose most probable class is the labelled one (nan for no rows)."""
    if len(y) == 0:
        return float("nan")
    with np.errstate(all="ignore"):
        probs = _outputs(params, X, arch)[1]
    return float(np.mean(np.argmax(probs, axis=1) == np.argmax(np.asarray(y), axis=1)))


def confusion(params: Params, X: np.ndarray, y: np.ndarray, arch: Architecture) -> np.ndarray:
    """counts[true class, predicted class] over the rows."""
    k = arch.n_outputs
    with np.errstate(all="ignore"):
        guess = np.argmax(_outputs(params, X, arch)[1], axis=1)
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (np.argmax(np.asarray(y), axis=1), guess), 1)
    return counts


def epoch_figures(flat: Callable[[], Sequence[float]], arch: Architecture, X: np.ndarray,
                  y: np.ndarray, X_test: np.ndarray | None, y_test: np.ndarray | None
                  ) -> tuple[float | None, float | None, float | None]:
    """(test loss, train accuracy, test accuracy) at an epoch's end, None where there is
    nothing to say; ``flat()`` gives the parameters, asked for only when needed."""
    has_test = X_test is not None and y_test is not None and len(y_test) > 0
    if not has_test and not arch.classifies:
        return None, None, None
    params = Params.from_sizes(np.asarray(flat(), dtype=float), arch.sizes)
    test = mean_loss(params, X_test, y_test, arch) if has_test else None
    if not arch.classifies:
        return test, None, None
    test_acc = accuracy(params, X_test, y_test, arch) if has_test else None
    return test, accuracy(params, X, y, arch), test_acc
