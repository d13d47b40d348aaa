"""The debugger's dialogs and what a stop looks like, as SVG snapshots, each with asserts
on the state it is meant to show."""

from __future__ import annotations

from backprop_tui.app.widgets.breakpoints import BreakpointsScreen
from backprop_tui.app.widgets.diagram import NetworkDiagram
from backprop_tui.app.widgets.prompt import PromptDialog
from backprop_tui.core.network.phases import PHASE_INDEX

from .conftest import make_app, wait_for_run

N = 200


def test_go_to_dialog_at_80x24(snap_compare) -> None:
    app = make_app()

    async def ask(pilot) -> None:
        await pilot.press("colon", *"3 17 dW2")
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        assert "runs 616 updates forward" in app.screen.message

    assert snap_compare(app, terminal_size=(80, 24), run_before=ask)


def test_stopped_at_a_breakpoint_with_watches(snap_compare) -> None:
    """The status line says which breakpoint fired and its values; the watch line shows
    the watches at the stop."""
    app = make_app()

    async def run(pilot) -> None:
        await pilot.press("w", *"L", "enter", "w", *"W2[0,1]", "enter")
        await pilot.press("b", *"L < 0.005", "enter", "c")
        await wait_for_run(app, pilot)
        assert app.session.phase.key == "L"
        assert "stopped by breakpoint 1: L < 0.005" in str(
            app.main.query_one("#status-text").content)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run)


def test_breakpoint_list(snap_compare) -> None:
    app = make_app()

    async def run(pilot) -> None:
        await pilot.press("b", *"L < 0.005", "enter", "b", *"abs(W2[0,1]) > 1", "enter")
        await pilot.press("c")
        await wait_for_run(app, pilot)
        await pilot.press("B", "down", "down", "space")
        await pilot.pause()
        assert isinstance(app.screen, BreakpointsScreen)
        assert app.breakpoints[0].hits == 1 and not app.breakpoints[1].enabled

    assert snap_compare(app, terminal_size=(100, 30), run_before=run)


def test_set_dialog_says_what_it_discards(snap_compare) -> None:
    app = make_app()

    async def run(pilot) -> None:
        await pilot.press("E", *"2", "enter")
        await wait_for_run(app, pilot)
        await pilot.press("colon", *"1 17 z1", "enter")
        await pilot.pause()
        assert (app.session.cursor.update, app.session.cursor.phase) == (N + 16,
                                                                          PHASE_INDEX["z1"])
        await pilot.press("equals_sign", *"W1[0,1] = 0.5", "enter")
        await pilot.pause()
        assert "enter again" in app.screen.message and "discarded" in app.screen.message
        assert app.session.timeline.head == 2 * N  # nothing done yet

    assert snap_compare(app, terminal_size=(100, 30), run_before=run)


def test_watch_plot_with_an_edit_marked(snap_compare) -> None:
    app = make_app()

    async def run(pilot) -> None:
        await pilot.press("w", *"W2[0,1]", "enter", "w", *"b2", "enter")
        app.session.goto(N + 100)
        app.session.edit("lr = 2")
        await pilot.press("E", *"2", "enter")
        await wait_for_run(app, pilot)
        await pilot.press("t", "t")  # the run left the plot the room
        await pilot.pause()
        assert app.main.query_one("#plots").active == "tab-watch"
        assert app.session.edit_updates() == [N + 100]
        lines = app.main.query_one("#watch-plot").render().plain.split("\n")
        # each watch's plot labels its x axis (epochs 0 to 3), not only the bottom one
        assert sum(line.split()[:1] == ["0.0"] and "3.0" in line for line in lines) == 2

    assert snap_compare(app, terminal_size=(120, 40), run_before=run)


def test_projector_in_a_big_window(snap_compare) -> None:
    """On a projector at 200x60 the diagram takes the room: taller boxes spaced out, the
    edges' crossing spread over the width, edges 1-3 dots thick by |w| (issue 19)."""
    app = make_app()
    app.theme = "projector"

    async def steps(pilot) -> None:
        await pilot.press(*["n"] * PHASE_INDEX["z2"])
        picture = app.query_one(NetworkDiagram).picture
        assert app.theme == "projector" and picture is not None
        assert len(picture.lines) >= 20 and not picture.collapsed

    assert snap_compare(app, terminal_size=(200, 60), run_before=steps)
