"""What an edit of a parameter or η costs, against the moves it sits beside.

Why: an edit truncates the history and recomputes the running epoch's loss sum by
replaying that epoch up to the cursor; a step back across an edit restarts the
replay from the edited vector. Neither may make the debugger feel slower than a
step back, and a thousand edits must stay small. This bench, on the lab data after
``--epochs`` epochs (the same run side by side, with and without edits), prints

* the time of ``edit_preview`` + ``edit`` at random cursors, against a step back
  (plus the values the app then shows) at the same cursors: the ratio;
* the time of a step back just after an edit, against one with no edit near;
* the time of a 20-epoch run after an edit, against the same run with none;
* the memory 1000 edits keep (tracemalloc), and that edit 1001 is refused.

    python bench/edits.py [--epochs N] [--points P] [--seed S]
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np

from backprop_tui.core.debugger.edits import EditError
from backprop_tui.core.run.session import Session, TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session


def lab(epochs: int) -> Session:
    s = build_session(DataOptions(), TrainConfig())
    s.run_epochs(epochs)
    return s


def ms(seconds: list[float]) -> float:
    return 1000 * statistics.median(seconds)


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=1000)
    ap.add_argument("--points", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    base, edited = lab(args.epochs), lab(args.epochs)
    n, end = base.n, base.timeline.head
    cursors = sorted(int(u) for u in rng.integers(1, end, args.points))

    edit_s, back_s, back_edit_s = [], [], []
    for u in cursors:
        base.goto(u, 3)
        back_s.append(timed(lambda: (base.step_back(), base.values)))
        edited.goto(u, 3)
        edit_s.append(timed(lambda: (edited.edit_preview("W1[0,1] = 0.25"),
                                     edited.edit("W1[0,1] = 0.25"), edited.values)))
        edited.goto(u + 1, 0)
        back_edit_s.append(timed(lambda: (edited.step_back(), edited.values)))
    print(f"lab, {args.epochs} epochs ({end:,} updates), {args.points} cursors, median:")
    print(f"  step back + values        {ms(back_s):8.3f} ms   (baseline)")
    print(f"  preview + edit + values   {ms(edit_s):8.3f} ms   x{ms(edit_s) / ms(back_s):.1f}")
    print(f"  step back across an edit  {ms(back_edit_s):8.3f} ms   "
          f"x{ms(back_edit_s) / ms(back_s):.1f}")

    plain, after = lab(10), lab(10)
    after.goto(10 * n - 57, 0)
    after.edit("lr = 0.4")
    after.goto(10 * n, 0)
    t_plain = timed(lambda: plain.run_epochs(20))
    t_after = timed(lambda: after.run_epochs(20))
    print(f"  20 epochs, no edit        {1000 * t_plain:8.1f} ms   (baseline)")
    print(f"  20 epochs after an edit   {1000 * t_after:8.1f} ms   x{t_after / t_plain:.2f}")

    s = lab(0)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for k in range(1000):
        s.goto(k, 0)
        s.edit(f"b1 = [{k / 1000}, -0.5]" if k % 2 else f"lr = {0.1 + k / 1000}")
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    try:
        s.goto(1000, 0)
        s.edit("b2 = 0")
        refused = "not refused"
    except EditError as err:
        refused = f"refused: {err}"
    print(f"  1000 edits keep           {kept / 1024:8.0f} KiB (tracemalloc); edit 1001 {refused}")


if __name__ == "__main__":
    main()
