"""The watch plot tab: each watch's history over the updates, drawn by plotext."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.text import Text

from ...core.axes import thin
from .plots import CachedPlot, series_colours

EMPTY = "no watch yet: w adds one (an expression such as W2[0,1], L or norm(dW1))"


class WatchPlot(CachedPlot):
    """Each watch's history over the updates so far (x in epochs, so 2.5 is the middle of
    epoch 2), one colour each; dashed columns mark where a parameter or η was set."""

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
        if width < 12 or height < 4:
            return []
        if not self._series:
            return [Text(EMPTY, style="dim", justify="center")]
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("epoch (updates / samples per epoch)")
        if self._marks:
            plt.title("each watch after each update · the vertical line: an edit (key =)")
        colours = series_colours()
        drawn = 0
        for i, (label, xs, ys) in enumerate(self._series):
            keep = np.isfinite(ys)
            if keep.any():
                xs_, ys_ = thin(xs[keep], ys[keep], max(width - 10, 1))
                plt.plot(xs_.tolist(), ys_.tolist(), label=label, marker="hd",
                         color=colours[i % len(colours)])
                drawn += 1
        if not drawn:
            return [Text("no finite value to draw yet: step or run first", style="dim",
                         justify="center")]
        for x in self._marks:
            plt.vline(x, color=colours[2])
        return self.canvas(width, height).split("\n")[:height]
