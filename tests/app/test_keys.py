"""Each key's effect on the core state, driven through Textual's Pilot."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, TabbedContent

from backprop_tui.app.autoplay import PACES
from backprop_tui.app.widgets.gradcheck import GradCheckScreen
from backprop_tui.app.widgets.help import HelpScreen
from backprop_tui.core.network.phases import PHASES, UPDATE_PHASE

from .conftest import make_app, wait_for_run

STUDENTS = Path(__file__).resolve().parents[1] / "students"


def run(coro) -> None:
    """Pilot tests are coroutines; run each in its own event loop (no async plugin needed)."""
    asyncio.run(coro)


def cursor(app) -> tuple[int, int]:
    return app.session.cursor.update, app.session.cursor.phase


def test_step_forward_and_back_keys() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("n", "right", "n")
            assert cursor(app) == (0, 3)
            await pilot.press("p", "left")
            assert cursor(app) == (0, 1)
            await pilot.press("left", "left")  # the second one is refused at the start
            assert cursor(app) == (0, 0)
            assert "start of the run" in str(app.query_one("#status-text").render())

    run(go())


def test_update_and_sample_keys() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("u")
            assert cursor(app) == (0, UPDATE_PHASE)
            await pilot.press("N")
            assert cursor(app) == (1, 0)
            await pilot.press("shift+right", "n", "n")
            assert cursor(app) == (2, 2)
            await pilot.press("P")
            assert cursor(app) == (1, 0)
            await pilot.press("shift+left", "shift+left")
            assert cursor(app) == (0, 0)

    run(go())


def test_step_back_across_update_restores_parameters() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            before = app.session.params
            await pilot.press(*["n"] * len(PHASES))  # through the update to sample 2
            assert cursor(app) == (1, 0)
            assert not app.session.params.equals(before)
            await pilot.press("p")
            assert cursor(app) == (0, UPDATE_PHASE)
            assert app.session.params.equals(before)

    run(go())


def test_run_one_epoch_then_reset() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            initial = app.session.params
            await pilot.press("e")
            await wait_for_run(app, pilot)
            assert cursor(app) == (200, 0)
            assert len(app.session.epoch_records) == 1
            assert "ran 1 epoch" in str(app.query_one("#status-text").render())
            await pilot.press("r")
            assert cursor(app) == (0, 0)
            assert app.session.params.equals(initial)

    run(go())


def test_run_n_epochs_asks_for_n() -> None:
    async def go():
        app = make_app(epochs=3)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("E")
            await pilot.pause()
            field = app.screen.query_one(Input)
            assert field.value == "3"  # the --epochs value is the default
            await pilot.press("backspace", "x", "enter")  # not a number: stays open
            assert app.screen.query_one(Input) is field
            field.value = "2"
            await pilot.press("enter")
            await wait_for_run(app, pilot)
            assert cursor(app) == (400, 0)

    run(go())


def test_cancel_midway_leaves_a_state_to_step_from() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            app.start_run(100_000_000)  # hours of work even compiled: only a cancel ends it
            await pilot.pause(0.3)
            assert app.running
            await pilot.press("n")  # stepping is off while running
            await pilot.press("escape")
            await wait_for_run(app, pilot)
            u, phase = cursor(app)
            assert phase == 0 and 0 < u < 100_000_000 * 200
            assert "cancelled" in str(app.query_one("#status-text").render())
            await pilot.press("n", "p", "p")
            assert cursor(app) == (u - 1, UPDATE_PHASE)

    run(go())


def test_autoplay_starts_steps_and_stops() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("plus", "plus")  # fastest pace
            assert app.autoplay.pace == len(PACES) - 1
            await pilot.press("space")
            assert app.autoplaying
            await pilot.pause(0.5)
            await pilot.press("space")
            assert not app.autoplaying
            stopped_at = cursor(app)
            assert stopped_at > (0, 1)
            await pilot.pause(0.3)
            assert cursor(app) == stopped_at

    run(go())


def test_plot_tab_and_help_keys() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            tabs = app.query_one(TabbedContent)
            assert tabs.active == "tab-loss"
            await pilot.press("t")
            assert tabs.active == "tab-fit"
            await pilot.press("t")
            assert tabs.active == "tab-loss"
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            keys = {name: k for k, name, _ in app.screen.rows}
            assert keys["Step"].split(", ") == ["n", "→"]
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)

    run(go())


def test_divergence_pauses_and_says_so(tmp_path) -> None:
    # Inputs near the float limit overflow W1 x to +inf - inf = nan on the first sample.
    data = tmp_path / "huge.csv"
    data.write_text("a,b,y\n1e308,-1e308,0.5\n-1e308,1e308,0.2\n1e308,1e308,0.9\n")

    async def go():
        app = make_app(str(data), init_scale=10.0)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("e")
            await wait_for_run(app, pilot)
            assert app.session.divergence is not None
            assert app.session.params.is_finite()
            assert "diverged" in str(app.query_one("#status-text").render())
            await pilot.press("u", "n")  # stepping into it shows the nan, refuses to go on
            assert cursor(app) == (0, UPDATE_PHASE)
            assert "diverged" in str(app.query_one("#status-text").render())
            await pilot.press("p")  # the app keeps working
            assert cursor(app) == (0, UPDATE_PHASE - 1)

    run(go())


def test_resize_to_tiny_and_back() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.resize_terminal(40, 12)
            await pilot.pause()
            await pilot.press("n")
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            body = app.query_one("#body")
            assert body.styles.grid_size_columns == 1  # the diagram alone across the width
            await pilot.resize_terminal(120, 40)
            await pilot.pause()
            assert body.styles.grid_size_columns == 2  # the Parameters beside the diagram
            assert cursor(app) == (0, 1)

    run(go())


def test_small_terminal_scrolls_with_up_down_and_still_steps_with_arrows() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            body = app.query_one("#body")
            assert body.max_scroll_y > 0  # at 80x24 the equation and plots lie below
            await pilot.press("pagedown")
            await pilot.pause()
            assert body.scroll_y > 0
            await pilot.press("right")
            assert cursor(app) == (0, 1)

    run(go())


def test_gradient_check_key_opens_and_closes_the_view() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("n", "g")
            assert isinstance(app.screen, GradCheckScreen)
            assert [c.name for c in app.screen.checks] == ["W1", "b1", "W2", "b2"]
            assert max(c.max_error for c in app.screen.checks) < 1e-7
            await pilot.press("g")
            assert not isinstance(app.screen, GradCheckScreen)
            assert cursor(app) == (0, 1)  # looking does not move the cursor

    run(go())


def test_command_palette_offers_the_key_actions() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)):
            names = {c.title for c in app.get_system_commands(app.screen)}
            assert {"Step", "Back", "Update", "Epoch", "Gradcheck", "Reset"} <= names
            step = next(c for c in app.get_system_commands(app.screen) if c.title == "Step")
            await step.callback()
            assert cursor(app) == (0, 1)

    run(go())


def test_q_quits() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running

    run(go())


def test_student_that_never_returns_is_stopped_and_the_app_keeps_working(monkeypatch) -> None:
    from backprop_tui.app import student as student_view

    monkeypatch.setattr(student_view, "CALL_SECONDS", 0.5)
    proc = student_view.start_student(str(STUDENTS / "never_returns.py"))

    async def go():
        app = make_app(student=proc)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("u")
            for _ in range(100):
                if app.comparison is not None:
                    break
                await pilot.pause(0.05)
            assert isinstance(app.comparison[1], str) and "did not return" in app.comparison[1]
            await pilot.press("N", "n")  # still steps; later samples are not asked again
            assert cursor(app) == (1, 1)
        assert proc.pid is None  # quitting ended the student's process

    run(go())


def test_resize_after_the_loss_plot_went_log_scale() -> None:
    """plotext log-scales its data in place at each build; a re-render must not re-log it."""

    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(2):  # two epochs: the loss plot switches to a log scale
                await pilot.press("e")
                await wait_for_run(app, pilot)
            await pilot.resize_terminal(110, 38)
            await pilot.pause(0.3)
            app.theme = "nord"  # a theme change re-renders the plot too
            await pilot.pause(0.3)
            assert app.is_running

    run(go())


def test_f_shows_every_number_a_panel_had_to_cut() -> None:
    from backprop_tui.app.widgets.full_values import FullValuesScreen

    async def go():
        app = make_app(hidden=30)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("n")
            params = app.query_one("#params").content.plain
            assert "more rows (f shows all)" in params  # the panel summarises W1 (30, 3)
            await pilot.press("f")
            assert isinstance(app.screen, FullValuesScreen)
            text = app.screen.query_one("#full-values").content.plain
            w1 = app.session.params.W1
            assert all(f"{v:+.9e}" in text for v in w1[:, 0])  # all 30 rows, 10 digits
            assert "z1 (30,)" in text and "a1" not in text.split("z1 (30,)")[1]
            await pilot.press("escape")
            assert not isinstance(app.screen, FullValuesScreen)

    run(go())


def test_student_error_that_starts_at_delta2_is_shown_at_the_delta2_phase() -> None:
    """The function returns no delta2, but its db2 is delta2: a wrong one shows there."""
    from backprop_tui.app import student as student_view
    from backprop_tui.core.network.phases import PHASE_INDEX

    proc = student_view.start_student(str(STUDENTS / "no_output_derivative.py"))

    async def go():
        app = make_app(student=proc)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press(*["n"] * (PHASE_INDEX["delta2"] - 1))
            for _ in range(100):
                if app.comparison is not None:
                    break
                await pilot.pause(0.05)
            await pilot.pause()
            assert "wrong" not in app.query_one("#equation").content.plain  # not yet there
            await pilot.press("n")
            assert app.session.phase.key == "delta2"
            backward = app.query_one("#backward").content.plain
            assert "yours" in backward and "from your db2" in backward
            note = app.query_one("#equation").content.plain
            assert "delta2" in note and "σ'(z2) is missing" in note.replace("\n", " ")

    run(go())
