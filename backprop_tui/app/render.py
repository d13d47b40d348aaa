"""Numbers as text: a fixed readable format, sign colours, and matrices as blocks.

Everything here turns values the core computed into Rich Text; it computes no
numbers of the network itself. Large arrays are summarised (first rows and
columns, then an ellipsis) so a panel never floods.
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

from .ask import is_unknown
from .palette import PALETTE

CELL = 8          # width of one formatted number: sign, 3+ significant digits, exponent
MAX_ROWS = 8      # rows of a matrix shown before "…" (f shows all)
MAX_COLS = 8      # columns shown before "…" (f shows all)
SIG = 3           # significant digits every shown entry keeps, at least
WORDS_SIG = 4     # in a line of words there is room for one more
PAIR_SIG = 12     # old→new in words: digits added until the change shows, up to these


def number_format(values: object) -> str:
    """One format for a whole vector or matrix, so its entries line up and compare at a glance.

    Fixed point with as many decimals as the cell holds beside the largest entry (five
    below 10: 4 significant digits from 0.01 up), as long as every non-zero entry keeps
    :data:`SIG` significant digits; else, or when the largest is below 0.01 (fixed point
    would read as a row of zeros), scientific for every entry (3 significant digits,
    "+1.23e-4"): a vector never mixes the two, and a hand check never runs out of digits.
    """
    a = np.asarray(values, dtype=float).ravel()
    finite = np.abs(a[np.isfinite(a)])
    nonzero = finite[finite > 0]
    if nonzero.size == 0:
        return f"+.{CELL - 3}f"
    big, small = float(nonzero.max()), float(nonzero.min())
    decimals = CELL - 3
    while decimals > 0 and len(f"{big:+.{decimals}f}") > CELL:
        decimals -= 1
    if (decimals == 0 or big < 1e-2 or len(f"{big:+.{decimals}f}") > CELL
            or small < 10.0 ** (SIG - 1 - decimals)):
        return f"+.{SIG - 1}e"
    return f"+.{decimals}f"


def fmt(v: float, spec: str | None = None) -> str:
    """One number in :data:`CELL` characters (sign always shown), in ``spec`` (see
    :func:`number_format`); an exponent of two digits or more takes a wider cell rather
    than a digit of the mantissa."""
    v = float(v)
    if math.isnan(v):
        return "nan".rjust(CELL)
    if math.isinf(v):
        return ("+inf" if v > 0 else "-inf").rjust(CELL)
    spec = spec or number_format(v)
    if v == 0:
        return (" 0" if spec.endswith("e") else f" {0:.{spec[2:]}}").rjust(CELL)
    s = f"{v:{spec}}"
    if spec.endswith("e"):
        s = s.replace("e-0", "e-").replace("e+0", "e+")
    return s.rjust(CELL)


def fmt_all(values: object) -> list[str]:
    """Every entry of an array (flattened) in the array's one format."""
    spec = number_format(values)
    return [fmt(v, spec) for v in np.asarray(values, dtype=float).ravel()]


def _words_number(v: float, sig: int) -> str:
    """``v`` for a line of words: the panels' fixed point when that keeps ``sig``
    significant digits, else scientific with ``sig`` of them; no "+" (the words say
    which sign it has only when it is −)."""
    spec = number_format(v)
    if spec.endswith("e") or (v != 0 and math.isfinite(v) and abs(v) < 10.0 ** (
            sig - 1 - int(spec[2:-1]))):
        spec = f"+.{sig - 1}e"
    return fmt(v, spec).strip().lstrip("+")


def scalar_text(v: object) -> str:
    """A scalar or a one-entry array as a plain number for a line of words ("?" for a
    value ask mode hides): the panels' digits, 4 significant ones at least."""
    if is_unknown(v):
        return "?"
    return _words_number(float(np.asarray(v, dtype=float).ravel()[0]), WORDS_SIG)


def _digits(v: float, sig: int) -> str:
    """``v`` with ``sig`` significant digits: fixed point from 0.001 to 10⁴, else
    scientific."""
    if v == 0 or not math.isfinite(v) or not 1e-3 <= abs(v) < 1e4:
        return _words_number(v, sig)
    return f"{v:.{max(0, sig - 1 - math.floor(math.log10(abs(v))))}f}"


def pair_text(old: float, new: float) -> tuple[str, str]:
    """An old value and its new one for a line of words, with digits added (up to
    :data:`PAIR_SIG`) until they read differently whenever they differ: an update whose
    change hides below the digits would say "nothing happened"."""
    a, b = _words_number(old, WORDS_SIG), _words_number(new, WORDS_SIG)
    for sig in range(WORDS_SIG + 1, PAIR_SIG + 1):
        if a != b or old == new:
            break
        a, b = _digits(old, sig), _digits(new, sig)
    return a, b


ASKED = " " * 3 + "?" + " " * 3  # a hidden value, in a number's width


def value_style(v: float, scale: float) -> str:
    """Colour by sign, strength by magnitude relative to ``scale`` (the array's largest);
    blue and orange from the theme (:mod:`.palette`), so every theme keeps them readable."""
    if not math.isfinite(v):
        return f"bold {PALETTE.error} reverse"
    return PALETTE.value(v, scale)


def _scale(a: np.ndarray) -> float:
    finite = a[np.isfinite(a)]
    return float(np.max(np.abs(finite))) if finite.size else 0.0


def as_rows(value: object) -> np.ndarray:
    """Any scalar, vector or matrix as a 2-D array of rows (vectors as one row)."""
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a.reshape(1, -1)
    return a.reshape(a.shape[0], -1)


def shape_of(value: object) -> str:
    """Shape as numpy prints it ('()' for a plain number; panels leave scalars unshaped)."""
    shape = np.shape(value)
    return "(" + ",".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def row_width(cols: int) -> int:
    """Columns a bracketed row of ``cols`` cells takes."""
    return cols * (CELL + 1) + 1


def cols_that_fit(room: int, cols: int) -> int:
    """How many of a row's ``cols`` cells to show in ``room`` columns (0: no limit but
    MAX_COLS; negative: no limit at all); when some must go, room is kept for the "…+N"
    that says so."""
    if room < 0:
        return cols
    if room == 0:
        return min(cols, MAX_COLS)
    if cols <= MAX_COLS and row_width(cols) <= room:
        return cols
    return max(1, min(MAX_COLS, (room - 1 - 4) // (CELL + 1)))


def row_lines(
    value: object,
    marks: np.ndarray | None = None,
    brackets: bool = True,
    column: bool = False,
    room: int = 0,
    highlight: bool = False,
) -> list[Text]:
    """A value as lines of coloured cells; ``column`` stands a vector on end.

    ``marks`` (same shape, booleans) underlines changed cells; a row is cut to fit
    ``room`` columns (and MAX_COLS cells), then "…+N" says how many more there are.
    ``highlight`` gives the cells the ground of values the current phase produced.
    """
    asked = is_unknown(value)  # ask mode: the shape shows, the numbers are "?"
    a = as_rows(value)
    m = None if marks is None else np.asarray(marks, dtype=bool).reshape(a.shape)
    if column and a.shape[0] == 1:
        a = a.T
        m = None if m is None else m.T
    scale = _scale(a)
    spec = number_format(a)
    rows, cols = a.shape
    shown_rows = list(range(rows if room < 0 else min(rows, MAX_ROWS)))
    shown_cols = list(range(cols_that_fit(room, cols)))
    lines = []
    for i in shown_rows:
        t = Text("[" if brackets else "")
        for n, j in enumerate(shown_cols):
            if n:
                t.append(" ")
            if asked:
                t.append(ASKED, style=PALETTE.asked)
                continue
            style = value_style(a[i, j], scale)
            if m is not None and m[i, j]:
                style += " bold underline"
            if highlight:
                style += " " + PALETTE.produced_cell
            t.append(fmt(a[i, j], spec), style=style)
        if brackets:
            t.append("]")
        if cols > len(shown_cols):
            t.append(f"…+{cols - len(shown_cols)} f", style="dim")
        lines.append(t)
    if rows > len(shown_rows):
        lines.append(Text(f" … {rows - len(shown_rows)} more rows (f shows all)", style="dim"))
    return lines


def labelled(label: str, value: object, width: int, marks: np.ndarray | None = None,
             room: int = 0, style: str = "bold", highlight: bool = False) -> list[Text]:
    """``label`` left of the value's first line, later lines indented under it.

    ``room`` is the panel's width in columns (0: unknown), so rows are cut to fit.
    ``style`` is the label's (bold, or what-just-happened's PRODUCED / READ); a scalar
    is written as a plain number, without brackets.
    """
    lines = row_lines(value, marks, brackets=np.ndim(value) > 0,
                      room=max(room - width, 1) if room > 0 else room, highlight=highlight)
    out = []
    for n, line in enumerate(lines):
        head = Text.assemble((label, style) if n == 0 else "", " " * (width - len(label))
                             if n == 0 else " " * width)
        out.append(head + line)
    return out


def placeholder(label: str, width: int, note: str) -> Text:
    """The line a quantity shows before its phase has computed it: unlike any value."""
    return (Text(label.ljust(width), style=PALETTE.not_yet)
            + Text(f"not yet · {note}", style=PALETTE.not_yet))


def hstack(blocks: list[list[Text] | str], gap: int = 1) -> list[Text]:
    """Set blocks of lines side by side, each vertically centred (for equations)."""
    norm: list[list[Text]] = [[Text(b)] if isinstance(b, str) else b for b in blocks]
    height = max(len(b) for b in norm)
    widths = [max((t.cell_len for t in b), default=0) for b in norm]
    out = [Text() for _ in range(height)]
    for block, w in zip(norm, widths, strict=True):
        top = (height - len(block)) // 2
        for r in range(height):
            k = r - top
            piece = block[k] if 0 <= k < len(block) else Text("")
            out[r].append_text(piece)
            out[r].append(" " * (w - piece.cell_len + gap))
    for line in out:
        line.rstrip()
    return out


def join_lines(lines: list[Text]) -> Text:
    """Lines as one Text that is cropped, never wrapped (a wrapped matrix row misleads)."""
    text = Text("\n").join(lines)
    text.no_wrap = True
    text.overflow = "crop"
    return text
