"""What breakpoints cost a run, side by side in one process: ratios against a plain run.

Why: ``c``, ``e`` and ``E`` search for the first position where a breakpoint fires,
and the search must read every value the conditions use. This bench runs the lab
for N epochs (default 200, i.e. 40,000 updates) four ways, each from a fresh
session, and prints the time of each and its ratio to the plain run:

* ``session.run_epochs(N)``, no breakpoints: the baseline;
* ``run_until`` with a position condition that never fires (``epoch > 1e9``);
* with a parameter condition that never fires (``abs(W2[0,0]) > 1e9``);
* with a per-sample condition that never fires (``L > 1e9``);

then the time of one ``Condition.holds`` for a few conditions, and of a watch's
history after the run and after ``--history-epochs`` (a million updates by
default). All four runs must end with bit-identical parameters (exit status 1
otherwise).

    python bench/breakpoints.py [--epochs N] [--repeat R] [--history-epochs M]
"""

from __future__ import annotations

import argparse
import sys
import time
import timeit

from backprop_tui.core.debugger.breakpoints import Breakpoints, run_until
from backprop_tui.core.debugger.conditions import context_at, parse_for
from backprop_tui.core.debugger.watches import history
from backprop_tui.core.network.phases import UPDATE_PHASE
from backprop_tui.core.run.session import Session, TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

CASES = [("position", "epoch > 1e9"), ("parameter", "abs(W2[0,0]) > 1e9"),
         ("per-sample", "L > 1e9")]


def lab_session() -> Session:
    return build_session(DataOptions(), TrainConfig())


def timed(fn) -> tuple[float, Session]:
    session = lab_session()
    start = time.perf_counter()
    fn(session)
    return time.perf_counter() - start, session


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs each")
    parser.add_argument("--history-epochs", type=int, default=5000,
                        help="also time watch histories after this many epochs (0: skip)")
    args = parser.parse_args()
    n = lab_session().n
    target = args.epochs * n
    print(f"lab, {args.epochs} epochs = {target:,} updates; best of {args.repeat}")

    def plain(s: Session) -> None:
        s.run_epochs(args.epochs)

    runs = {"run_epochs, no breakpoint": [timed(plain) for _ in range(args.repeat)]}
    for kind, text in CASES:
        def search(s: Session, text: str = text) -> None:
            bps = Breakpoints()
            bps.add(parse_for(text, s.dataset.n_inputs, s.config.hidden))
            stop = run_until(s, bps, target)
            assert stop.reason == "target", stop.describe()
        runs[f"run_until, {kind}: {text}"] = [timed(search) for _ in range(args.repeat)]
    base = min(t for t, _ in runs["run_epochs, no breakpoint"])
    reference = runs["run_epochs, no breakpoint"][0][1].params
    same = True
    for name, results in runs.items():
        best = min(t for t, _ in results)
        same &= all(s.params.equals(reference) for _, s in results)
        print(f"  {name:48s} {best:8.3f} s  {best / base:7.1f}x  "
              f"({best / target * 1e6:.2f} us/update)")
    session = runs["run_epochs, no breakpoint"][0][1]
    session.goto(session.cursor.update - 1, UPDATE_PHASE)
    context = context_at(session)
    print("one Condition.holds at the update phase:")
    for text in ("L < 0.01", "abs(W2[0,1]) > 2 and epoch >= 3", "phase == 'dW2'",
                 "norm(dW1) > 1"):
        c = parse_for(text, 3, session.config.hidden)
        per = min(timeit.repeat(lambda c=c: c.holds(context), number=20_000, repeat=3)) / 20_000
        print(f"  {text:40s} {per * 1e6:6.2f} us")
    print(f"a watch's history at {session.cursor.update:,} updates (at most 2000 points):")
    for text in ("W2[0,1]", "L", "norm(dW1)"):
        start = time.perf_counter()
        updates, _ = history(session, parse_for(text, 3, session.config.hidden))
        print(f"  {text:40s} {time.perf_counter() - start:6.3f} s  ({len(updates)} points)")
    if args.history_epochs:
        long = lab_session()
        long.run_epochs(args.history_epochs)
        print(f"a watch's history at {long.cursor.update:,} updates (at most 2000 points):")
        for text in ("W2[0,1]", "L", "norm(dW1)"):
            start = time.perf_counter()
            updates, _ = history(long, parse_for(text, 3, long.config.hidden))
            print(f"  {text:40s} {time.perf_counter() - start:6.3f} s  ({len(updates)} points)")
    if not same:
        print("FAIL: the runs ended with different parameters")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
