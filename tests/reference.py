"""An independent, deliberately plain numpy statement of the lab network, for the tests.

Why it exists: the package computes each training step twice (the phase walk and
the fast kernel), and both were written by the same hands. This module is a third
statement written straight from the equations, with no code shared with
``backprop_tui`` (its own sigmoid, its own loops, its own data generation), so
an error common to the package's two paths still shows up as a disagreement.

Shapes follow the lab, with the lab's dW2 shape slip corrected: W1 (H, n), b1 (H,),
W2 (1, H), b2 (1,), dW2 (1, H).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

LAB_SEED = 42
LAB_N = 200
LAB_W_TRUE = np.array([1.5, -2.0, 0.5])
LAB_B_TRUE = -0.1

Ref = dict[str, np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The textbook form, 1 / (1 + exp(-z)); fine for the moderate z the tests use."""
    return 1.0 / (1.0 + np.exp(-z))


def lab_data(seed: int = LAB_SEED) -> tuple[np.ndarray, np.ndarray, Ref]:
    """X, y and the initial parameters, drawn from one RandomState in the lab's order."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(LAB_N, 3))
    y = sigmoid(X @ LAB_W_TRUE + LAB_B_TRUE)
    params = {
        "W1": 0.1 * rng.randn(2, 3),
        "b1": np.zeros(2),
        "W2": 0.1 * rng.randn(1, 2),
        "b2": np.zeros(1),
    }
    return X, y, params


def random_params(rng: np.random.RandomState, n_inputs: int, n_hidden: int,
                  scale: float = 1.0) -> Ref:
    """Random parameters with non-zero biases, so every term of every equation is exercised."""
    return {
        "W1": scale * rng.randn(n_hidden, n_inputs),
        "b1": scale * rng.randn(n_hidden),
        "W2": scale * rng.randn(1, n_hidden),
        "b2": scale * rng.randn(1),
    }


def forward(x: np.ndarray, y: float, p: Ref) -> Ref:
    """z1, a1, z2, y_hat and the per-sample loss L = 1/2 (y_hat - y)^2."""
    z1 = p["W1"] @ x + p["b1"]
    a1 = sigmoid(z1)
    z2 = p["W2"] @ a1 + p["b2"]
    y_hat = sigmoid(z2)
    L = 0.5 * (y_hat[0] - y) ** 2
    return {"z1": z1, "a1": a1, "z2": z2, "y_hat": y_hat, "L": np.float64(L)}


def backward(x: np.ndarray, y: float, p: Ref, f: Ref) -> Ref:
    """The chain rule written out by hand, with dW2 shaped like W2."""
    dsig2 = f["y_hat"] * (1.0 - f["y_hat"])                               # sigma'(z2), (1,)
    delta2 = (f["y_hat"] - y) * dsig2                                     # (1,)
    dW2 = delta2.reshape(1, 1) * f["a1"].reshape(1, -1)                   # (1, H)
    db2 = delta2.copy()
    da1 = p["W2"][0] * delta2[0]                                          # dL/da1, (H,)
    dsig1 = f["a1"] * (1.0 - f["a1"])                                     # sigma'(z1), (H,)
    delta1 = da1 * dsig1                                                  # (H,)
    dW1 = delta1.reshape(-1, 1) * x.reshape(1, -1)                        # (H, n)
    db1 = delta1.copy()
    return {"dsig2": dsig2, "delta2": delta2, "dW2": dW2, "db2": db2, "da1": da1, "dsig1": dsig1,
            "delta1": delta1, "dW1": dW1, "db1": db1}


def step(x: np.ndarray, y: float, p: Ref, lr: float) -> Ref:
    """Every quantity of one SGD step: forward, backward and the updated parameters."""
    f = forward(x, y, p)
    g = backward(x, y, p, f)
    new = {name + "_new": p[name] - lr * g["d" + name] for name in ("W1", "b1", "W2", "b2")}
    return {"x": x, "y": np.float64(y), **f, **g, **new}


def mean_loss(X: np.ndarray, y: np.ndarray, p: Ref) -> float:
    """1/2 mean (y_hat - y)^2 over a dataset, one row at a time as the lab's Task 1 does."""
    total = 0.0
    for xi, yi in zip(X, y, strict=True):
        total += float(forward(xi, float(yi), p)["L"])
    return total / len(y)


def sgd(
    X: np.ndarray,
    y: np.ndarray,
    p: Ref,
    lr: float,
    epochs: int,
    orders: Sequence[Sequence[int]] | None = None,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
) -> tuple[list[float], list[float], Ref]:
    """Per-sample SGD: (summed loss per epoch, test loss per epoch, final parameters).

    ``orders[e]`` is the row order of epoch e (default: file order). Each loss is
    taken before its sample's update and added left to right, as the lab does.
    """
    p = {k: v.copy() for k, v in p.items()}
    sums: list[float] = []
    tests: list[float] = []
    for epoch in range(epochs):
        rows = range(len(y)) if orders is None else orders[epoch]
        total = 0.0
        for i in rows:
            s = step(X[i], float(y[i]), p, lr)
            total += float(s["L"])
            p = {name: s[name + "_new"] for name in ("W1", "b1", "W2", "b2")}
        sums.append(total)
        if X_test is not None and y_test is not None and len(y_test):
            tests.append(mean_loss(X_test, y_test, p))
    return sums, tests, p
