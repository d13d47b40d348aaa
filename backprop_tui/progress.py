"""Progress of long work before any output, on stderr: ``trace --from`` far into a run,
``--load`` of a place far into one.

Such work takes seconds (up to ~10 s for the 10^8 updates a go-to may run), and a
command that says nothing for that long looks hung. Work done within a second says
nothing at all, so quick commands and scripts stay quiet. Past a second: on a
terminal, one line rewritten in place; in a log or a pipe, a line at each quarter
only, so a redirected stderr holds a few lines, not thousands.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from .options import PROG

DELAY_S = 1.0     # work shorter than this says nothing
REDRAW_S = 0.2    # a terminal line is rewritten at most this often


class Progress:
    """A ``progress(done, total)`` callback (as :meth:`Session.run_to` takes) that reports
    ``what`` on ``stream`` (stderr by default); :meth:`done` (or leaving a ``with``
    block) ends its line."""

    def __init__(self, what: str, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.what = what
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        self.start = clock()
        self.last = -1.0        # when a terminal line was last drawn
        self.quarter = -1       # the last quarter a plain line was written for
        self.shown = False
        self.width = 0          # of the terminal line drawn last, to blank what is left
        try:
            self.tty = self.stream.isatty()
        except (AttributeError, ValueError):  # a closed or a fake stream: plain lines
            self.tty = False

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if total <= 0 or now - self.start < DELAY_S:
            return
        percent = min(100, max(0, 100 * done // total))
        if self.tty:
            if now - self.last < REDRAW_S:
                return
            self.last = now
            line = f"{PROG}: {self.what}: {percent}% (ctrl+c stops)"
            self.width = len(line)
            self._write("\r" + line)
        else:
            if percent // 25 <= self.quarter or percent == 100:  # done() says the end
                return
            self.quarter = percent // 25
            self._write(f"{PROG}: {self.what}: {percent}%\n")
        self.shown = True

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None:
            self.done()
        elif self.shown and self.tty:  # ctrl+c or an error: the next line starts afresh
            self._write("\n")

    def done(self) -> None:
        """End the line (a terminal's cursor is left at the start of a fresh one), saying
        how long it took when anything was shown."""
        if self.shown:
            line = f"{PROG}: {self.what}: done in {self.clock() - self.start:.1f} s"
            if self.tty:
                line = "\r" + line.ljust(self.width)
            self._write(line + "\n")
            self.shown = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: the work goes on regardless
            pass
