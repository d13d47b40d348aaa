"""The plot tabs, drawn by plotext: loss per epoch, and predictions against targets."""

from __future__ import annotations

import math
from dataclasses import dataclass

from textual_plotext import PlotextPlot

from ...core.timeline import EpochRecord


@dataclass(frozen=True)
class RunningEpoch:
    """The epoch in progress: ``samples`` losses of ``n`` taken so far, their mean."""

    epoch: int
    samples: int
    n: int
    mean_loss: float


class LossPlot(PlotextPlot):
    """Mean train loss per completed epoch, test loss when there is a split, and the
    running mean of the epoch in progress (the lab's loss curve, growing live)."""

    _shown: tuple[list[EpochRecord], float | None, int] | None = None

    def show(self, records: list[EpochRecord], running: RunningEpoch | None) -> None:
        epoch = running.epoch if running else (records[-1].epoch + 1 if records else 0)
        self._shown = (records, running.mean_loss if running else None, epoch)
        self.refresh()

    def render(self):
        # plotext's build() takes the log of a log-scale plot's data in place, so a second
        # build (on a resize or a theme change) would take the log of logs: draw afresh.
        if self._shown is not None:
            self._draw(*self._shown)
        return super().render()

    def _draw(self, records: list[EpochRecord], running: float | None, epoch: int) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("epoch")
        values = [r.train_loss for r in records] + ([running] if running is not None else [])
        if len(set(values)) > 1 and all(v > 0 and math.isfinite(v) for v in values):
            plt.yscale("log")
            plt.title("mean loss per epoch (log scale)")
        else:
            plt.title("mean loss per epoch")
        last = max(epoch, records[-1].epoch if records else 0)
        step = max(1, math.ceil((last + 1) / 8))
        plt.xticks(list(range(0, last + 1, step)))
        if records:
            xs = [r.epoch for r in records]
            plt.plot(xs, [r.train_loss for r in records], label="train", marker="hd")
            tests = [r.test_loss for r in records if r.test_loss is not None]
            if len(tests) == len(records):
                plt.plot(xs, tests, label="test", marker="hd")
        if running is not None:
            plt.scatter([epoch], [running], label="this epoch so far", marker="●")
        if not values:
            plt.title("mean loss per epoch: no loss taken yet (n steps, e runs an epoch)")


class FitPlot(PlotextPlot):
    """Predictions against targets over the training rows, with the y = x line (Task 1)."""

    def show(self, targets, predictions, loss: float, key: object = None) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(f"predictions vs targets, mean loss {loss:.6g}")
        plt.xlabel("target y")
        lo = float(min(min(targets), min(predictions), 0.0))
        hi = float(max(max(targets), max(predictions), 1.0))
        plt.plot([lo, hi], [lo, hi], label="y = x", marker="hd")
        plt.scatter(list(map(float, targets)), list(map(float, predictions)),
                    label="y_hat", marker="dot")
        self.refresh()
