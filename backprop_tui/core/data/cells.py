"""One CSV cell as a number or not, and how to say which and why, in one line.

Split out of :mod:`.csvload` to keep it small. A cell can look like a number and
not be one: a zero-width space or a no-break space pasted from a web page is
invisible in an editor, and the column it makes text would leave the inputs
without a word, so such a character is found and named by its code point.
"""

from __future__ import annotations

import unicodedata

__all__ = ["INVISIBLE", "hidden_number", "invisible_in_number", "is_number", "not_a_number",
           "show"]


def show(value: str, limit: int = 40) -> str:
    """repr() of a user value, shortened: a whole garbage line must not flood the message."""
    if len(value) > limit:
        value = value[:limit] + "..."
    return repr(value)


INVISIBLE = {"Cf", "Cc", "Zs", "Zl", "Zp"}  # Unicode categories shown as nothing or a space


def is_number(field: str) -> bool:
    """Whether float() accepts the field; 'nan'/'inf' count, so they are caught as non-finite."""
    try:
        float(field)
    except ValueError:
        return False
    return True


def invisible_in_number(field: str) -> str | None:
    """'U+200B, zero width space' when ``field`` is a number but for invisible characters
    (format, control, separator or non-ASCII space) in it, else None. A number that reads
    as text takes its column out of the inputs, and the user sees nothing wrong."""
    hidden = [c for c in field if c != " " and unicodedata.category(c) in INVISIBLE]
    if not hidden or not is_number("".join(c for c in field if c not in hidden)):
        return None
    return f"U+{ord(hidden[0]):04X}, {unicodedata.name(hidden[0], 'unnamed').lower()}"


def not_a_number(where: str, field: str) -> str:
    """The message for a cell that should be a number, naming a hidden character in it."""
    hidden = invisible_in_number(field)
    why = f" (it holds an invisible character {hidden}: delete it)" if hidden else ""
    return f"{where}: {show(field)} is not a number{why}"


def hidden_number(source: str, header: tuple[int, tuple[str, ...]] | None,
                  first: tuple[int, tuple[str, ...]], names: tuple[str, ...]) -> str | None:
    """The message for the first number made text by an invisible character in the header
    or the first data row, which decide the columns' types (else None)."""
    for line, fields in [first] if header is None else [header, first]:
        for j, field in enumerate(fields):
            if invisible_in_number(field):
                name = f"col{j}" if (line, fields) == header else names[j]
                return not_a_number(f"{source}: line {line}, column '{name}'", field)
    return None
