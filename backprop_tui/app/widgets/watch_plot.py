"""The watch plot tab: each watch's history over the updates, drawn by plotext."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.text import Text

from ..axes import labels, linear_ticks, thin
from .plots import CachedPlot, series_colours

EMPTY = "no watch yet: w adds one (an expression such as W2[0,1], L or norm(dW1))"


class WatchPlot(CachedPlot):
    """Each watch's history over the updates so far (x in epochs, so 2.5 is the middle of
    epoch 2), one plot each; a vertical line marks where a parameter or η was set."""

    _key: object = None
    _series: tuple[tuple[str, np.ndarray, np.ndarray], ...] = ()
    _marks: tuple[float, ...] = ()

    def show(self, series: Sequence[tuple[str, Sequence[float], Sequence[float]]],
             marks: Sequence[float] = (), key: object = None) -> None:
        """``series``: (label, x in epochs, values); ``marks``: x of the edits. With a
        ``key`` (what the histories were computed for), a repeat costs nothing."""
        if key is not None and key == self._key:
            return
        self._key = key
        self._series = tuple((label, np.asarray(xs, float), np.asarray(ys, float))
                             for label, xs, ys in series)
        self._marks = tuple(marks)
        self._changed()

    def picture(self, width: int, height: int) -> list[Text]:
        """One small plot per watch, stacked, each with its own y axis (a weight near 12
        and a loss near 0.01 share no scale); as many as fit at 7 rows or more each."""
        if width < 12 or height < 4:
            return []
        if not self._series:
            return [Text(EMPTY, style="dim", justify="center")]
        fit = max(1, min(len(self._series), (height - 1) // 7))
        rows = self._header(fit, width)
        if len(rows) > 1:  # a wrapped header may leave room for one plot fewer
            fit = max(1, min(fit, (height - len(rows)) // 7))
            rows = self._header(fit, width)
        spare = height - len(rows)
        xmax = max((float(xs[-1]) for _, xs, _ in self._series if len(xs)), default=1.0)
        for i, (label, xs, ys) in enumerate(self._series[:fit]):
            room = spare // fit + (spare % fit if i == fit - 1 else 0)
            rows += self._one(label, xs, ys, i, width, room, xmax)
        return rows[:height]

    def _header(self, fit: int, width: int) -> list[Text]:
        """What the plots show, and how many of the watches: on lines of their own rather
        than cut mid-sentence at the window's edge."""
        parts = ["each watch after each update, x in epochs"]
        if self._marks:
            parts.append("│ an edit (key =)")
        if fit < len(self._series):
            parts.append(f"{fit} of {len(self._series)} shown: W lists them, v or a taller "
                         "window shows more")
        lines = [Text(parts[0], style="bold")]
        for part in parts[1:]:
            if lines[-1].cell_len + 3 + len(part) <= width:
                lines[-1].append(" · " + part, style="dim" if "shown" in part else "")
            else:
                lines.append(Text(part, style="dim" if "shown" in part else ""))
        return [line[:width] for line in lines]

    def _one(self, label: str, xs: np.ndarray, ys: np.ndarray, i: int, width: int,
             height: int, xmax: float) -> list[Text]:
        """One watch's plot: its own y ticks (1-2-5 steps), and the x axis (the same for
        all) labelled under each, so a plot read alone says where its epochs are."""
        keep = np.isfinite(ys)
        if not keep.any():
            return [Text(f"{label}: no finite value yet", style="dim")]
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(label)
        xs, ys = thin(xs[keep], ys[keep], max(width - 10, 1))
        colours = series_colours()
        plt.plot(xs.tolist(), ys.tolist(), color=colours[i % 2],  # one dot alone is lost
                 marker="braille" if len(xs) > 1 else "dot")
        lo, hi = float(ys.min()), float(ys.max())
        if hi - lo < 1e-12 * max(abs(lo), 1.0):
            lo, hi = lo - 0.5 * max(abs(lo), 1e-3), hi + 0.5 * max(abs(hi), 1e-3)
        yticks = linear_ticks(lo, hi, max((height - 6) // 2, 2))  # rows apart, not adjacent
        plt.yticks(yticks, labels(yticks, log=False))
        plt.ylim(yticks[0], yticks[-1])
        # the first update is at x = 0: an axis to 1e-9 wrote 0.0000000002 at each tick
        xticks = linear_ticks(0.0, xmax if xmax > 0 else 1.0, max((width - 10) // 10, 2))
        plt.xticks(xticks, labels(xticks, log=False))
        plt.xlim(xticks[0], xticks[-1])
        for x in self._marks:
            plt.vline(x, color=colours[2])
        return self.canvas(width, height).split("\n")[:height]
