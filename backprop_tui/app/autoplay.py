"""Autoplay (space): one phase at a steady pace, faster or slower with + and -.

It owns its timer and pace; the app gives it the step to take, what to call when it
starts or stops (the app's ``autoplaying`` reactive, which the Footer follows), and
says when to stop.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer

PACES = (2.0, 1.0, 0.5, 0.25, 0.1)  # seconds per autoplay step


class Autoplay:
    """A repeating step on the app's clock; ``step`` is called once per tick."""

    def __init__(self, set_interval: Callable[..., Timer], step: Callable[[], None],
                 changed: Callable[[bool], None] = lambda on: None) -> None:
        self._set_interval = set_interval
        self._step = step
        self._changed = changed  # called with on, only when on flips
        self.pace = 2  # index into PACES
        self._timer: Timer | None = None

    @property
    def on(self) -> bool:
        return self._timer is not None

    @property
    def seconds(self) -> float:
        return PACES[self.pace]

    def describe(self) -> str:
        if self.on:
            return f"autoplay: one phase every {self.seconds:g} s (+/- to change, space stops)"
        return f"autoplay pace: {self.seconds:g} s per phase"

    def toggle(self) -> None:
        if self._timer is None:
            self._timer = self._set_interval(self.seconds, self._step)
            self._changed(True)
        else:
            self.stop()

    def change_pace(self, delta: int) -> None:
        self.pace = min(max(self.pace + delta, 0), len(PACES) - 1)
        if self._timer is not None:
            self._timer.stop()
            self._timer = self._set_interval(self.seconds, self._step)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
            self._changed(False)
