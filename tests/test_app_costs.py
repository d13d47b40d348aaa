"""What keeps the app's first frame and its runs cheap (issue #12), proved through Pilot.

* the garbage collector is off while the app builds its screen and on again, with
  start-up's objects frozen (no later collection walks them), once the first frame
  is out; everything is unfrozen when the app ends;
* the Footer's keys dim and light up in place when a run starts and ends (no
  recompose), showing what a recompose would show;
* progress messages carry the finished epochs' records, read by the worker, so the
  UI thread never waits for the trainer's lock.
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from conftest import lab_session
from textual.compose import compose
from textual.widgets import Footer

from backprop_tui.app import app as app_module
from backprop_tui.app import runs as runs_module
from backprop_tui.app.app import BackpropApp
from backprop_tui.app.keys import DURING_RUN
from backprop_tui.app.runs import EpochRuns, RunFinished, RunProgress


def run(coro) -> None:
    asyncio.run(coro)


async def plots_mounted(app: BackpropApp, pilot) -> None:
    for _ in range(200):
        if app.main.query("#fit-plot"):
            break
        await pilot.pause(0.02)
    await pilot.pause()


def test_collector_is_off_during_start_up_and_back_on_after_the_first_frame() -> None:
    seen: dict[str, bool] = {}

    class Probe(BackpropApp):
        CSS_PATH = str(Path(app_module.__file__).parent / "app.tcss")  # resolved from here

        def _first_show(self) -> None:  # called by the main screen's on_mount
            seen["at_mount"] = gc.isenabled()
            super()._first_show()

    assert gc.isenabled()

    async def go():
        app = Probe(lab_session())
        async with app.run_test(size=(120, 40)) as pilot:
            await plots_mounted(app, pilot)
            seen["after_first_frame"] = gc.isenabled()
            seen["frozen"] = gc.get_freeze_count() > 0

    run(go())
    assert seen == {"at_mount": False, "after_first_frame": True, "frozen": True}
    assert gc.isenabled() and gc.get_freeze_count() == 0  # the app gave it all back


def footer_state(app: BackpropApp) -> list[tuple[str, bool]]:
    keys = app.main.query_one(Footer).children
    return [(k.key, k.has_class("-disabled")) for k in keys]


def test_footer_keys_dim_in_place_during_a_run_as_a_recompose_would_show_them() -> None:
    async def go():
        app = BackpropApp(lab_session())
        async with app.run_test(size=(120, 40)) as pilot:
            await plots_mounted(app, pilot)
            footer = app.main.query_one(Footer)
            before = list(footer.children)
            assert not any(dimmed for _, dimmed in footer_state(app))

            app.runs.running = True  # as EpochRuns.start marks it, without a thread
            app.refresh_bindings()
            await pilot.pause()
            during = footer_state(app)
            assert list(footer.children) == before  # the same widgets: no recompose
            with footer._context():  # what Textual's Footer would mount now
                fresh = [(k.key, k.has_class("-disabled")) for k in compose(footer)]
            assert during == fresh
            dimmed = {k.key for k in footer.children if k.has_class("-disabled")}
            assert dimmed and all(k.action not in DURING_RUN for k in footer.children
                                  if k.key in dimmed)
            assert all(k._disabled == (k.key in dimmed) for k in footer.children)

            app.runs.finished()
            app.refresh_bindings()
            await pilot.pause()
            assert list(footer.children) == before
            assert not any(d for _, d in footer_state(app))

            app.ask.toggle()  # ask mode swaps "Ask" for "Ask off": a different key set
            app.refresh_bindings()
            await pilot.pause()
            await pilot.pause()
            assert "Ask off" in [k.description for k in footer.children]

    run(go())


def test_progress_messages_carry_the_records_the_worker_read(monkeypatch) -> None:
    session = lab_session()
    posted: list[object] = []
    runs = EpochRuns(session, posted.append)
    runs.start(7)()  # the worker's function, run here: 7 epochs take under half a second
    assert len(posted) == 1 and isinstance(posted[0], RunFinished)  # no progress: too short
    monkeypatch.setattr(runs_module, "FIRST_PROGRESS", 0.0)
    runs.start(7)()  # now the first chunk reports at once
    progress = [m for m in posted if isinstance(m, RunProgress)]
    assert progress and isinstance(posted[-1], RunFinished)
    for m in progress:
        epoch = m.update // session.n
        assert m.records == session.timeline.records_before(epoch)
        assert [r.epoch for r in m.records] == list(range(epoch))
