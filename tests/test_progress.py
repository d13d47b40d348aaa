"""Progress of long work on stderr (``trace --from`` far in, ``--load`` of a far place).

Nothing for work under a second; past it, one line rewritten in place on a terminal, a
few lines in a log. A fake clock drives it, so no test waits for real seconds.
"""

from __future__ import annotations

import io

from backprop_tui import progress
from backprop_tui.progress import Progress


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_work_under_a_second_says_nothing() -> None:
    for tty in (True, False):
        clock, out = Clock(), Stream(tty)
        with Progress("reaching", out, clock) as shown:
            for done in range(0, 1001, 10):
                clock.now += 0.009
                shown(done, 1000)
        assert out.getvalue() == ""


def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    clock, out = Clock(), Stream(True)
    with Progress("reaching", out, clock) as shown:
        for done in range(0, 1001):
            clock.now = 100 + done / 100  # 10 s in all: ~45 redraws at most, not 900
            shown(done, 1000)
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    draws = text.split("\r")[1:]
    assert 20 <= len(draws) <= 50
    assert draws[0].startswith("backprop-tui: reaching: 10% (ctrl+c stops)")
    assert "99% (ctrl+c stops)" in draws[-2]
    assert draws[-1].startswith("backprop-tui: reaching: done in 10.0 s")
    assert len(draws[-1].rstrip("\n")) >= len(draws[-2])  # what was drawn is covered


def test_a_log_gets_a_few_lines() -> None:
    clock, out = Clock(), Stream(False)
    with Progress("reaching", out, clock) as shown:
        for done in range(0, 1001):
            clock.now = 100 + done / 100
            shown(done, 1000)
    lines = out.getvalue().splitlines()
    assert lines == ["backprop-tui: reaching: 10%", "backprop-tui: reaching: 25%",
                     "backprop-tui: reaching: 50%", "backprop-tui: reaching: 75%",
                     "backprop-tui: reaching: done in 10.0 s"]


def test_an_interrupted_terminal_line_is_ended() -> None:
    clock, out = Clock(), Stream(True)
    try:
        with Progress("reaching", out, clock) as shown:
            clock.now += 2
            shown(5, 10)
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert out.getvalue() == "\rbackprop-tui: reaching: 50% (ctrl+c stops)\n"


def test_a_closed_stream_does_not_stop_the_work(monkeypatch) -> None:
    out = Stream(False)
    out.close()
    monkeypatch.setattr(progress, "DELAY_S", 0.0)
    with Progress("reaching", out) as shown:
        shown(1, 2)
