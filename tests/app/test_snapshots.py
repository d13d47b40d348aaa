"""What the screen shows, as SVG snapshots (pytest-textual-snapshot), each paired with
asserts on the state it is meant to show, since a snapshot alone proves no behaviour.

Update the pictures after an intended change with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TabbedContent

from backprop_tui.app.student import start_student
from backprop_tui.app.widgets.braille import BOTH
from backprop_tui.app.widgets.gradcheck import GradCheckScreen
from backprop_tui.app.widgets.help import HelpScreen
from backprop_tui.core.network.phases import PHASE_INDEX, UPDATE_PHASE

from .conftest import make_app, wait_for_run

STUDENTS = Path(__file__).resolve().parents[1] / "students"
SIZE = (120, 40)


def test_start(snap_compare) -> None:
    app = make_app()

    async def check(pilot) -> None:
        assert app.session.at_start
        assert set(app.session.values) >= {"x", "y"} and "z1" not in app.session.values

    assert snap_compare(app, terminal_size=SIZE, run_before=check)


def test_mid_forward_pass(snap_compare) -> None:
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.press("n", "n", "n")
        assert app.session.phase.key == "z2"
        assert "y_hat" not in app.session.values

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_after_backward_pass(snap_compare) -> None:
    """The backward phase with its highlights: dW1 produced, delta1 and x read."""
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.press(*["n"] * PHASE_INDEX["dW1"])
        assert app.session.phase.key == "dW1"
        assert "dW1" in app.session.values and "W1_new" not in app.session.values
        assert "dW1" in app.query_one("#network").content.plain

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_diagram_at_80x24_in_the_backward_pass(snap_compare) -> None:
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.press(*["n"] * PHASE_INDEX["delta1"])
        network, equation = app.query_one("#network"), app.query_one("#equation")
        assert network.picture.collapsed == ""
        assert equation.virtual_region.bottom <= app.query_one("#body").size.height

    assert snap_compare(app, terminal_size=(80, 24), run_before=steps)


def test_width_between_110_and_119(snap_compare) -> None:
    """Where three panels used to go across and cut the third input: every number whole."""
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.press(*["n"] * PHASE_INDEX["dW2"])
        for panel in ("network", "params", "forward", "backward", "equation"):
            assert "…+" not in app.query_one(f"#{panel}").content.plain

    assert snap_compare(app, terminal_size=(114, 34), run_before=steps)


def test_large_window_gives_the_room_to_the_picture(snap_compare) -> None:
    app = make_app("iris")

    async def steps(pilot) -> None:
        await pilot.press(*["n"] * PHASE_INDEX["z2"])
        assert app.query_one("#body").styles.grid_size_columns == 2

    assert snap_compare(app, terminal_size=(160, 50), run_before=steps)


def test_update_phase(snap_compare) -> None:
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.press("u")
        assert app.session.cursor.phase == UPDATE_PHASE
        assert "W1_new" in app.session.values

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_after_one_epoch(snap_compare) -> None:
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.press("e")
        await wait_for_run(app, pilot)
        assert app.session.cursor.update == 200
        assert len(app.session.epoch_records) == 1
        # one epoch is one point: a whole braille cell, not a dot nobody sees
        assert "⣿" in app.query_one("#loss-plot").render().plain

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_loss_plot_tab_after_epochs(snap_compare) -> None:
    app = make_app("iris")

    async def steps(pilot) -> None:
        await pilot.pause()  # the main screen is composed
        app.start_run(30)
        await wait_for_run(app, pilot)
        # After a run the curve has the room (plot view) until the next step.
        assert not app.query_one("#equation").display
        records = app.session.epoch_records
        assert len(records) == 30 and all(r.test_loss is not None for r in records)
        assert app.query_one(TabbedContent).active == "tab-loss"
        plot = app.query_one("#loss-plot")
        train, test = plot.curves  # both drawn, where they meet as BOTH
        shown = plot.render().plain
        assert set(train) & set(test) and BOTH in shown and "both" in shown

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_fit_plot_tab(snap_compare) -> None:
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.pause()  # the main screen is composed
        app.start_run(20)
        await wait_for_run(app, pilot)
        await pilot.press("t")
        assert app.query_one(TabbedContent).active == "tab-fit"
        lines = app.query_one("#fit-plot").render().plain.split("\n")
        top = next(i for i, line in enumerate(lines) if "┌" in line)
        # the legend and the y axis's name above the frame, not over the points
        assert any("target y" in line and "y = y_hat" in line for line in lines[:top])
        assert not any("y = y_hat" in line or "target" in line for line in lines[top:])

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_plot_view_at_80x24_gives_the_plot_the_body(snap_compare) -> None:
    """Under the diagram the plot had four canvas rows and no x axis on screen (issue
    19): in plot view at 80x24 it gets the whole body, axis included."""
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.pause()
        app.start_run(20)
        await wait_for_run(app, pilot)
        await pilot.pause()
        body, plots = app.main.query_one("#body"), app.main.query_one("#plots")
        assert body.has_class("-plot-view") and body.scroll_y > 0
        region, screen = plots.region, body.region
        assert screen.y <= region.y and region.bottom <= screen.bottom  # all of it shown
        lines = app.main.query_one("#loss-plot").render().plain.split("\n")
        assert lines[-1].strip() == "epoch" and "┤" in "".join(lines)

    assert snap_compare(app, terminal_size=(80, 24), run_before=steps)


def test_help_screen(snap_compare) -> None:
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_small_terminal_80x24(snap_compare) -> None:
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.press("u")
        assert app.query_one("#body").styles.grid_size_columns == 1

    assert snap_compare(app, terminal_size=(80, 24), run_before=steps)


def test_student_mode_with_a_mismatch(snap_compare) -> None:
    app = make_app(student=start_student(str(STUDENTS / "transposed_dw2.py")))

    async def steps(pilot) -> None:
        await pilot.press("u")
        for _ in range(100):  # the comparison runs in a thread
            if app.comparison is not None:
                break
            await pilot.pause(0.05)
        await pilot.pause()
        mismatch = app.comparison[1].mismatch
        assert mismatch is not None and mismatch.quantity == "dW2" and mismatch.kind == "shape"

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_gradient_check_view(snap_compare) -> None:
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.press("g")
        assert isinstance(app.screen, GradCheckScreen)
        assert all(c.band == "ok" for c in app.screen.checks)

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_projector_theme(snap_compare) -> None:
    app = make_app()
    app.theme = "projector"

    async def steps(pilot) -> None:
        await pilot.press(*["n"] * PHASE_INDEX["delta1"])
        assert app.theme == "projector"

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_light_theme(snap_compare) -> None:
    app = make_app()
    app.theme = "textual-light"

    async def steps(pilot) -> None:
        await pilot.press("u")
        assert app.theme == "textual-light"

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_ask_mode_question(snap_compare) -> None:
    app = make_app()

    async def steps(pilot) -> None:
        await pilot.press("a", *["n"] * 11)  # five questions with their answers, then delta2
        assert app.session.phase.key == "delta2" and app.ask.hidden(app.session)

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)
