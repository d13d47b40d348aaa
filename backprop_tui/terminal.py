"""Output on a terminal that only takes ASCII (``PYTHONIOENCODING=ascii``, ``LANG=C``).

Python's default for such a stream is an error (stdout) or an escape like
``\\u2502`` (stderr, where Textual draws). Neither helps a reader. So when the
streams cannot encode our symbols, they get an error handler that writes
something readable instead: words for the command line's reports ("sigma",
"eta", "->"), and for the app exactly one character per cell ("|" for a box
line, "s" for sigma), so that the layout, measured in cells, stays intact.
"""

from __future__ import annotations

import codecs
import os
import sys
import unicodedata

WORDS = {"σ": "sigma", "η": "eta", "−": "-", "·": "*", "½": "1/2", "²": "^2", "…": "...",
         "│": "|", "×": "x", "✓": "ok", "≤": "<=", "≥": ">=", "←": "<-", "→": "->",
         "●": "*", "±": "+-", "\u00a0": " "}
CELLS = {"−": "-", "·": "*", "…": ".", "×": "x", "✓": "v", "≤": "<", "≥": ">", "←": "<",
         "→": ">", "●": "*", "±": "+", "½": "/", "\u00a0": " "}
HANDLERS = {"words": "backprop-tui-words", "cells": "backprop-tui-cells"}


def one_cell(ch: str) -> str:
    """An ASCII stand-in exactly as many cells wide as ``ch`` is on the screen."""
    width = _cells_of(ch)
    if width != 1:
        return "?" * width
    name = unicodedata.name(ch, "")
    if name.startswith("BOX DRAWINGS"):
        horizontal, vertical = "HORIZONTAL" in name, "VERTICAL" in name
        return "-" if horizontal and not vertical else "|" if vertical and not horizontal else "+"
    if name.startswith("BRAILLE PATTERN"):
        return " " if ch == "\u2800" else "."
    if "BLOCK" in name or "SHADE" in name:
        return "#"
    if name.startswith("GREEK") and "LETTER" in name:
        letter = name.split()[-1][0]
        return letter.lower() if "SMALL" in name else letter
    plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return plain if len(plain) == 1 else CELLS.get(ch, "?")


def _cells_of(ch: str) -> int:
    """Cells of one character as Textual measures them (rich), else by the Unicode tables."""
    try:
        from rich.cells import cell_len
    except ImportError:  # the command line without the app's dependencies
        if unicodedata.combining(ch):
            return 0
        return 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return cell_len(ch)


def _words(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    text = err.object[err.start:err.end]
    return "".join(WORDS.get(ch) or unicodedata.normalize("NFKD", ch).encode(
        "ascii", "ignore").decode() or "?" for ch in text), err.end


def _cells(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    return "".join(one_cell(ch) for ch in err.object[err.start:err.end]), err.end


def readable_output(style: str = "words") -> None:
    """Give stdout and stderr a readable ASCII fallback if their encoding lacks our symbols."""
    for kind, handler in (("words", _words), ("cells", _cells)):
        try:
            codecs.lookup_error(HANDLERS[kind])
        except LookupError:
            codecs.register_error(HANDLERS[kind], handler)
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "".join(WORDS).encode(encoding)
        except (UnicodeEncodeError, LookupError):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors=HANDLERS[style])


def needs_no_terminal() -> bool:
    """True when the app draws somewhere else than this terminal (a browser, through
    textual-serve, sets TEXTUAL_DRIVER), so a redirected stdout is fine."""
    return bool(os.environ.get("TEXTUAL_DRIVER"))
