"""Training speed, side by side in one run: a lab-style numpy loop, plain floats, compiled.

Why: per-sample SGD cannot be batched, so its speed is that of one update, done
200 times an epoch. The issue's goals (#12) are ratios against baselines run here,
on this machine, now:

* in-process, per update: the session path with the compiled kernel within 3x of a
  bare compiled loop, and >= 100x the lab-style numpy loop on the lab;
* whole process (``backprop-tui train``), lab at 3000 epochs: >= 20x the numpy loop
  once numba's cache is warm; >= 10x at ``--hidden 32`` and at d = 50 (10k rows,
  H = 32); ``train`` at 20 epochs no slower than before (``--before DIR``: a checkout
  of the old code, run side by side).

Every path must produce the same per-epoch losses: the compiled and plain kernels
bit for bit, the numpy loop within 1e-12 (exit status 1 otherwise).

    python bench/train_speed.py [--quick] [--before DIR] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from backprop_tui.core import engine
from backprop_tui.core.kernel import FastParams, sgd_samples
from backprop_tui.core.session import Session, TrainConfig
from backprop_tui.core.training import DataOptions, build_session

MAX_REL_DIFF = 1e-12
ROOT = Path(__file__).resolve().parents[1]


# -- (a) the lab's loop, as the notebook writes it (with dW2 shaped like W2) ----------
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def forward_backward_pass(x, target, W1, b1, W2, b2):
    """prediction, loss, dW1, db1, dW2, db2 for one sample, in the lab's style."""
    z1 = W1 @ x + b1
    a1 = sigmoid(z1)
    z2 = W2 @ a1 + b2
    pred = sigmoid(z2)
    loss = np.mean((pred - target) ** 2) / 2
    grad_output = (pred - target) * sigmoid_prime(z2)
    dW2 = np.outer(grad_output, a1)          # (1, H), like W2 (the lab's outer is transposed)
    grad_hidden = W2.T @ grad_output * sigmoid_prime(z1)
    dW1 = np.outer(grad_hidden, x)
    return pred, loss, dW1, grad_hidden, dW2, grad_output


def numpy_loop(s: Session, epochs: int) -> list[float]:
    """The notebook's training loop on the session's data; summed loss of every epoch."""
    p = s.params0
    W1, b1, W2, b2 = p.W1, p.b1, p.W2, p.b2
    lr, sums = s.config.lr, []
    for _ in range(epochs):
        train_loss = 0.0
        for x, target in zip(s.dataset.X_train, s.dataset.y_train, strict=True):
            _, loss, dW1, db1, dW2, db2 = forward_backward_pass(x, target, W1, b1, W2, b2)
            train_loss += loss
            W1, W2, b1, b2 = W1 - lr * dW1, W2 - lr * dW2, b1 - lr * db1, b2 - lr * db2
        sums.append(float(train_loss))
    return sums


# -- (b) bare loops: no session, no checkpoints ----------------------------------------
def plain_floats(s: Session, epochs: int) -> list[float]:
    fast = FastParams.from_params(s.params0)
    xs, ys = s.dataset.X_train.tolist(), s.dataset.y_train.tolist()
    sums = []
    for _ in range(epochs):
        losses: list[float] = []
        sgd_samples(fast, xs, ys, s.config.lr, losses)
        total = 0.0
        for v in losses:
            total += v
        sums.append(total)
    return sums


def bare_compiled(s: Session, epochs: int) -> list[float]:
    from backprop_tui.core.compiled import sgd_rows

    theta = s.params0.flat()
    X = np.ascontiguousarray(s.dataset.X_train)
    Y = np.ascontiguousarray(s.dataset.y_train)
    rows, out = np.arange(len(Y), dtype=np.int64), np.empty(len(Y))
    sums = []
    for _ in range(epochs):
        _, total = sgd_rows(theta, X, Y, rows, s.config.hidden, s.config.lr, out, 0.0)
        sums.append(total)
    return sums


# -- (c) ours: the session path, each kernel forced ------------------------------------
def session_path(kernel: str) -> Callable[[Session, int], list[float]]:
    """run_epochs on a fresh session (built before the clock starts, see best_time)."""
    def run(fresh: Session, epochs: int) -> list[float]:
        os.environ[engine.KERNEL_ENV] = kernel
        fresh.run_epochs(epochs)
        assert fresh.timeline.kernels_used == {kernel}
        return [r.train_loss_sum for r in fresh.epoch_records]
    run.fresh = True  # type: ignore[attr-defined]
    return run


PATHS = [("numpy loop (lab style)", numpy_loop), ("plain floats, bare", plain_floats),
         ("compiled, bare", bare_compiled), ("session, plain floats", session_path("python")),
         ("session, compiled", session_path("numba"))]


def best_time(fn, s: Session, epochs: int, repeat: int) -> tuple[float, list[float]]:
    best, result, spent = float("inf"), [], 0.0
    for _ in range(repeat):
        arg = Session(s.dataset, s.params0, s.config) if getattr(fn, "fresh", False) else s
        t0 = time.perf_counter()
        result = fn(arg, epochs)
        took = time.perf_counter() - t0
        best, spent = min(best, took), spent + took
        if spent > 2.0:
            break
    return best, result


def wide_csv(folder: str, rows: int = 10_000, d: int = 50) -> str:
    """A seeded d-input regression CSV (targets in (0, 1)): the 'd = 50' case."""
    rng = np.random.RandomState(7)
    X = rng.uniform(-1, 1, (rows, d))
    y = 1 / (1 + np.exp(-(X @ rng.normal(0, 0.3, d))))
    path = os.path.join(folder, f"wide_{rows}x{d}.csv")
    header = ",".join([f"x{i}" for i in range(d)] + ["y"])
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="",
               fmt="%.17g")
    return path


def in_process(cases, repeat: int) -> tuple[dict[str, dict[str, float]], bool]:
    print("in-process, per SGD update (best of up to", repeat, "runs)")
    print(f"{'case':28}" + "".join(f"{label:>24}" for label, _ in PATHS))
    table: dict[str, dict[str, float]] = {}
    ok = True
    for name, data, hidden, epochs in cases:
        s = build_session(data, TrainConfig(hidden=hidden))
        bare_compiled(s, 1)  # load the compiled code before timing
        times, results = {}, {}
        for label, fn in PATHS:
            t, results[label] = best_time(fn, s, epochs, repeat)
            times[label] = t / (epochs * s.n) * 1e6
        table[name] = times
        print(f"{name:28}" + "".join(f"{times[label]:21.3f} us" for label, _ in PATHS))
        same = results["session, compiled"] == results["session, plain floats"] \
            == results["plain floats, bare"] == results["compiled, bare"]
        ref, ours = np.array(results["numpy loop (lab style)"]), np.array(results["compiled, bare"])
        rel = float(np.max(np.abs(ours - ref) / np.abs(ref)))
        ok = ok and same and rel <= MAX_REL_DIFF
        numpy, plain = times["numpy loop (lab style)"], times["session, plain floats"]
        compiled = times["session, compiled"]
        print(f"{'':28}session compiled / bare compiled "
              f"{compiled / times['compiled, bare']:.2f}x (goal <= 3); numpy loop / session "
              f"compiled {numpy / compiled:.0f}x; numpy / session plain {numpy / plain:.2f}x; "
              f"kernels bit-identical: {same}; numpy loop rel. diff {rel:.2g}")
    return table, ok


def whole_process(args: list[str], env: dict[str, str], repeat: int, cwd: Path) -> float:
    """Median wall time of ``python -m backprop_tui train ARGS`` (output discarded)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "backprop_tui", "train", *args], cwd=cwd,
                       env=env, stdout=subprocess.DEVNULL, check=True, timeout=600)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller cases, fewer repeats")
    parser.add_argument("--before", metavar="DIR",
                        help="a checkout of the code before, for `train` side by side")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if not engine.numba_installed():
        parser.error("numba is not installed: this bench compares against it")
    tmp = tempfile.mkdtemp(prefix="train_speed_")
    wide = DataOptions(source=wide_csv(tmp, 2000 if args.quick else 10_000), test_fraction=0.0)
    cases = [("lab 3-2-1", DataOptions(), 2, 20 if args.quick else 100),
             ("lab --hidden 32", DataOptions(), 32, 2 if args.quick else 10),
             ("lab --hidden 128", DataOptions(), 128, 1 if args.quick else 3),
             ("d=50, H=32", wide, 32, 1)]
    table, ok = in_process(cases, args.repeat)

    print("\nwhole process, `backprop-tui train` (median of", args.repeat, "runs; seconds)")
    base_env = {k: v for k, v in os.environ.items() if k != engine.KERNEL_ENV}
    cold = tempfile.mkdtemp(prefix="numba_cold_")
    runs = [("plain floats", {engine.KERNEL_ENV: "python"}, ROOT),
            ("auto (numba cache warm)", {}, ROOT)]
    if args.before:
        runs.insert(0, ("before (--before)", {}, Path(args.before)))
    lab_numpy = table["lab 3-2-1"]["numpy loop (lab style)"] * 1e-6
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import numpy"], check=True)
    startup = time.perf_counter() - t0
    print(f"  numpy loop, estimated: python + numpy start-up {startup:.3f} s + in-process "
          f"rate x updates (20 epochs {startup + lab_numpy * 4000:.2f} s, "
          f"3000 epochs {startup + lab_numpy * 600_000:.2f} s)")
    results: dict[str, dict[int, float]] = {}
    for label, extra, cwd in runs:
        env = {**base_env, **extra}
        results[label] = {e: whole_process(["--epochs", str(e)], env, args.repeat, cwd)
                          for e in (20, 3000)}
    # compile included: a cache directory of its own, emptied before every run
    env = {**base_env, engine.KERNEL_ENV: "numba", "NUMBA_CACHE_DIR": cold}
    results["numba, compile included"] = {}
    for e in (20, 3000):
        times = []
        for _ in range(max(1, args.repeat // 2)):
            subprocess.run(["rm", "-rf", cold], check=True)
            times.append(whole_process(["--epochs", str(e)], env, 1, ROOT))
        results["numba, compile included"][e] = statistics.median(times)
    for label, r in results.items():
        marginal = (r[3000] - r[20]) / (2980 * 200) * 1e6
        print(f"  {label:26} 20 epochs {r[20]:6.3f} s   3000 epochs {r[3000]:6.3f} s   "
              f"marginal {marginal:6.3f} us/update   numpy loop / this at 3000: "
              f"{(startup + lab_numpy * 600_000) / r[3000]:5.1f}x")
    if args.before:
        print(f"  train --epochs 20: before {results['before (--before)'][20]:.3f} s, "
              f"now {results['auto (numba cache warm)'][20]:.3f} s")
    for name, data_args, hidden, epochs in (("--hidden 32, 3000 epochs", [], 32, 3000),
                                            ("d=50 H=32, 20 epochs", ["--dataset", wide.source,
                                                                      "--test-fraction", "0"],
                                             32, 20)):
        argv = [*data_args, "--hidden", str(hidden), "--epochs", str(epochs)]
        t = whole_process(argv, base_env, max(1, args.repeat // 2), ROOT)
        case = "lab --hidden 32" if "hidden 32," in name else "d=50, H=32"
        n = 200 if case.startswith("lab") else table_rows(wide.source)
        est = startup + table[case]["numpy loop (lab style)"] * 1e-6 * epochs * n
        print(f"  {name:26} auto {t:6.3f} s; numpy loop estimated {est:6.2f} s: "
              f"{est / t:5.1f}x (goal >= 10)")
    print("OK: same losses on every path" if ok else "FAIL: the paths disagree")
    return 0 if ok else 1


def table_rows(path: str) -> int:
    with open(path, encoding="ascii") as f:
        return sum(1 for _ in f) - 1


if __name__ == "__main__":
    sys.exit(main())
