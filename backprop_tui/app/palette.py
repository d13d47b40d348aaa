"""Every colour the screen uses, taken from the current Textual theme.

Widgets write Rich styles, which know nothing of themes; this palette turns the
theme's variables into those styles, so every built-in theme (dark or light) and
the projector theme stay readable. Blue/orange for the sign of a number follow the
theme's primary and warning text colours; "stronger" means closer to that colour
and away from the background, on light and dark grounds alike. The app calls
:meth:`Palette.update` when the theme changes; rendering reads :data:`PALETTE`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.color import Color
from textual.theme import Theme

RGB = tuple[int, int, int]

# A high-contrast light theme for projectors: washed-out rooms lose dark backgrounds and
# pastel colours first, so black on white with a deep blue and a deep orange (an orange
# dark enough that its weakest shade still reads as text, WCAG 4.5: see
# tests/app/test_diagram_projector.py; #B34700 gave 3.5 there, a brown that faded).
PROJECTOR = Theme(
    name="projector", primary="#0033CC", secondary="#002080", accent="#B35900",
    warning="#8F3900", error="#C00000", success="#006B00", foreground="#000000",
    background="#FFFFFF", surface="#F2F2F2", panel="#E6E6E6", dark=False,
    variables={"text-primary": "#0033CC", "text-warning": "#8F3900", "text-accent": "#8A4500",
               "text-error": "#C00000", "text-success": "#006B00",
               "border": "#0033CC", "footer-key-foreground": "#8F3900"},
)


def _rgb(value: str, fallback: RGB) -> RGB:
    try:
        c = Color.parse(value)
    except Exception:  # "auto 60%" and other non-colours: keep the fallback
        return fallback
    return (c.r, c.g, c.b)


def _hex(c: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*c)


def _light(c: RGB) -> bool:
    return sum(c) > 3 * 128


def contrast(a: RGB, b: RGB) -> float:
    """The WCAG contrast ratio of two colours (1 to 21): text wants 4.5, lines 3."""
    def luminance(c: RGB) -> float:
        lin = [v / 3294.6 if v <= 10.0164 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``t`` of the way from colour a to colour b."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore


@dataclass
class Palette:
    """Rich styles for values, what-just-happened marks, borders and verdicts."""

    positive: RGB = (87, 165, 226)
    negative: RGB = (255, 196, 115)
    zero: RGB = (224, 224, 224)
    background: RGB = (18, 18, 18)
    third: RGB = (95, 215, 95)   # a third series colour (the epoch in progress)
    produced: str = "bold #121212 on #E0E0E0"
    produced_cell: str = "bold on #3F3F3F"
    read: str = "bold underline #E0E0E0"
    not_yet: str = "italic #6E6E6E"
    border: str = "#2A5F8A"
    active_border: str = "bold #E0E0E0"
    error: str = "bold #FF6B6B"
    success: str = "bold #5FD75F"
    warning: str = "#FFC473"
    muted: str = "#8C8C8C"
    asked: str = "bold #FFC473 on #3F3F3F"

    def update(self, v: dict[str, str]) -> None:
        """Take the colours of a theme from its variables (``App.theme_variables``)."""
        bg = _rgb(v.get("background", ""), self.background)
        fg = _rgb(v.get("foreground", ""), self.zero)
        self.background, self.zero = bg, fg
        self.positive = _rgb(v.get("text-primary", ""), self.positive)
        self.negative = _rgb(v.get("text-warning", ""), self.negative)
        # What just happened is marked in the text colour itself (a reversed label, a grey
        # ground under the numbers, an underline), never in a hue: blue and orange mean sign.
        self.produced = f"bold {_hex(bg)} on {_hex(fg)}"
        self.produced_cell = f"bold on {_hex(mix(bg, fg, 0.22))}"
        self.read = f"bold underline {_hex(fg)}"
        # On a light ground (a projector) grey fades first: "not yet" is darker there.
        self.not_yet = f"italic {_hex(mix(bg, fg, 0.62 if _light(bg) else 0.45))}"
        self.border = _hex(mix(bg, _rgb(v.get("primary", ""), self.positive), 0.6))
        self.active_border = f"bold {_hex(fg)}"
        self.error = f"bold {_hex(_rgb(v.get('text-error', ''), (255, 107, 107)))}"
        self.third = _rgb(v.get("text-success", ""), self.third)
        self.success = f"bold {_hex(self.third)}"
        self.warning = _hex(_rgb(v.get("text-warning", ""), self.negative))
        self.muted = _hex(mix(bg, fg, 0.6))
        self.asked = f"bold {self.warning} on {_hex(mix(bg, fg, 0.22))}"

    def value(self, v: float, scale: float) -> str:
        """A number's colour: the sign's hue, stronger for a larger share of ``scale``."""
        if v == 0 or scale <= 0:
            return _hex(self.zero)
        t = min(1.0, abs(v) / scale)
        # Small values stay readable: on a light ground (a projector) a pale colour
        # vanishes sooner than a dim one on a dark ground, so the floor is higher there.
        floor = 0.8 if _light(self.background) else 0.6
        return _hex(mix(self.background, self.positive if v > 0 else self.negative,
                        floor + (1 - floor) * t))


PALETTE = Palette()
