"""What the time-travel history costs after a long run: memory, and the time of a step back.

Why: the timeline keeps a checkpoint every 128 updates (thinned past 8192 of them)
plus one record per epoch (thinned past ~8k epochs), and rebuilds any other state
by replaying from the nearest checkpoint. That trade must stay cheap at the far
end of what a student might do: 1000 epochs of the lab data (200,000 updates),
and a run left going for a million epochs. This bench measures

* the memory the history holds: tracemalloc (current and peak, while the run is
  recorded) and the summed sys.getsizeof of the checkpoints and epoch records;
* after a million epochs on a 2-row CSV made in a temp dir (``--tiny-epochs``):
  the RSS the run added (numba's own one-off cost measured and printed apart)
  and what the history keeps;
* the time of one step back (plus recomputing what the app then shows) from
  many cursors: random ones, just after an update (the worst replay, 127
  samples), epoch starts, and deep in the run;

and exits with status 1 if memory exceeds 100 MB or a step back 50 ms.

    python bench/history.py [--epochs N] [--points P] [--seed S] [--tiny-epochs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc

import numpy as np

from backprop_tui.core.network.phases import PHASES, UPDATE_PHASE
from backprop_tui.core.run.session import Session, TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

MEMORY_LIMIT_MB = 100.0
STEP_BACK_LIMIT_MS = 50.0
MB = 1024 * 1024


def lab_session(epochs: int) -> Session:
    return build_session(DataOptions(), TrainConfig(epochs=epochs))


def history_bytes(session: Session) -> int:
    """Bytes of what the timeline keeps per run: the checkpoint array and epoch records."""
    tl = session.timeline
    records = list(tl.epoch_records)  # the records kept (all of them before thinning)
    return (sys.getsizeof(tl._checkpoints) + sys.getsizeof(records)
            + sum(sys.getsizeof(r) + sum(sys.getsizeof(v) for v in (r.train_loss_sum,
                                                                    r.train_loss, r.test_loss))
                  for r in records))


def rss_mb() -> float:
    """Resident set size now (Linux /proc; else the peak from getrusage)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB
    except OSError:  # pragma: no cover - not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def numba_fixed_mb() -> float:
    """RSS that loading the compiled kernel adds once per process (numba, LLVM), so that
    the run's own growth is measured apart from it; 0 without numba."""
    before = rss_mb()
    try:
        from backprop_tui.core.network.compiled import sgd_rows
    except ImportError:
        return 0.0
    one = np.zeros(1)
    sgd_rows(np.zeros(4), np.zeros((1, 1)), one, np.zeros(1, dtype=np.int64), 1, 0.5, one, 0.0)
    return rss_mb() - before


def tiny_run(epochs: int) -> tuple[float, float, float, int, int]:
    """A run of ``epochs`` epochs on a 2-row CSV: (seconds, RSS growth MB, history MB,
    epoch records kept, checkpoints kept), the compiled kernel loaded beforehand."""
    folder = tempfile.mkdtemp(prefix="history_")
    path = os.path.join(folder, "two_rows.csv")
    with open(path, "w", encoding="ascii") as f:
        f.write("x1,x2,y\n0.5,-0.25,0.75\n-1,1,0.125\n")
    session = build_session(DataOptions(source=path, test_fraction=0.0), TrainConfig())
    before = rss_mb()
    t0 = time.perf_counter()
    session.run_epochs(epochs)
    seconds = time.perf_counter() - t0
    grown = rss_mb() - before
    assert session.cursor.epoch == epochs, session.cursor
    return (seconds, grown, history_bytes(session) / MB, len(list(session.epoch_records)),
            session.timeline.n_checkpoints)


def traced_memory(epochs: int) -> tuple[float, float, float]:
    """(tracemalloc current MB, peak MB, seconds) of recording ``epochs`` epochs."""
    session = lab_session(epochs)
    tracemalloc.start()
    t0 = time.perf_counter()
    session.run_epochs(epochs)
    seconds = time.perf_counter() - t0
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return current / MB, peak / MB, seconds


def cursors(n: int, total: int, points: int, rng: np.random.RandomState
            ) -> list[tuple[str, int, int]]:
    """(kind, update, phase) positions to step back from."""
    out: list[tuple[str, int, int]] = []
    per = max(points // 4, 1)
    for u in rng.randint(1, total, per):
        out.append(("random", int(u), int(rng.randint(len(PHASES)))))
    for u in rng.randint(1, total // 128, per) * 128:  # P(u-1): the longest replays
        out.append(("after update", int(u), 0))
    for e in rng.randint(1, total // n, per):
        out.append(("epoch start", int(e) * n, 0))
    for u in range(total - per, total):
        out.append(("deep", u, int(rng.randint(len(PHASES)))))
    out.append(("end", total, 0))
    return out


def time_step_backs(session: Session, points: list[tuple[str, int, int]]
                    ) -> dict[str, list[float]]:
    """Milliseconds of step_back() plus reading the values and params the app then shows."""
    times: dict[str, list[float]] = {}
    for kind, u, k in points:
        assert session.goto(u, k)
        _ = session.values
        t0 = time.perf_counter()
        assert session.step_back()
        _ = session.values, session.params
        ms = (time.perf_counter() - t0) * 1e3
        expected = (u, k - 1) if k > 0 else (u - 1, UPDATE_PHASE)
        assert (session.cursor.update, session.cursor.phase) == expected
        times.setdefault(kind, []).append(ms)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tiny-epochs", type=int, default=1_000_000,
                        help="epochs of the 2-row run (0 skips it)")
    args = parser.parse_args(argv)
    if args.epochs < 2 or args.points < 4:
        parser.error("need --epochs >= 2 and --points >= 4")

    session = lab_session(args.epochs)
    t0 = time.perf_counter()
    session.run_epochs(args.epochs)
    run_s = time.perf_counter() - t0
    total = session.timeline.head
    size_mb = history_bytes(session) / MB
    current_mb, peak_mb, traced_s = traced_memory(args.epochs)
    points = cursors(session.n, total, args.points, np.random.RandomState(args.seed))
    times = time_step_backs(session, points)
    every = [t for ts in times.values() for t in ts]
    worst, median = max(every), statistics.median(every)

    print(f"lab data, {args.epochs} epochs = {total} updates, recorded in {run_s:.2f} s "
          f"({traced_s:.2f} s under tracemalloc); {session.timeline.n_checkpoints} "
          f"checkpoints every {session.timeline.interval} updates")
    print(f"history memory: tracemalloc current {current_mb:.2f} MB, peak {peak_mb:.2f} MB; "
          f"checkpoints+records {size_mb:.2f} MB (limit {MEMORY_LIMIT_MB:g} MB)")
    for kind, ts in times.items():
        print(f"  step back from {kind:>12}: n={len(ts):4d}  median {statistics.median(ts):6.3f} ms"
              f"  max {max(ts):6.3f} ms")
    print(f"step back: max {worst:.3f} ms, median {median:.3f} ms over {len(every)} cursors "
          f"(limit {STEP_BACK_LIMIT_MS:g} ms)")
    memory_mb = max(current_mb, peak_mb, size_mb)
    failed = []
    if args.tiny_epochs > 0:
        print(f"loading the compiled kernel (numba, LLVM) adds {numba_fixed_mb():.1f} MB RSS "
              "once per process")
        seconds, grown, kept_mb, kept, ckpts = tiny_run(args.tiny_epochs)
        print(f"2-row CSV, {args.tiny_epochs} epochs in {seconds:.1f} s: RSS grew {grown:.1f} MB; "
              f"history keeps {kept_mb:.2f} MB ({kept} epoch records, {ckpts} checkpoints) "
              f"(limit {MEMORY_LIMIT_MB:g} MB)")
        if max(grown, kept_mb) > MEMORY_LIMIT_MB:
            failed.append(f"{args.tiny_epochs} epochs keep {max(grown, kept_mb):.1f} MB")
    if memory_mb > MEMORY_LIMIT_MB:
        failed.append(f"memory {memory_mb:.2f} MB > {MEMORY_LIMIT_MB:g} MB")
    if worst > STEP_BACK_LIMIT_MS:
        failed.append(f"step back {worst:.3f} ms > {STEP_BACK_LIMIT_MS:g} ms")
    print("FAIL: " + "; ".join(failed) if failed else "OK: within both limits")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
