"""`E` N epochs in the app against the same epochs headless, side by side.

Why: a run in the app shares the process with the UI (progress messages, plot
redraws, the event loop), and issue #12 asks it to stay within 1.3x of the same
run headless. The app runs under Textual's Pilot (headless, 120x40); the clock
starts when the epochs dialog is submitted and stops when the run reports that
it finished. Medians of ``--repeat`` runs, alternating app and headless.

    python bench/app_run.py [--epochs N] [--repeat R] [--hidden H]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from backprop_tui.core.session import TrainConfig
from backprop_tui.core.training import DataOptions, build_session

GOAL = 1.3


def headless(epochs: int, hidden: int) -> float:
    session = build_session(DataOptions(), TrainConfig(hidden=hidden, epochs=epochs))
    t0 = time.perf_counter()
    session.run_epochs(epochs)
    return time.perf_counter() - t0


async def in_app(epochs: int, hidden: int, timeout: float = 300.0) -> float:
    """From the moment the run starts (the dialog answered) to the moment the app has
    handled its end and drawn the result: the app's own cost, not Pilot's (a Pilot press
    waits for the screen to settle, ~0.1 s that no terminal user pays)."""
    from textual import events
    from textual.widgets import Input

    from backprop_tui.app.app import BackpropApp

    marks: dict[str, float] = {}

    class Timed(BackpropApp):  # Textual finds handlers on the class: time them there
        CSS_PATH = str(Path(__import__("backprop_tui.app.app").app.app.__file__).parent
                       / "app.tcss")  # a subclass elsewhere resolves CSS_PATH from here

        def start_run(self, n_epochs: int) -> None:
            marks["start"] = time.perf_counter()
            super().start_run(n_epochs)

        def on_run_finished(self, message) -> None:
            super().on_run_finished(message)
            marks["end"] = time.perf_counter()

    session = build_session(DataOptions(), TrainConfig(hidden=hidden, epochs=epochs))
    app = Timed(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("E")
        await pilot.pause()
        app.screen.query_one(Input).value = str(epochs)
        app.post_message(events.Key("enter", "\r"))  # as a terminal sends it: no Pilot wait
        t0 = time.perf_counter()
        while "end" not in marks and time.perf_counter() - t0 < timeout:
            await asyncio.sleep(0.001)
        assert session.cursor.epoch == epochs, session.cursor
    return marks["end"] - marks["start"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--hidden", type=int, default=2)
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.repeat < 1 or args.hidden < 1:
        parser.error("--epochs, --repeat and --hidden must be >= 1")
    apps, heads = [], []
    for _ in range(args.repeat):
        apps.append(asyncio.run(in_app(args.epochs, args.hidden)))
        heads.append(headless(args.epochs, args.hidden))
    app, head = statistics.median(apps), statistics.median(heads)
    print(f"lab, --hidden {args.hidden}, {args.epochs} epochs, median of {args.repeat}: "
          f"app (E) {app:.3f} s, headless {head:.3f} s, ratio {app / head:.2f} "
          f"(goal <= {GOAL:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
