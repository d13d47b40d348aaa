"""Short runs are done at once on the UI thread; long ones in the worker, whose running
view (the plot with the room, the bar) comes with the first progress, half a second in.
Either way the run ends in plot view, with the same numbers as headless."""

from __future__ import annotations

import asyncio

import numpy as np

from backprop_tui.app import debugger
from backprop_tui.app.widgets.body import Body
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

from .conftest import make_app, wait_for_run


def status(app) -> str:
    return str(app.query_one("#status-text").render())


def headless(epochs: int):
    session = build_session(DataOptions(), TrainConfig())
    session.run_epochs(epochs)
    return session.params.flat()


def test_a_short_run_is_done_at_once_and_shows_the_curve() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            assert app.session.run_seconds(30 * app.session.n) < debugger.AT_ONCE_S
            workers = len(app.workers)
            app.start_run(30)
            # Done before start_run returned: no worker, no running state, no bar.
            assert app.session.cursor.epoch == 30 and not app.running
            assert len(app.workers) == workers
            assert "ran 30 epoch(s)" in status(app)
            await pilot.pause()
            body = app.query_one(Body)
            assert body.has_class("-plot-view") and not body.has_class("-running")
            assert not app.query_one("#equation").display  # the style took effect
            assert not app.query_one("#status-progress").display
            np.testing.assert_array_equal(app.session.params.flat(), headless(30))

    asyncio.run(go())


def test_a_short_run_that_turns_out_slow_goes_on_in_the_worker(monkeypatch) -> None:
    """An estimate that is wrong (a slow machine) costs at most AT_ONCE_LIMIT_S of a
    frozen screen: the worker takes over from the sample reached, with escape."""
    ticks = iter(range(1000))  # each look at the clock: 0.1 s later
    monkeypatch.setattr(debugger, "clock", lambda: 0.1 * next(ticks))

    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            app.start_run(40)
            assert app.running  # handed over
            assert 0 < app.session.cursor.update < 40 * app.session.n
            await wait_for_run(app, pilot)
            assert app.session.cursor.epoch == 40
            assert "ran 40 epoch(s)" in status(app)  # counted from where it started
            assert app.query_one(Body).has_class("-plot-view")
            np.testing.assert_array_equal(app.session.params.flat(), headless(40))

    asyncio.run(go())


def test_a_long_run_shows_its_progress_after_half_a_second() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            app.start_run(100_000_000)  # hours even compiled: only escape ends it
            body = app.query_one(Body)
            assert app.running and "running 100000000 epoch(s)" in status(app)
            assert not body.has_class("-running")  # the screen keeps its layout at first
            for _ in range(200):
                await pilot.pause(0.02)
                if body.has_class("-running"):
                    break
            assert body.has_class("-running")
            assert app.query_one("#status-progress").display
            await pilot.press("escape")
            await wait_for_run(app, pilot)
            assert not body.has_class("-running")
            assert app.query_one("#equation").display  # a cancelled run gives no plot view
            assert "cancelled" in status(app)

    asyncio.run(go())


def test_e_from_the_dialog_runs_after_it_closed() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("E", "backspace", "backspace", "backspace", "backspace", "7",
                              "enter")
            await wait_for_run(app, pilot)
            assert app.session.cursor.epoch == 7
            assert app.screen is app.main
            assert "ran 7 epoch(s)" in status(app)

    asyncio.run(go())


def test_plot_view_never_hides_what_does_not_fit() -> None:
    """The body drops its scrollbar in plot view only when the content fits, so nothing
    is ever cut off without a way to scroll to it."""
    async def go(size: tuple[int, int], hidden: int) -> str:
        app = make_app(hidden=hidden)
        async with app.run_test(size=size) as pilot:
            app.start_run(3)
            await pilot.pause()
            await pilot.pause(0.05)
            body = app.query_one(Body)
            assert body.has_class("-plot-view")
            if body.styles.overflow_y == "hidden":
                assert body.virtual_size.height <= body.size.height, size
            else:
                assert body.styles.overflow_y == "auto"
            return body.styles.overflow_y

    seen = {asyncio.run(go(size, hidden)) for size, hidden in
            (((120, 40), 2), ((100, 30), 2), ((80, 24), 2), ((160, 50), 5), ((120, 40), 32))}
    assert seen == {"hidden", "auto"}  # both cases were met


def test_a_short_go_to_is_done_at_once_a_long_one_in_the_worker() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            app.go_to_text("3 17 dW2")
            c = app.session.cursor
            assert (c.epoch, c.position, not app.running) == (3, 16, True)
            assert "at epoch 3" in status(app)
            app.go_to_text("400000 1")  # 80M updates: seconds even compiled: the worker
            assert app.running and "going to" in status(app)
            await pilot.press("escape")
            await wait_for_run(app, pilot)
            assert "go-to cancelled" in status(app)

    asyncio.run(go())


def test_the_outcome_is_one_line_at_every_width() -> None:
    """A second line of status would take a row from the curve it announces."""
    async def go(width: int, height: int) -> str:
        app = make_app()
        async with app.run_test(size=(width, height)) as pilot:
            app.start_run(500)
            await pilot.pause()
            text = status(app)
            assert text.startswith("ran 500 epoch(s)") and len(text) < width, (width, text)
            assert app.query_one("#status-text").size.height == 1
            return text

    texts = {asyncio.run(go(w, h)) for w, h in ((80, 24), (100, 30), (120, 40))}
    assert len(texts) == 3  # each width its own wording, the longest that fits
