"""Loading a 1M-row numeric CSV: ``load_dataset`` against ``np.loadtxt``, side by side.

    python bench/load_csv.py [--rows 1000000] [--repeat 3]

Writes the file into a temporary directory, then alternates the two loaders,
each in a fresh interpreter (so peak memory is each one's own), and prints the
time and the peak resident memory of both, and the ratios. The goal (issue 10):
within 2x of np.loadtxt in time and memory. "extra" memory is the peak minus
what the interpreter held after its imports, i.e. what loading itself took.

Then the whole processes a user runs (issue 18): ``backprop-tui train --epochs 0
--dataset FILE`` (load, split, open the session, its initial loss) against the
lean baseline a user would write, ``python -c "np.loadtxt(FILE, ...)"``: wall time
and peak RSS of each process, side by side, and the ratios (goal: within 2x).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

CHILD = r"""
import json, resource, sys, time
import numpy as np
from backprop_tui.core.data.datasets import load_dataset

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

which, path = sys.argv[1], sys.argv[2]
base = rss_mb()
start = time.perf_counter()
if which == "loadtxt":
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    rows = len(data)
else:
    dataset, _ = load_dataset(path, test_fraction=0.2)
    rows = dataset.n_train + dataset.n_test
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "base_mb": base, "rows": rows}))
"""


def write_csv(path: str, rows: int) -> None:
    """Three inputs in [-1, 1) and a target in (0, 1), as the lab's data, with a header."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(rows, 3))
    y = 1 / (1 + np.exp(-(X @ [1.5, -2.0, 0.5] - 0.1)))
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.8f",
               header="x1,x2,x3,y", comments="")


def run(which: str, path: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, which, path], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


LOADTXT = ("import numpy as np, sys; "
           "np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)")


def whole(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one process, from the kernel's own accounting."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} exited with {proc.returncode}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def whole_processes(path: str, repeat: int) -> None:
    runs: dict[str, list[tuple[float, float]]] = {"np.loadtxt": [], "train --epochs 0": []}
    for _ in range(repeat):
        runs["np.loadtxt"].append(whole([sys.executable, "-c", LOADTXT, path]))
        runs["train --epochs 0"].append(whole([sys.executable, "-m", "backprop_tui", "train",
                                               "--epochs", "0", "--dataset", path]))
    med = {k: (statistics.median(t for t, _ in v), statistics.median(m for _, m in v))
           for k, v in runs.items()}
    for name, (seconds, peak) in med.items():
        print(f"{name:>17}: {seconds:6.2f} s, peak RSS {peak:6.0f} MiB (whole process)")
    (ta, ma), (tb, mb) = med["train --epochs 0"], med["np.loadtxt"]
    print(f"ratio train / loadtxt, whole process: time {ta / tb:.2f}x, peak RSS "
          f"{ma / mb:.2f}x (goal: within 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "big.csv")
        write_csv(path, args.rows)
        size = os.path.getsize(path) / 2**20
        print(f"{args.rows:,} rows x 4 columns, {size:.1f} MiB")
        results: dict[str, list[dict[str, float]]] = {"loadtxt": [], "load_dataset": []}
        for _ in range(args.repeat):
            for which in results:
                results[which].append(run(which, path))
        whole_processes(path, args.repeat)
    summary = {}
    for which, runs in results.items():
        assert all(r["rows"] == args.rows for r in runs)
        summary[which] = {
            "seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mb": statistics.median(r["peak_mb"] for r in runs),
            "extra_mb": statistics.median(r["peak_mb"] - r["base_mb"] for r in runs),
        }
        s = summary[which]
        print(f"{which:>13}: {s['seconds']:6.2f} s, peak RSS {s['peak_mb']:6.0f} MiB "
              f"({s['extra_mb']:5.0f} MiB over the interpreter's)")
    a, b = summary["load_dataset"], summary["loadtxt"]
    print(f"ratio load_dataset / loadtxt: time {a['seconds'] / b['seconds']:.2f}x, "
          f"peak RSS {a['peak_mb'] / b['peak_mb']:.2f}x, "
          f"extra memory {a['extra_mb'] / b['extra_mb']:.2f}x (goal: within 2x)")


if __name__ == "__main__":
    main()
