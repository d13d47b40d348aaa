"""The plot tabs: loss per epoch (a plotext frame, braille curves), predictions vs targets.

Both widgets build their picture only when what it shows changes (or the size or
theme does): a plotext build costs milliseconds, and stepping through samples after
a long run must not pay it on every key. The loss plot also thins its points to what
its width can show, so its cost does not grow with the number of epochs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rich.text import Text

from ...core.run.records import RunningEpoch
from ...core.run.timeline import EpochRecord
from ..axes import labels, linear_ticks, log_ticks, thin
from ..palette import PALETTE
from .braille import BOTH, Canvas, dots, overlay
from .cached_plot import CachedPlot


def series_colours() -> tuple[tuple[int, int, int], ...]:
    """Train, test and the epoch in progress, in the theme's colours (:mod:`..palette`)."""
    return PALETTE.positive, PALETTE.negative, PALETTE.third
NOW_MARK = "◆"


def _rich(colour: tuple[int, int, int]) -> str:
    return "rgb({},{},{})".format(*colour)


EMPTY = "no loss yet: n steps through a sample, e runs an epoch, E runs many"


def _cell(value: float, lim: tuple[float, float], bins: int) -> int:
    """The cell plotext puts ``value`` in, on an axis of ``bins`` cells (its own rounding)."""
    return math.floor(round(0.5 + (bins - 1) * (value - lim[0]) / (lim[1] - lim[0]), 8))


class LossPlot(CachedPlot):
    """Mean train loss per finished epoch (the lab's plot), test loss when every epoch
    has one, and the epoch in progress as a separate, labelled marker; the title states
    the last epoch's summed loss, the figure the lab prints. The legend sits on a line
    of its own above the canvas, so it never covers the first (highest) epochs.

    The finished epochs are built by plotext once per change of records, size or axes;
    the running marker moves on every sample, so it is placed over that cached picture
    in the cell plotext would give it, which costs a line copy instead of a build."""

    def __init__(self, loss: str = "", **kwargs) -> None:
        """``loss``: the loss plotted, in words, for a network other than the lab's."""
        super().__init__(**kwargs)
        self.loss = loss
        self._key: object = None
        self._shown: Sequence[EpochRecord] = ()
        self._now: RunningEpoch | None = None
        self._marks: tuple[float, ...] = ()  # where parameters or η were set (x in epochs)
        self._arrays: tuple = (0, None, np.zeros(0, int), np.zeros(0), None)
        self._base: tuple[object, list[Text], tuple] | None = None
        self.drawn = 0  # points drawn in the last build (bounded by the width)
        self.curves: list[dict[tuple[int, int], int]] = []  # train's cells, test's (tests)

    def show(self, records: Sequence[EpochRecord], running: RunningEpoch | None,
             marks: Sequence[float] = ()) -> None:
        """Show these epochs, and a dashed column at each x of ``marks`` (an edit of a
        parameter or η); costs nothing when they are what is already shown."""
        if running is not None and running.samples <= 0:
            running = None
        key = (len(records), records[-1] if records else None, running, tuple(marks))
        if key == self._key:
            return
        self._key, self._shown, self._now, self._marks = key, records, running, tuple(marks)
        self._changed()

    def _series(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Epochs, train and test means as arrays, extended as records are appended."""
        records, (n, last, epochs, train, test) = self._shown, self._arrays
        if n == 0 or not (n <= len(records) and records[n - 1] is last):
            n, epochs, train, test = 0, np.zeros(0, int), np.zeros(0), np.zeros(0)
        if n < len(records):
            new = records[n:]
            tests = [r.test_loss for r in new]
            epochs = np.concatenate([epochs, [r.epoch for r in new]])
            train = np.concatenate([train, [r.train_loss for r in new]])
            test = None if test is None or None in tests else np.concatenate([test, tests])
        test = test if len(records) else None
        self._arrays = (len(records), records[-1] if records else None, epochs, train, test)
        return epochs, train, test

    def _legend(self, with_test: bool) -> Text:
        TRAIN, TEST, NOW = series_colours()
        legend = Text.assemble(("━━", _rich(TRAIN)), " train mean")
        if with_test:
            legend.append_text(Text.assemble("   ", ("━━", _rich(TEST)), " test   ",
                                             (BOTH, "bold " + _rich(TEST)), " both"))
        if self._marks:
            legend.append_text(Text.assemble("   ", ("│", _rich(NOW)), " set by ="))
        r = self._now
        if r is not None:
            so_far = f"epoch {r.epoch} so far: mean of {r.samples}/{r.n} samples"
            if math.isfinite(r.mean_loss):
                legend.append_text(Text.assemble(
                    "   ", (NOW_MARK, "bold " + _rich(NOW)), " " + so_far))
            else:
                legend.append(f"   {so_far} is {r.mean_loss} (not drawn)")
        return legend

    def _title(self, log: bool, width: int) -> str:
        """The longest wording that fits: the sum is the lab's figure, so it stays."""
        scale, what = "log scale" if log else "linear scale", self.loss or "loss"
        if not self._shown:
            return f"mean {what} per epoch ({scale}) · no epoch finished yet"
        last = self._shown[-1]
        short = f"epoch {last.epoch}: sum {last.train_loss_sum:.3g}"
        lab = "" if self.loss else " (the lab prints the sum)"
        for title in (f"mean {what} per epoch ({scale}) · {short}{lab}",
                      f"mean {what} per epoch ({scale}) · {short}", f"mean {what} · {short}",
                      f"mean loss · {short}"):
            if len(title) <= width:
                break
        return title

    def picture(self, width: int, height: int) -> list[Text]:
        if width < 12 or height < 4:
            return []
        if not self._shown and self._now is None:
            self.drawn = 0
            return [Text(EMPTY, style="dim", justify="center")]
        epochs, train, test = self._series()
        r = self._now
        now = r.mean_loss if r is not None and math.isfinite(r.mean_loss) else None
        values = np.concatenate([train, test if test is not None else []])
        values = values[np.isfinite(values)]
        every = np.append(values, [] if now is None else [now])
        log = len(every) > 0 and bool(np.all(every > 0)) and every.min() < every.max()
        title = Text(self._title(log, width), style="bold")
        legend = self._legend(test is not None)
        header = ([Text(" · ").join([title, legend])] if len(title) + len(legend) + 3 <= width
                  else [title, legend])
        rows = max(height - len(header), 1)
        room = max((rows - 4) // 2, 2)
        ticks_of = log_ticks if log else (lambda lo, hi, k: (t := linear_ticks(lo, hi, k),
                                                              (t[0], t[-1])))
        ticks, lim = ticks_of(float(every.min()), float(every.max()), room)
        if len(values) and now is not None:  # the marker moves within the epochs' axis
            inner, inner_lim = ticks_of(float(values.min()), float(values.max()), room)
            if inner_lim[0] <= now <= inner_lim[1]:
                ticks, lim = inner, inner_lim
        xmax = max([int(epochs[-1]) if len(epochs) else 0] + ([r.epoch] if r else []))
        key = (self._arrays[:2], width, rows, self.app.theme, log, tuple(ticks), lim, xmax,
               self._marks)
        if self._base is None or self._base[0] != key:
            self._base = (key, *self._build(width, rows, log, ticks, lim, xmax))
        lines, (xlim, ylim, cols, rows_) = list(self._base[1]), self._base[2]
        if now is not None and r is not None:
            f = math.log10 if log else float
            col = cols.start + _cell(r.epoch, xlim, len(cols))
            row = len(lines) - 1 - (rows_.start + _cell(f(now), ylim, len(rows_)))
            if col in cols and 0 <= row < len(lines):
                line = lines[row].copy()
                line.plain = line.plain[:col] + NOW_MARK + line.plain[col + 1:]
                line.stylize("bold " + _rich(series_colours()[2]), col, col + 1)
                lines[row] = line
        return [*header, *lines]

    def _build(self, width: int, rows: int, log: bool, ticks: list[float],
               lim: tuple[float, float], xmax: int) -> tuple[list[Text], tuple]:
        """The finished epochs drawn by plotext, afresh (its build takes the log of a
        log-scale plot's data in place; this plot hands it logs itself, on a linear axis)."""
        epochs, train, test = self._series()
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("epoch")
        columns = max(width - 10, 1)
        f = np.log10 if log else (lambda v: v)
        self.drawn = 0
        ylim = (float(f(lim[0])), float(f(lim[1])))
        plt.scatter([0.0], [ylim[0]], marker=" ")  # the frame only: braille.py draws curves
        plt.yticks(f(np.array(ticks)).tolist(), labels(ticks, log))
        plt.ylim(*ylim)
        # Room for each label and a gap: "120000" needs more than "12".
        xticks = linear_ticks(0, max(xmax, 1), max(columns // (len(str(max(xmax, 1))) + 4), 2))
        if xticks[1] - xticks[0] < 1:  # whole epochs only
            xticks = list(range(max(xmax, 1) + 1))
        plt.xticks(xticks, labels(xticks, log=False))
        xlim = (0.0, float(xticks[-1]))
        plt.xlim(*xlim)
        for x in self._marks:
            if xlim[0] <= x <= xlim[1]:
                plt.vline(x, color=series_colours()[2])
        picture = self.canvas(width, rows).split("\n")[:rows]
        area = plt.monitor.matrix
        frame = Canvas(area.Cols_canvas, area.Rows_canvas, xlim, ylim)
        self.curves = []
        for ys in (train, test):
            if ys is None or not len(ys):
                continue
            xs, ys = thin(epochs, ys, columns)  # about two points a column: a dot each
            keep = np.isfinite(ys) & ((ys > 0) | (not log))
            self.curves.append(dots(xs[keep], f(ys[keep]), frame))
            self.drawn += int(keep.sum())
        styles = [_rich(c) for c in series_colours()[:2]]
        picture = overlay(picture, list(zip(self.curves, styles, strict=False)),
                          "bold " + styles[1])
        return picture, (xlim, ylim, area.Cols_canvas, area.Rows_canvas)


class FitPlot(CachedPlot):
    """Predictions against targets over the training rows, with the y = x line (Task 1).
    It draws only when shown: while its tab is hidden, show() just keeps the figures."""

    _key: object = None
    _shown: tuple | None = None

    def show(self, targets, predictions, loss: float, key: object = None) -> None:
        """Plot these; with a ``key`` (e.g. the update index), a repeat costs nothing."""
        if key is not None and key == self._key:
            return
        self._key, self._shown = key, (targets, predictions, loss)
        self._changed()

    def picture(self, width: int, height: int) -> list[Text]:
        if self._shown is None or width < 12 or height < 4:
            return []
        targets, predictions, loss = self._shown
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        # As the lab draws it (scatter(predictions, targets)): y_hat across, y up. The
        # legend and the y axis's name go above the frame: inside it they covered points,
        # and plotext writes a y label beside the x label, where it reads as one.
        train, _, line = series_colours()
        header = [Text(f"targets against predictions (the lab's Task 1), mean loss {loss:.4g}",
                       style="bold"),
                  Text.assemble("↑ target y   ", ("•", _rich(train)), " a sample   ",
                                ("⠤⠤", _rich(line)), " y = y_hat")]
        plt.xlabel("prediction y_hat (pred) →")
        lo = float(min(min(targets), min(predictions), 0.0))
        hi = float(max(max(targets), max(predictions), 1.0))
        plt.plot([lo, hi], [lo, hi], marker="braille", color=line)
        plt.scatter(list(map(float, predictions)), list(map(float, targets)),
                    marker="dot", color=train)
        rows = max(height - len(header), 1)
        return [*header, *self.canvas(width, rows).split("\n")[:rows]]
