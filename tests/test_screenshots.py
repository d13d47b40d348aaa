"""Each README screenshot shows what its name says, read from the SVG's text.

``screenshots/03-iris-loss-curve.svg`` once showed an empty plot area (its maker pressed
`v` after a run had already given the curve the room, and so took it away), and nothing
noticed: the README only links the files. Each picture's key content is checked here,
row by row as the SVG lays it out; the curves are counted as their characters (braille
dots, points) on the rows below the plot's title, since the diagram has braille too.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
TEXT = re.compile(r'<text[^>]*\by="([0-9.]+)"[^>]*>(.*?)</text>')
BRAILLE = re.compile("[\u2801-\u28ff]")


def rows(name: str) -> list[str]:
    """The screenshot's text, one string per screen row (the SVG's text runs by y)."""
    by_y: dict[float, list[str]] = {}
    for y, text in TEXT.findall((SHOTS / f"{name}.svg").read_text(encoding="utf-8")):
        by_y.setdefault(float(y), []).append(html.unescape(text).replace("\xa0", " "))
    return ["".join(parts) for _, parts in sorted(by_y.items())]


def below(lines: list[str], title: str) -> str:
    """The rows after the first that holds ``title`` (a plot's own rows)."""
    start = next(i for i, line in enumerate(lines) if title in line)
    return "\n".join(lines[start + 1:])


KEY: dict[str, tuple[str, ...]] = {
    "00-network-backward": ("phase 10/11 dW1", "ports: dW1, dW2", "◀", "Backward"),
    "01-forward-pass": ("phase 5/11 y_hat", "not yet", "Forward"),
    "02-update": ("phase 11/11 update", "W1 new", "was"),
    "03-iris-loss-curve": ("iris", "epoch 200", "mean loss per epoch", "train mean", "test"),
    "04-predictions-vs-targets": ("targets against predictions", "target y", "y = y_hat"),
    "05-student-transposed-dW2": ("your dW2", "transposed"),
    "06-gradient-check": ("Gradient check", "backprop", "ok"),
    "07-80x24": ("phase 11/11 update", "Network", "Equation"),
    "08-112-columns": ("phase 10/11 dW1", "chain rule", "Backward"),
    "09-160x50": ("iris", "phase 10/11 dW1", "Parameters", "Forward", "Backward"),
    "10-breakpoint-and-watches": ("stopped by breakpoint", "L < 0.005", "watch"),
    "11-watch-history": ("Watches", "each watch after each update", "W2[0,1]", "│ an edit"),
    "12-deeper-tanh": ("hidden 2", "tanh", "delta1"),
    "13-iris-species": ("iris-species", "Iris-setosa", "Iris-versicolor", "Iris-virginica",
                        "softmax"),
    "14-iris-species-accuracy": ("accuracy per epoch", "confusion", "Iris-virginica", "epoch"),
}


def test_every_screenshot_is_checked_and_every_check_has_its_file():
    assert sorted(KEY) == sorted(p.stem for p in SHOTS.glob("*.svg"))


@pytest.mark.parametrize("name", sorted(KEY))
def test_a_screenshot_holds_its_key_content(name: str):
    text = "\n".join(rows(name))
    missing = [word for word in KEY[name] if word not in text]
    assert not missing, f"{name}.svg lacks {missing}"


def test_the_loss_curve_screenshot_shows_both_curves():
    plot = below(rows("03-iris-loss-curve"), "mean loss per epoch")
    assert len(BRAILLE.findall(plot)) >= 100  # the train and test curves, in dots
    assert "×" in plot  # where they share a cell


def test_the_curves_of_the_other_plot_screenshots_are_drawn():
    assert plot_points("04-predictions-vs-targets", "targets against predictions", "•") >= 50
    assert plot_points("11-watch-history", "each watch after each update", BRAILLE) >= 100
    assert plot_points("14-iris-species-accuracy", "accuracy per epoch", BRAILLE) >= 50


def plot_points(name: str, title: str, marks: str | re.Pattern) -> int:
    plot = below(rows(name), title)
    if isinstance(marks, re.Pattern):
        return len(marks.findall(plot))
    return sum(plot.count(mark) for mark in marks)
