"""The Accuracy tab of a classifier (softmax + cross-entropy), in place of predictions
against targets: the share of rows classified right after each epoch, train and
test, and a confusion count of the training rows at the current parameters.

A scatter of probabilities against one-hot targets says little; what a class wants
to see is whether the network gets the classes right, and which it confuses. The
numbers are the core's (:func:`~backprop_tui.core.network.evaluate.accuracy` and
:func:`~backprop_tui.core.network.evaluate.confusion`, and each epoch record's accuracies);
this widget only draws them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.text import Text

from ...core.network.evaluate import accuracy, confusion
from ...core.run.session import Session
from ...core.run.timeline import EpochRecord
from ..axes import labels, linear_ticks, thin
from .braille import BOTH, Canvas, dots, overlay
from .plots import CachedPlot, _rich, series_colours

MAX_SHOWN = 8      # classes of the confusion table shown before "…"
NAME_WIDTH = 24    # a class name's characters in the table
MIN_ROWS = 6       # rows a curve needs to say anything
BESIDE_MIN = 60    # columns the curve keeps when the counts go beside it


@dataclass(frozen=True)
class ClassFigures:
    """What the tab shows: accuracy per finished epoch, and now."""

    epochs: tuple[int, ...]
    train: tuple[float | None, ...]
    test: tuple[float | None, ...]
    counts: np.ndarray            # counts[true, predicted] over the training rows now
    classes: tuple[str, ...]
    now_train: float
    now_test: float               # nan without test rows
    where: str                    # "epoch 3, sample 17"


def class_figures(s: Session, records: Sequence[EpochRecord]) -> ClassFigures:
    """The figures at the session's cursor: accuracy per epoch as the run recorded it (at
    each epoch's end), and now, at the parameters the cursor's sample reads."""
    ds, arch, params = s.dataset, s.arch, s.params
    c = s.cursor
    names = tuple(ds.classes) if len(ds.classes) == arch.n_outputs else tuple(
        str(k) for k in range(arch.n_outputs))
    return ClassFigures(
        tuple(r.epoch for r in records),
        tuple(r.train_accuracy for r in records), tuple(r.test_accuracy for r in records),
        confusion(params, ds.X_train, ds.y_train, arch), names,
        accuracy(params, ds.X_train, ds.y_train, arch),
        accuracy(params, ds.X_test, ds.y_test, arch) if ds.n_test else math.nan,
        f"epoch {c.epoch}, sample {c.position + 1}")


def _percent(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{100 * value:.1f}%"


def confusion_lines(f: ClassFigures, width: int) -> list[Text]:
    """counts[true, predicted] as a table: a row per true class (numbered and named),
    a column per predicted class (by number, so any names fit), right answers bold."""
    k = min(len(f.classes), MAX_SHOWN)
    cell = max(len(str(int(f.counts.max(initial=0)))), len(str(k - 1))) + 2
    names = [f"{i} {n[:NAME_WIDTH]}" if n != str(i) else n for i, n in enumerate(f.classes[:k])]
    label = max(len(n) for n in names) + 1
    more = " …" if len(f.classes) > k else ""
    lines = [Text(f"confusion at {f.where}", style="bold"),
             Text("training rows: row = true class, column = predicted", style="dim"),
             Text(" " * label + "".join(str(j).rjust(cell) for j in range(k)) + more,
                  style="dim")]
    for i in range(k):
        t = Text(names[i].ljust(label), style="dim")
        for j in range(k):
            t.append(str(int(f.counts[i, j])).rjust(cell), style="bold" if i == j else "")
        lines.append(t)
    if len(f.classes) > k:
        lines.append(Text(f"… {len(f.classes) - k} more classes", style="dim"))
    return [line[:width] if line.cell_len > width else line for line in lines]


class ClassPlot(CachedPlot):
    """Accuracy per epoch (train, test) over a confusion count; rebuilt when its key changes."""

    _key: object = None
    _shown: ClassFigures | None = None
    curves: list[dict[tuple[int, int], int]] = []  # train's cells, test's (the tests read)

    def wants(self, key: object) -> bool:
        """Whether figures for ``key`` would change anything (else they are not computed)."""
        return key is None or key != self._key

    def show(self, figures: ClassFigures, key: object = None) -> None:
        self._key, self._shown = key, figures
        self._changed()

    def picture(self, width: int, height: int) -> list[Text]:
        f = self._shown
        if f is None or width < 12 or height < 4:
            return []
        train_colour, test_colour, _ = series_colours()
        title = Text.assemble(
            ("accuracy per epoch", "bold"), " · now: ", ("━━", _rich(train_colour)),
            f" train {_percent(f.now_train)}")
        if math.isfinite(f.now_test):
            title.append_text(Text.assemble("  ", ("━━", _rich(test_colour)),
                                            f" test {_percent(f.now_test)}  ",
                                            (BOTH, "bold " + _rich(test_colour)), " both"))
        table = confusion_lines(f, width)
        side = max(t.cell_len for t in table) + 3
        if width - side >= BESIDE_MIN and height - 1 >= MIN_ROWS:  # the counts on the right
            n, left = height - 1, width - side
            curve = self._curve(f, left, n)
            curve += [Text("")] * (n - len(curve))
            table = table[:n] + [Text("")] * (n - len(table))
            return [title, *(Text.assemble(c, " " * max(left - c.cell_len + 3, 3), t)
                             for c, t in zip(curve[:n], table, strict=True))]
        rows = height - 1 - len(table) - 1
        if rows < MIN_ROWS:  # no room for a curve: the counts are what matters now
            return [title, *table][:height]
        return [title, *self._curve(f, width, rows), Text(""), *table]

    def _curve(self, f: ClassFigures, width: int, rows: int) -> list[Text]:
        """The per-epoch accuracies in braille on plotext's 0-100% frame (see braille.py)."""
        points = [(e, a, b) for e, a, b in zip(f.epochs, f.train, f.test, strict=True)
                  if a is not None]
        if not points:
            return [Text("no epoch finished yet: e runs one, E many", style="dim",
                         justify="center")] + [Text("")] * (rows - 1)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("epoch")
        epochs = np.array([p[0] for p in points])
        train_colour, test_colour, _ = series_colours()
        columns = max(width - 10, 1)
        tests = [p[2] for p in points]
        series = [np.array([p[1] for p in points], dtype=float)]
        if None not in tests:
            series.append(np.array(tests, dtype=float))
        plt.scatter([0.0], [0.0], marker=" ")  # the frame only: the curves are braille
        ticks = [0.0, 25.0, 50.0, 75.0, 100.0]
        plt.yticks(ticks, [f"{t:g}%" for t in ticks])
        plt.ylim(0, 100)
        top = max(int(epochs[-1]), 1)
        xticks = linear_ticks(0, top, max(columns // (len(str(top)) + 4), 2))
        if xticks[1] - xticks[0] < 1:
            xticks = list(range(top + 1))
        plt.xticks(xticks, labels(xticks, log=False))
        plt.xlim(0, float(xticks[-1]))
        lines = self.canvas(width, rows).split("\n")[:rows]
        area = plt.monitor.matrix  # train and test often share 100%: × marks where they do
        frame = Canvas(area.Cols_canvas, area.Rows_canvas, (0.0, float(xticks[-1])), (0, 100))
        self.curves = [dots(*thin(epochs, 100 * ys, columns), frame) for ys in series]
        styles = [_rich(train_colour), _rich(test_colour)]
        return overlay(lines, list(zip(self.curves, styles, strict=False)),
                       "bold " + styles[1])
