"""The rough edges a class hits: Play/Pause, one help, screenshots, warnings, the E
dialog typed in one burst, a gradient check that does not spoil, and themes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from textual import events
from textual.widgets import Footer

from backprop_tui.app.palette import PALETTE
from backprop_tui.app.widgets.gradcheck import GradCheckScreen
from backprop_tui.core.network.phases import PHASE_INDEX

from .conftest import make_app, wait_for_run


def footer_words(app) -> str:
    return " ".join(str(item.render()) for item in app.query_one(Footer).query("FooterKey"))


def test_footer_says_pause_while_autoplay_runs() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            assert "Play" in footer_words(app) and "Pause" not in footer_words(app)
            await pilot.press("space")
            await pilot.pause()
            assert app.autoplaying and "Pause" in footer_words(app)
            assert "Play" not in footer_words(app)
            await pilot.press("space")
            await pilot.pause()
            assert not app.autoplaying and "Play" in footer_words(app)

    asyncio.run(go())


def test_palette_has_one_help_and_a_screenshot_that_says_where(tmp_path) -> None:
    async def go():
        app = make_app()
        app.screenshot_dir = str(tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert "Help" in titles and "Keys" not in titles
            assert titles.count("Screenshot") == 1
            shot = next(c for c in app.get_system_commands(app.screen)
                        if c.title == "Screenshot")
            await shot.callback()
            await pilot.pause()
            saved = list(tmp_path.glob("*.svg"))
            assert len(saved) == 1
            status = str(app.query_one("#status-text").render())
            assert "screenshot saved" in status and str(saved[0].name) in status
            app.screenshot_dir = str(tmp_path / "missing")
            await shot.callback()
            await pilot.pause()
            assert "could not save" in str(app.query_one("#status-text").render())

    asyncio.run(go())


def test_dataset_warning_stays_until_dismissed() -> None:
    from backprop_tui.app.app import BackpropApp
    from backprop_tui.core.run.session import TrainConfig
    from backprop_tui.core.run.training import DataOptions, build_session

    async def go():
        session = build_session(DataOptions("iris"), TrainConfig())  # raw: targets up to 2.5
        assert session.dataset.warnings
        app = BackpropApp(session)
        async with app.run_test(size=(120, 40)) as pilot:
            warning = app.query_one("#warning")
            assert warning.display and "outside" in str(warning.render())
            await pilot.press("n", "n", "p", "t", "t")
            assert warning.display
            await pilot.press("x")
            assert not warning.display

    asyncio.run(go())


def test_keys_typed_in_one_burst_after_E_are_kept() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            for key, char in (("E", "E"), ("5", "5"), ("enter", "\r")):
                app.post_message(events.Key(key, char))
            await pilot.pause(0.3)
            await wait_for_run(app, pilot)
            assert app.session.cursor.epoch == 5

    asyncio.run(go())


def test_gradient_check_shows_only_what_the_step_has_reached() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*["n"] * PHASE_INDEX["delta1"], "g")
            assert isinstance(app.screen, GradCheckScreen)
            text = app.screen.query_one("#gradcheck-text").content
            plain = text.plain
            assert "dW2 (1,2)" in plain and "dW1 (2,3)" not in plain
            assert "dW1, db1: not shown yet" in plain.replace("\n", " ")
            assert "numeric: the same slope measured on the loss" in plain.replace("\n", " ")
            room = app.screen.query_one("#gradcheck-text").content_size.width
            assert all(line.cell_len <= room and "…" not in line.plain
                       for line in text.split("\n"))
            await pilot.press("escape", "n", "g")  # at dW1 now: every gradient is shown
            assert "dW1 (2,3)" in app.screen.query_one("#gradcheck-text").content.plain

    asyncio.run(go())


def test_projector_and_light_themes_recolour_everything() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            dark = (PALETTE.positive, PALETTE.produced)
            app.theme = "projector"
            await pilot.pause()
            assert (PALETTE.positive, PALETTE.produced) != dark
            assert PALETTE.background == (255, 255, 255)
            spans = app.query_one("#params").content.spans  # redrawn in the new colours
            assert any("#0033CC" in str(span.style).upper() for span in spans)
            app.theme = "textual-light"
            await pilot.pause()
            assert PALETTE.background == (224, 224, 224)

    asyncio.run(go())


def test_app_refuses_a_redirected_stdout_in_one_line(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    out = tmp_path / "out.txt"
    with out.open("w") as stdout:
        proc = subprocess.run([sys.executable, "-m", "backprop_tui"], stdout=stdout,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                              env=env, timeout=60, cwd=Path(__file__).parent)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "needs" not in proc.stderr
    assert "draws on a terminal" in proc.stderr and "backprop-tui train" in proc.stderr


def test_unknown_theme_is_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "backprop_tui", "--theme", "nope"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown theme 'nope'" in proc.stderr
    assert "projector" in proc.stderr and "Traceback" not in proc.stderr
