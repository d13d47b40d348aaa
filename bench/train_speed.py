"""How much faster the fast trainer is than the lab's own numpy loop, at equal results.

Why: the kernel in ``backprop_tui.core.kernel`` exists only for speed (per-sample
SGD cannot be batched, and numpy calls on 2- and 3-element arrays are mostly
overhead). This bench runs, in one process, the lab-style loop and our fast path
on the lab data, keeps the best of a few repeats of each, prints both times, the
speedup, and the largest relative difference of the per-epoch summed losses,
which must stay <= 1e-12 (exit status 1 otherwise).

    python bench/train_speed.py [--epochs N] [--repeat R]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np

from backprop_tui.core.session import TrainConfig
from backprop_tui.core.training import DataOptions, build_session

MAX_REL_DIFF = 1e-12
N_SAMPLES = 200


# -- (a) the lab's loop, as the notebook writes it (with dW2 shaped like W2) ----------
def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    return sigmoid(z) * (1 - sigmoid(z))


def mse_loss(prediction: np.ndarray, target: float) -> float:
    return np.mean((prediction - target) ** 2) / 2


def forward_backward_pass(x, target, W1, b1, W2, b2):
    """prediction, loss, dW1, db1, dW2, db2 for one sample, in the lab's style."""
    z1 = W1 @ x + b1
    a1 = sigmoid(z1)
    z2 = W2 @ a1 + b2
    pred = sigmoid(z2)
    loss = mse_loss(pred, target)
    grad_output = (pred - target) * sigmoid_prime(z2)
    dW2 = np.outer(grad_output, a1)          # (1, H), like W2 (the lab's outer is transposed)
    db2 = grad_output
    grad_hidden = W2.T @ grad_output * sigmoid_prime(z1)
    dW1 = np.outer(grad_hidden, x)
    db1 = grad_hidden
    return pred, loss, dW1, db1, dW2, db2


def lab_data() -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    rng = np.random.RandomState(42)  # the lab's seeded stream, without global state
    inputs = rng.uniform(-1, 1, size=(N_SAMPLES, 3))
    true_w, true_b = np.array([1.5, -2.0, 0.5]), -0.1
    targets = sigmoid(inputs @ true_w + true_b)
    W1 = 0.1 * rng.randn(2, 3)
    b1 = np.zeros(2)
    W2 = 0.1 * rng.randn(1, 2)
    b2 = np.zeros(1)
    return inputs, targets, [W1, b1, W2, b2]


def lab_loop(epochs: int) -> list[float]:
    """The notebook's training loop; returns the summed loss of every epoch."""
    inputs, targets, (W1, b1, W2, b2) = lab_data()
    lr = 0.5
    sums = []
    for _ in range(epochs):
        train_loss = 0.0
        for x, target in zip(inputs, targets, strict=True):
            _, loss, dW1, db1, dW2, db2 = forward_backward_pass(x, target, W1, b1, W2, b2)
            train_loss += loss
            W1 = W1 - lr * dW1
            W2 = W2 - lr * dW2
            b1 = b1 - lr * db1
            b2 = b2 - lr * db2
        sums.append(float(train_loss))
    return sums


# -- (b) ours ------------------------------------------------------------------------
def fast_path(epochs: int) -> list[float]:
    """What ``backprop-tui train`` does: build the session, run the epochs."""
    session = build_session(DataOptions(), TrainConfig(epochs=epochs))
    session.run_epochs(epochs)
    return [r.train_loss_sum for r in session.epoch_records]


def best_time(fn: Callable[[int], list[float]], epochs: int, repeat: int
              ) -> tuple[float, list[float]]:
    best = float("inf")
    result: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(epochs)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.repeat < 1:
        parser.error("--epochs and --repeat must be >= 1")

    t_lab, lab_sums = best_time(lab_loop, args.epochs, args.repeat)
    t_fast, fast_sums = best_time(fast_path, args.epochs, args.repeat)
    lab_arr, fast_arr = np.array(lab_sums), np.array(fast_sums)
    rel = float(np.max(np.abs(fast_arr - lab_arr) / np.abs(lab_arr)))
    updates = args.epochs * N_SAMPLES

    print(f"lab data, {args.epochs} epochs ({updates} updates), best of {args.repeat}")
    for label, t in (("lab-style numpy loop", t_lab), ("fast path (session)", t_fast)):
        print(f"{label + ':':22}{t * 1e3:9.2f} ms  ({t / updates * 1e6:6.2f} us/update)")
    print(f"ratio lab/fast: {t_lab / t_fast:.2f}")
    print(f"max relative difference of per-epoch summed losses: {rel:.3g} "
          f"(limit {MAX_REL_DIFF:g})")
    print(f"speedup: {t_lab / t_fast:.1f}x")
    if not rel <= MAX_REL_DIFF:
        print("FAIL: the fast path disagrees with the lab loop", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
