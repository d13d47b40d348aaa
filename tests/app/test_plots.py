"""What the loss and fit plots draw, read from their rendered text (no snapshots).

The plots are built in a one-widget app at 100x30; each test reads the picture the
widget hands Textual (``render().plain``): the header lines above the canvas frame,
the canvas with its tick labels, and the running marker.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import re

import numpy as np
import pytest
from rich.color import Color
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult

from backprop_tui.app.axes import linear_ticks, log_ticks, thin
from backprop_tui.app.widgets.braille import BOTH
from backprop_tui.app.widgets.plots import NOW_MARK, FitPlot, LossPlot, RunningEpoch, series_colours
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.timeline import EpochRecord
from backprop_tui.core.run.training import DataOptions, build_session

from .conftest import make_app, wait_for_run

SIZE = (100, 30)
TICK = re.compile(r"^\s*([0-9.e-]+)┤")


class PlotApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LossPlot()
        yield FitPlot()

    CSS = "LossPlot, FitPlot { height: 1fr; } FitPlot { display: none; }"


def lab_records(epochs: int) -> list[EpochRecord]:
    session = build_session(DataOptions(), TrainConfig())
    session.run_epochs(epochs, lambda done, total: None, lambda: False)
    return list(session.timeline.epoch_records)


def decaying(n: int, start: float = 0.04) -> list[EpochRecord]:
    """Made-up epochs whose mean loss decays from ``start`` to about start / 100."""
    means = [start * math.exp(-4.6 * i / max(n - 1, 1)) for i in range(n)]
    return [EpochRecord(i, 200 * m, m, None) for i, m in enumerate(means)]


def picture(records, running=None, size=SIZE) -> tuple[list[str], LossPlot]:
    """The loss plot's rendered lines after one show(), and the widget."""
    async def go():
        app = PlotApp()
        async with app.run_test(size=size) as pilot:
            plot = app.query_one(LossPlot)
            plot.show(records, running)
            await pilot.pause()
            return plot.render().plain.split("\n"), plot
    return asyncio.run(go())


def split(lines: list[str]) -> tuple[list[str], list[str]]:
    """Header lines (above the canvas frame) and the framed plot below them."""
    top = next(i for i, line in enumerate(lines) if line.strip().startswith("┌"))
    return lines[:top], lines[top:]


def y_ticks(lines: list[str]) -> list[float]:
    return [float(m.group(1)) for line in lines if (m := TICK.match(line))]


def is_125(value: float) -> bool:
    mantissa = value / 10.0 ** math.floor(math.log10(value) + 1e-9)
    return any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5))


def test_legend_sits_above_the_canvas_and_the_first_epochs_are_drawn():
    records = lab_records(4)  # the lab's plateau: the first epochs are the highest
    header, body = split((picture(records))[0])
    assert any("train" in line for line in header)
    assert not any("train" in line or "test" in line for line in body)
    canvas = [line[line.index("│") + 1:] if "│" in line else line[line.index("┤") + 1:]
              for line in body[1:] if "│" in line or "┤" in line]
    drawn_rows = [i for i, row in enumerate(canvas) if row.rstrip("│ ").strip()]
    # epoch 0, the largest mean, is drawn in the canvas's first column on its top data row
    assert canvas[drawn_rows[0]][0] not in " │"


def test_log_ticks_are_1_2_5_values_written_plainly():
    lines, _ = picture(lab_records(20))
    header, body = split(lines)
    ticks = y_ticks(body)
    assert "log scale" in header[0]
    assert len(ticks) >= 2 and all(is_125(t) for t in ticks)
    assert not any("e" in m.group(1) for line in body if (m := TICK.match(line)))


@pytest.mark.parametrize(("lo", "hi", "room"), [
    (0.0303, 0.0378, 6), (2e-4, 0.0378, 12), (2e-4, 0.0378, 3), (1e-12, 7.6, 3),
    (5.0, 5.0 * (1 + 1e-12), 4), (1e-300, 1e300, 2)])
def test_log_ticks_cover_the_data_with_1_2_5_values(lo, hi, room):
    ticks, (bottom, top) = log_ticks(lo, hi, room)
    assert bottom <= lo and top >= hi
    assert all(is_125(t) for t in ticks) and is_125(bottom) and is_125(top)
    assert 2 <= len(ticks) <= max(room, 3)


@pytest.mark.parametrize(("lo", "hi"), [(-0.3, 0.7), (0.0, 0.0), (0.0303, 0.0378),
                                        (-5e6, 3.0)])
def test_linear_ticks_are_evenly_spaced_1_2_5_steps(lo, hi):
    ticks = linear_ticks(lo, hi, 6)
    step = ticks[1] - ticks[0]
    assert is_125(step) and ticks[0] <= lo and ticks[-1] >= hi and len(ticks) <= 6
    assert np.allclose(np.diff(ticks), step)


def test_linear_scale_when_a_loss_is_not_positive():
    records = decaying(10)
    records[3] = EpochRecord(3, 0.0, 0.0, None)
    header, _ = split((picture(records))[0])
    assert "linear scale" in header[0]


def test_title_states_the_lab_sum_of_the_last_finished_epoch():
    records = lab_records(6)
    header, _ = split((picture(records))[0])
    last = records[-1]
    assert f"epoch {last.epoch}: sum {last.train_loss_sum:.3g}" in header[0]


def test_running_epoch_is_a_labelled_marker_only_once_a_loss_is_taken():
    records = decaying(20)
    lines, _ = picture(records, RunningEpoch(20, 0, 200, float("nan")))
    assert NOW_MARK not in "\n".join(lines) and "so far" not in "\n".join(lines)

    lines, _ = picture(records, RunningEpoch(20, 6, 200, 0.01))
    header, body = split(lines)
    assert any("epoch 20 so far: mean of 6/200 samples" in line for line in header)
    # the marker sits at x = epoch 20 (the last x tick) and y = 0.01 (that tick's row)
    row = next(i for i, line in enumerate(body) if (m := TICK.match(line))
               and float(m.group(1)) == 0.01)
    axis = next(line for line in body if line.strip().startswith("└"))
    assert body[row].index(NOW_MARK) == axis.rindex("┬")


def test_running_marker_outside_the_epochs_range_widens_the_axis():
    lines, _ = picture(decaying(20), RunningEpoch(20, 1, 200, 3.0))
    _, body = split(lines)
    marker = next(i for i, line in enumerate(body) if NOW_MARK in line)
    one = next(i for i, line in enumerate(body) if (m := TICK.match(line))
               and float(m.group(1)) == 1.0)
    assert marker < one  # drawn above the 1 tick, not clipped at the top edge


def test_empty_plot_says_what_to_do():
    lines, _ = picture([], None)
    assert "no loss yet" in " ".join(lines) and "n steps" in " ".join(lines)
    lines, _ = picture([], RunningEpoch(0, 3, 200, 0.04))
    assert "no epoch finished yet" in lines[0] and NOW_MARK in "\n".join(lines)


def test_showing_the_same_thing_again_costs_no_refresh_and_no_build():
    async def go():
        records = decaying(50)
        app = PlotApp()
        async with app.run_test(size=SIZE) as pilot:
            plot = app.query_one(LossPlot)
            refreshes = []
            original = plot.refresh
            plot.refresh = lambda *a, **k: (refreshes.append(1), original(*a, **k))[1]
            running = RunningEpoch(50, 6, 200, 0.01)
            plot.show(records, running)
            await pilot.pause()
            builds = plot.builds
            for _ in range(5):  # the app hands a fresh slice each time: equal, not identical
                plot.show(list(records), RunningEpoch(50, 6, 200, 0.01))
                await pilot.pause()
            assert (len(refreshes), plot.builds) == (1, builds)
            plot.show(records, RunningEpoch(50, 7, 200, 0.011))  # one more sample: redrawn
            await pilot.pause()
            assert (len(refreshes), plot.builds) == (2, builds + 1)

    asyncio.run(go())


def test_a_resize_redraws_the_same_log_picture():
    """plotext logs log-scale data in place; a second build must not take logs of logs."""
    async def go():
        records = lab_records(10)
        app = PlotApp()
        async with app.run_test(size=SIZE) as pilot:
            plot = app.query_one(LossPlot)
            plot.show(records, RunningEpoch(10, 4, 200, 0.02))
            await pilot.pause()
            first = plot.render().plain
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            await pilot.resize_terminal(*SIZE)
            await pilot.pause()
            assert plot.render().plain == first

    asyncio.run(go())


def test_a_long_run_draws_a_bounded_number_of_points():
    records = decaying(100_000)
    records = [EpochRecord(r.epoch, r.train_loss_sum, r.train_loss, r.train_loss * 1.2)
               for r in records]
    lines, plot = picture(records, RunningEpoch(100_000, 3, 200, 0.001))
    assert 0 < plot.drawn <= 2 * (2 * SIZE[0] + 2) + 1  # two curves, ~2 points a column
    assert any("100000" in line for line in lines)


def test_thinning_keeps_the_first_and_last_epochs_and_the_spikes():
    xs = np.arange(100_000)
    ys = np.exp(-xs / 20_000.0)
    ys[54_321] = 7.0  # one diverging epoch must stay visible
    tx, ty = thin(xs, ys, 80)
    assert len(tx) <= 2 * 80 + 2
    assert (tx[0], ty[0], tx[-1], ty[-1]) == (0, ys[0], xs[-1], ys[-1])
    assert ty.max() == 7.0 and ty.min() == ys.min()
    assert np.all(np.diff(tx) >= 0)


def test_non_finite_losses_are_left_out_not_fatal():
    records = decaying(10)
    records[4] = EpochRecord(4, math.inf, math.inf, None)
    records[5] = EpochRecord(5, math.nan, math.nan, None)
    lines, plot = picture(records, RunningEpoch(10, 2, 200, math.nan))
    header, body = split(lines)
    assert plot.drawn == 8 and NOW_MARK not in "\n".join(lines)
    assert "mean of 2/200 samples is nan (not drawn)" in " ".join(header)


def test_fit_plot_rebuilds_only_when_its_key_changes():
    async def go():
        app = PlotApp(css_path=None)
        async with app.run_test(size=SIZE) as pilot:
            app.query_one(LossPlot).display = False
            fit = app.query_one(FitPlot)
            fit.display = True
            y, p = np.array([0.0, 1.0]), np.array([0.2, 0.7])
            fit.show(y, p, 0.05, key=7)
            await pilot.pause()
            builds = fit.builds
            fit.show(y, p, 0.05, key=7)
            await pilot.pause()
            assert fit.builds == builds
            fit.show(y, p * 0.9, 0.04, key=8)
            await pilot.pause()
            assert fit.builds == builds + 1 and "mean loss 0.04" in fit.render().plain
            fit.show(y, p * 0.9, 0.04)  # no key: always drawn
            await pilot.pause()
            assert fit.builds == builds + 2


    asyncio.run(go())


def test_a_marker_move_turns_only_the_changed_rows_into_strips(monkeypatch):
    """Textual converting a whole plot costs ~10 ms a key; rows that did not change
    (the finished epochs' canvas) keep their strips, and the screen still shows all."""
    from backprop_tui.app.widgets import cached_plot

    converted = []
    to_strips = cached_plot.Visual.to_strips

    def counting(widget, *args, **kwargs):
        converted.append(widget)
        return to_strips(widget, *args, **kwargs)

    async def go():
        app = PlotApp()
        async with app.run_test(size=SIZE) as pilot:
            plot = app.query_one(LossPlot)
            plot.show(decaying(200), RunningEpoch(200, 5, 200, 0.01))
            await pilot.pause()
            monkeypatch.setattr(cached_plot.Visual, "to_strips", staticmethod(counting))
            plot.show(decaying(200), RunningEpoch(200, 6, 200, 0.002))
            await pilot.pause()
            region = plot.content_region.reset_offset
            shown = [strip.text.rstrip() for strip in plot.render_lines(region)]
            assert shown == [line.rstrip() for line in plot.render().plain.split("\n")]
            assert any(NOW_MARK in row for row in shown[2:])
            assert 1 <= converted.count(plot) <= 4  # header, new marker row, old marker row

    asyncio.run(go())


def test_few_epochs_on_a_narrow_plot_whole_epoch_ticks_and_the_sum_still_shown():
    records = lab_records(3)
    lines, _ = picture(records, RunningEpoch(3, 6, 200, 0.03), size=(60, 12))
    header, body = split(lines)
    assert f"sum {records[-1].train_loss_sum:.3g}" in header[0]
    assert all(len(line) <= 60 for line in lines)
    axis = next(i for i, line in enumerate(body) if line.strip().startswith("└"))
    assert body[axis + 1].split() == ["0", "1", "2", "3"]


def test_tiny_and_odd_sizes_draw_without_error():
    records = decaying(30)

    async def go():
        app = PlotApp()
        async with app.run_test(size=SIZE):
            plot, fit = app.query_one(LossPlot), app.query_one(FitPlot)
            plot.show(records, RunningEpoch(30, 3, 200, 0.01))
            fit.show(np.array([0.0, 0.5, 1.0]), np.array([0.1, 0.4, 0.9]), 0.01, key=1)
            for width in (0, 1, 11, 12, 13, 20, 37):
                for height in (0, 1, 3, 4, 5, 6, 9):
                    for widget in (plot, fit):
                        assert len(widget.picture(width, height)) <= height

    asyncio.run(go())


def test_a_key_between_the_two_plots_mounting_is_no_crash() -> None:
    """The plots mount after the first frame, one after the other; a key pressed between
    the two (seen in a served tab under load) must draw what is there, not crash."""
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.main.query_one("#fit-plot").remove()
            await pilot.press("n", "n")
            assert app.session.cursor.phase == 2
            assert app.main.query("#loss-plot") and app.is_running

    asyncio.run(scenario())


def rendered(records, size=(118, 27)) -> tuple[Text, LossPlot]:
    async def go():
        app = PlotApp()
        async with app.run_test(size=size) as pilot:
            plot = app.query_one(LossPlot)
            plot.show(records, None)
            await pilot.pause()
            return plot.render(), plot
    return asyncio.run(go())


def test_both_series_are_visible_at_every_epoch_where_they_meet_too():
    """Iris --normalize, 200 epochs (issue 19): train and test share cells around epochs
    58-81; each cell a curve reaches shows it (a braille dot pattern in its colour), or
    BOTH where the two meet, so in every column of the run both curves can be seen."""
    session = build_session(DataOptions("iris", normalize=True), TrainConfig())
    session.run_epochs(200, lambda done, total: None, lambda: False)
    text, plot = rendered(list(session.timeline.epoch_records))
    lines = text.split("\n")
    console = Console()
    train_cells, test_cells = plot.curves
    colours = [Color.from_rgb(*c).triplet for c in series_colours()[:2]]
    shared = set(train_cells) & set(test_cells)
    assert shared, "the two curves meet in this run"
    for cells, colour in zip((train_cells, test_cells), colours, strict=True):
        for col, row in cells:
            line = lines[len(lines) - 1 - row]
            char = line.plain[col]
            if (col, row) in shared:
                assert char == BOTH
            else:
                assert 0x2800 < ord(char) <= 0x28FF  # braille, 2x4 dots a cell
                assert line.get_style_at_offset(console, col).color.triplet == colour
    for cells in (train_cells, test_cells):  # no column without either curve
        cols = sorted({col for col, _ in cells})
        assert cols == list(range(cols[0], cols[-1] + 1))


def test_a_decline_is_drawn_as_a_slope_not_as_flat_steps():
    """A steadily falling loss: braille gives each column two dots and each row four, so
    no run of more than a few columns stays on one row (half blocks drew staircases)."""
    records = decaying(200)
    text, plot = rendered(records)
    heights: dict[int, int] = {}  # each dot column's highest dot
    for (col, row), bits in plot.curves[0].items():
        for x, column in enumerate(((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))):
            for y, bit in enumerate(column):
                if bits & bit:
                    key, height = 2 * col + x, 4 * row + 3 - y
                    heights[key] = max(heights.get(key, height), height)
    tops = [heights[k] for k in sorted(heights)]
    assert all(a >= b for a, b in zip(tops, tops[1:], strict=False))  # monotone
    runs = [len(list(g)) for _, g in itertools.groupby(tops)]
    assert max(runs) <= math.ceil(len(tops) / (tops[0] - tops[-1] + 1)) + 1


def test_watch_header_wraps_rather_than_cut_and_each_plot_labels_its_epochs():
    """At 120 columns with room for one of two watches (issue 19) the header said
    '1 of 2 shown (W lists them; a taller window or v shows' and stopped there."""
    from backprop_tui.app.widgets.watch_plot import WatchPlot

    class WatchApp(App[None]):
        def compose(self) -> ComposeResult:
            yield WatchPlot()

        CSS = "WatchPlot { height: 10; }"

    async def go():
        async with WatchApp().run_test(size=(118, 30)) as pilot:
            plot = pilot.app.query_one(WatchPlot)
            xs = np.linspace(0, 3, 50)
            plot.show([("W2[0,1]", xs, np.sin(xs)), ("b2", xs, np.cos(xs))], marks=[1.5])
            await pilot.pause()
            return plot.render().plain.split("\n")
    lines = asyncio.run(go())
    text = " ".join(line.strip() for line in lines[:3])
    assert "1 of 2 shown: W lists them, v or a taller window shows more" in text
    assert all(len(line) <= 118 for line in lines)
    assert any(line.split()[:1] == ["0.0"] and "3.0" in line for line in lines)


def test_accuracy_tab_fits_120x40_in_plot_view_with_both_curves_visible():
    """A 4-5-3 classifier after 60 epochs (issue 19): the accuracy tab was cut at the
    bottom at 120x40 under its tall diagram; and train and test share 100% for long
    stretches, where one curve hid the other: now BOTH marks those cells."""
    from backprop_tui.app.app import BackpropApp

    data = DataOptions("iris-species", normalize=True)  # as screenshot 14: a test split
    app = BackpropApp(build_session(data, TrainConfig(hidden=5)), data=data)

    async def go():
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.start_run(60)
            await wait_for_run(app, pilot)
            await pilot.press("t")
            await pilot.pause()
            body, plots = app.main.query_one("#body"), app.main.query_one("#plots")
            region, screen = plots.region, body.region
            assert screen.y <= region.y and region.bottom <= screen.bottom
            plot = app.main.query_one("#fit-plot")
            return plot.render().plain, plot.curves
    text, (train, test) = asyncio.run(go())
    assert text.split("\n")[-1].strip().startswith("epoch")  # the x axis on screen
    assert set(train) & set(test) and BOTH in text
    for cells in (train, test):
        cols = sorted({col for col, _ in cells})
        assert cols == list(range(cols[0], cols[-1] + 1))


def test_a_watch_after_one_update_is_a_visible_point_on_a_readable_axis():
    """One update: a lone braille dot was all there was to see, on an x axis to 1e-9."""
    from backprop_tui.app.widgets.watch_plot import WatchPlot

    class WatchApp(App[None]):
        def compose(self) -> ComposeResult:
            yield WatchPlot()

    async def go():
        async with WatchApp().run_test(size=(100, 20)) as pilot:
            plot = pilot.app.query_one(WatchPlot)
            plot.show([("L", [0.0], [0.084])])
            await pilot.pause()
            return plot.render().plain
    text = asyncio.run(go())
    assert "•" in text and "0.0000000" not in text
