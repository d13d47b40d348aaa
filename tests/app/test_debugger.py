"""The debugger keys in the app: breakpoints (b, B, c, e/E), watches (w, W), files."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import DataTable

from backprop_tui.app.widgets.breakpoints import BreakpointsScreen, WatchesScreen
from backprop_tui.app.widgets.prompt import PromptDialog
from backprop_tui.core.network.phases import PHASE_INDEX

from .conftest import make_app, wait_for_run

N = 200


def status(app) -> str:
    return str(app.main.query_one("#status-text").content)


def test_breakpoint_added_listed_and_continued_to() -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("b")
            await pilot.pause()
            assert isinstance(app.screen, PromptDialog)
            await pilot.press(*"W3 > 1")
            await pilot.pause()
            assert "unknown name 'W3'" in app.screen.message
            for _ in range(6):
                await pilot.press("backspace")
            await pilot.press(*"sample == 17 and phase == 'delta2'")
            await pilot.pause()
            assert app.screen.message.startswith("stops where sample == 17")
            await pilot.press("enter")
            await pilot.pause()
            assert len(app.breakpoints) == 1
            assert "breakpoint 1" in status(app)

            await pilot.press("c")
            await wait_for_run(app, pilot)
            c = app.session.cursor
            assert (c.update, c.phase) == (16, PHASE_INDEX["delta2"])
            assert "stopped by breakpoint 1: sample == 17" in status(app)
            assert "at epoch 0, sample 17, phase delta2" in status(app)
            assert "sample = 17" in status(app)

            await pilot.press("c")  # the next occurrence: one epoch on
            await wait_for_run(app, pilot)
            assert app.session.cursor.update == N + 16

            await pilot.press("B")
            await pilot.pause()
            assert isinstance(app.screen, BreakpointsScreen)
            table = app.screen.query_one(DataTable)
            assert table.row_count == 2  # the built-in one, then ours
            assert "nan or inf" in str(table.get_row_at(0)[2])
            assert table.get_row_at(1)[3] == "2×"
            await pilot.press("down", "space")  # disable ours
            await pilot.pause()
            assert not app.breakpoints[0].enabled
            assert table.get_row_at(1)[1] == "·"
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("c")  # nothing enabled: said, nothing runs
            await pilot.pause()
            assert not app.running and "no breakpoint to continue to" in status(app)

    asyncio.run(scenario())


def test_e_stops_at_a_breakpoint_on_a_per_sample_value() -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("b", *"L < 0.005", "enter")
            await pilot.pause()
            assert len(app.breakpoints) == 1
            await pilot.press("E", *"5", "enter")
            await wait_for_run(app, pilot)
            s = app.session
            assert s.phase.key == "L"
            assert float(np.asarray(s.values["L"]).reshape(-1)[0]) < 0.005
            assert "stopped by breakpoint 1" in status(app) and "L = " in status(app)
            # Deleted: e runs to the end of the epoch as before.
            await pilot.press("B")
            await pilot.pause()
            await pilot.press("down", "d", "escape")
            await pilot.pause()
            assert len(app.breakpoints) == 0
            await pilot.press("e")
            await wait_for_run(app, pilot)
            assert s.cursor.phase == 0 and s.cursor.position == 0

    asyncio.run(scenario())


def test_watches_show_values_and_history() -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(160, 50)) as pilot:
            line = app.main.query_one("#watches")
            assert not line.display  # no watch: no line
            await pilot.press("w", *"W2[0,1]", "enter")
            await pilot.pause()
            await pilot.press("w", *"L", "enter")
            await pilot.pause()
            assert [w.text for w in app.watches] == ["W2[0,1]", "L"]
            assert line.display
            text = str(line.content)
            w = app.session.params.W2[0, 1]
            assert f"W2[0,1] = {w:.6g}" in text and "L = not yet" in text
            for _ in range(5):
                await pilot.press("n")
            assert "L = not yet" not in str(line.content)

            await pilot.press("E", *"2", "enter")
            await wait_for_run(app, pilot)
            await pilot.press("t", "t")  # loss -> fit -> watches
            await pilot.pause()
            assert app.main.query_one("#plots").active == "tab-watch"
            plot = app.main.query_one("#watch-plot")
            labels = [label for label, _, _ in plot._series]
            assert labels == ["W2[0,1]", "L"]
            xs, ys = plot._series[1][1], plot._series[1][2]
            assert len(xs) == 2 * N and np.all(np.isfinite(ys))
            assert xs[-1] == pytest.approx((2 * N - 1) / N)
            await pilot.press("W")
            await pilot.pause()
            assert isinstance(app.screen, WatchesScreen)
            await pilot.press("d", "escape")
            await pilot.pause()
            assert [w.text for w in app.watches] == ["L"]
            assert "W2[0,1]" not in str(line.content)

    asyncio.run(scenario())


def test_save_and_export_stay_in_the_files_folder(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = make_app()
        app.files_dir = str(tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("b", *"L < 0.01", "enter", "w", *"norm(dW1)", "enter")
            await pilot.pause()
            app.session.goto(40, 0)
            app.session.edit("lr = 0.3")
            app.session.goto(45, PHASE_INDEX["dW1"])
            await pilot.press("ctrl+s")
            await pilot.pause()
            field = app.screen.query_one("#prompt-input")
            field.value = "../outside.json"
            await pilot.pause()
            assert "'..'" in app.screen.message or ".." in app.screen.message
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PromptDialog)  # refused: still asking
            field.value = "run.json"
            await pilot.press("enter")
            await pilot.pause()
            saved = json.loads((tmp_path / "run.json").read_text())
            assert saved["edits"] == [{"update": 40, "text": "lr = 0.3"}]
            assert saved["breakpoints"] == [{"text": "L < 0.01", "enabled": True}]
            assert saved["watches"] == ["norm(dW1)"]
            assert saved["cursor"] == {"update": 45, "phase": PHASE_INDEX["dW1"]}

            (tmp_path / "run.json").write_text("precious")
            await pilot.press("ctrl+s")
            await pilot.pause()
            app.screen.query_one("#prompt-input").value = "run.json"
            await pilot.press("enter")
            await pilot.pause()
            assert "exists" in app.screen.message and "enter again" in app.screen.message
            await pilot.press("escape")
            await pilot.pause()
            assert (tmp_path / "run.json").read_text() == "precious"  # asked, not replaced

            await pilot.press("ctrl+e")
            await pilot.pause()
            assert app.screen.query_one("#prompt-input").value == "sample-e0-s46-dW1.json"
            await pilot.press("enter")
            await pilot.pause()
            sample = json.loads((tmp_path / "sample-e0-s46-dW1.json").read_text())
            assert sample["lr"] == 0.3
            assert np.array_equal(np.array(sample["values"]["dW1"]), app.session.values["dW1"])
            assert "saved" in status(app)

    asyncio.run(scenario())


def test_a_saved_session_resumes_exactly_with_its_lists(tmp_path: Path) -> None:
    """ctrl+s, then `backprop-tui --load FILE` (through the command line's own checks):
    the same place, the same numbers, the edits, breakpoints (with their state) and watches."""
    from backprop_tui.app.app import BackpropApp
    from backprop_tui.app_options import app_parser
    from backprop_tui.app_setup import prepare

    async def save_one() -> BackpropApp:
        app = make_app("iris", hidden=3, shuffle=True)
        app.files_dir = str(tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("b", *"L > 0.5", "enter", "b", *"sample == 9", "enter")
            await pilot.press("w", *"W2[0,2] - b2", "enter")
            await pilot.pause()
            app.breakpoints.disable(1)
            app.session.goto(300, 0)
            app.session.edit("W1[2] = [0.5, -0.5, 0.25]")
            await pilot.press("E", *"1", "enter")
            await wait_for_run(app, pilot)
            await pilot.press("n", "n", "n", "ctrl+s")
            await pilot.pause()
            app.screen.query_one("#prompt-input").value = "class.json"
            await pilot.press("enter")
            await pilot.pause()
        return app

    saved = asyncio.run(save_one())
    argv = ["--load", str(tmp_path / "class.json"), "--files-dir", str(tmp_path)]
    setup = prepare(app_parser().parse_args(argv), argv)
    app = BackpropApp(setup.session, files_dir=str(setup.files_dir), data=setup.data,
                      state=setup.state)

    async def resume() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            s, old = app.session, saved.session
            assert s.cursor == old.cursor
            assert [(e.update, e.text) for e in s.edits] == [(e.update, e.text) for e in old.edits]
            assert s.params.equals(old.params)
            for name, value in old.values.items():
                assert np.array_equal(np.asarray(s.values[name]), np.asarray(value)), name
            assert [(b.text, b.enabled) for b in app.breakpoints] == [("L > 0.5", True),
                                                                       ("sample == 9", False)]
            assert [w.text for w in app.watches] == ["W2[0,2] - b2"]
            assert app.main.query_one("#watches").display
            assert app.main.query("#tab-watch")

    asyncio.run(resume())


def test_autoplay_pauses_at_a_breakpoint() -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("b", *"phase == 'delta2'", "enter")
            await pilot.pause()
            for _ in range(3):
                await pilot.press("plus")
            await pilot.press("space")
            waited = 0.0
            while app.autoplaying and waited < 20:
                await pilot.pause(0.1)
                waited += 0.1
            assert not app.autoplaying
            assert app.session.phase.key == "delta2" and app.session.cursor.update == 0
            assert "autoplay paused by breakpoint 1" in status(app)

    asyncio.run(scenario())


def test_help_lists_the_debugger_keys_and_its_language() -> None:
    from textual.widgets import Static

    from backprop_tui.app.widgets.help import HelpScreen

    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            keys = {row[0]: row[1] for row in app.screen.rows}
            assert keys[":"] == "Go to" and keys["b"] == "Break" and keys["c"] == "Continue"
            assert keys["w"] == "Watch" and keys["="] == "Set" and keys["^s"] == "Save"
            lines = [strip.text for w in app.screen.query(Static)
                     for strip in w.render_lines(w.region.reset_offset)]
            assert any("fire where the condition becomes true" in line for line in lines)

    asyncio.run(scenario())


def test_on_a_small_screen_watches_share_the_status_line() -> None:
    """At 80x24 a row of its own would cost the diagram its hidden units: the watches
    take the status line's place while it shows nothing else."""
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("w", *"L", "enter")
            await pilot.pause()
            await pilot.press("u")
            await pilot.pause()
            assert not app.main.query_one("#watches").display
            assert status(app).startswith("watch L = 0.0839915")
            assert "+1 more" not in app.main.query_one("#network").content.plain

    asyncio.run(scenario())
