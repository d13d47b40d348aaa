"""Rebuild the SVG screenshots in this folder: ``python screenshots/make.py``.

Each picture is the real app driven by Textual's Pilot, exactly as a snapshot
test drives it, so the pictures in the README are what a user sees.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from backprop_tui.app.app import BackpropApp
from backprop_tui.app.student import start_student
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

HERE = Path(__file__).resolve().parent
STUDENT = HERE.parent / "tests" / "students" / "transposed_dw2.py"
Steps = Callable[[BackpropApp, object], Awaitable[None]]


async def wait_run(app: BackpropApp, pilot) -> None:
    while app.running:
        await pilot.pause(0.05)
    await pilot.pause()


async def wait_student(app: BackpropApp, pilot) -> None:
    while app.comparison is None:
        await pilot.pause(0.05)
    await pilot.pause()


async def backward(app, pilot) -> None:
    await pilot.press(*["n"] * 9)  # phase dW1: gradients on the edges, flowing back


async def forward(app, pilot) -> None:
    await pilot.press("n", "n", "n", "n")


async def update(app, pilot) -> None:
    await pilot.press("u")


async def trained(app, pilot) -> None:
    await pilot.pause()
    app.start_run(200)  # long enough for the curves to part and to run together
    await wait_run(app, pilot)
    await plot_view(app, pilot)


async def plot_view(app, pilot) -> None:
    """Plot view, the curve in the room of the numbers: a finished run already gave it
    that room (and v would take it back)."""
    if not app.query_one("#body").has_class("-plot-view"):
        await pilot.press("v")


async def fit(app, pilot) -> None:
    await pilot.pause()
    app.start_run(20)
    await wait_run(app, pilot)
    await pilot.press("t")
    await plot_view(app, pilot)


async def student(app, pilot) -> None:
    await pilot.press("u")
    await wait_student(app, pilot)


async def gradcheck(app, pilot) -> None:
    await pilot.press("u", "g")  # on the update phase every gradient has been shown


async def debugger(app, pilot) -> None:
    """A breakpoint on a per-sample value, two watches, an edit of η, c to the stop."""
    await pilot.press("w", *"L", "enter", "w", *"W2[0,1]", "enter")
    await pilot.press("b", *"L < 0.005 and epoch >= 1", "enter")
    await pilot.press("colon", *"1 1", "enter")
    await wait_run(app, pilot)
    await pilot.press("equals_sign", *"lr = 1", "enter", "c")
    await wait_run(app, pilot)


async def watch_plot(app, pilot) -> None:
    await debugger(app, pilot)
    await pilot.press("B", "down", "d", "escape")  # no breakpoint: E runs its 3 epochs
    await pilot.press("E", *"3", "enter")
    await wait_run(app, pilot)
    await pilot.press("t", "t")


async def deep_backward(app, pilot) -> None:
    """A 3-4-4-1 tanh network in its backward pass: delta1, tanh' with its numbers."""
    for _ in range(12):
        await pilot.press("n")


async def output_error(app, pilot) -> None:
    """A softmax network at its output error: the probabilities, and why σ' cancels."""
    for _ in range(6):
        await pilot.press("n")


async def accuracy(app, pilot) -> None:
    await pilot.press("E", *"60", "enter")
    await wait_run(app, pilot)
    await pilot.press("t")  # the run gave the plot the room: its second tab, accuracy


DEEP = TrainConfig(hidden=(4, 4), activation="tanh")
SPECIES = DataOptions("iris-species", normalize=True)

SHOTS: list[tuple] = [
    ("00-network-backward", DataOptions(), backward, (120, 40), False),
    ("01-forward-pass", DataOptions(), forward, (120, 40), False),
    ("02-update", DataOptions(), update, (120, 40), False),
    ("03-iris-loss-curve", DataOptions("iris", normalize=True), trained, (120, 40), False),
    ("04-predictions-vs-targets", DataOptions(), fit, (120, 40), False),
    ("05-student-transposed-dW2", DataOptions(), student, (120, 40), True),
    ("06-gradient-check", DataOptions(), gradcheck, (120, 40), False),
    ("07-80x24", DataOptions(), update, (80, 24), False),
    ("08-112-columns", DataOptions(), backward, (112, 34), False),
    ("09-160x50", DataOptions("iris", normalize=True), backward, (160, 50), False),
    ("10-breakpoint-and-watches", DataOptions(), debugger, (120, 40), False),
    ("11-watch-history", DataOptions(), watch_plot, (120, 40), False),
    ("12-deeper-tanh", DataOptions(), deep_backward, (120, 40), False, DEEP),
    ("13-iris-species", SPECIES, output_error, (120, 40), False, TrainConfig(hidden=5)),
    ("14-iris-species-accuracy", SPECIES, accuracy, (120, 40), False, TrainConfig(hidden=5)),
]


async def shoot(name: str, data: DataOptions, steps: Steps, size: tuple[int, int],
                with_student: bool, config: TrainConfig | None = None) -> Path:
    session = build_session(data, config or TrainConfig())
    app = BackpropApp(session, student=start_student(str(STUDENT)) if with_student else None)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await steps(app, pilot)
        await pilot.pause()
        path = HERE / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(HERE))
    return path


def main(argv: list[str]) -> int:
    """Every screenshot, or those whose names start with the arguments (``12 13``)."""
    for name in ("NO_COLOR", "TEXTUAL_THEME"):  # the same colours as the snapshot tests
        os.environ.pop(name, None)
    for shot in SHOTS:
        if not argv or shot[0].startswith(tuple(argv)):
            print(asyncio.run(shoot(*shot)).relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
