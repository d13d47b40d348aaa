"""Reading and parsing user CSV data: files, URLs and the bundled iris.data.

Split out of :mod:`backprop_tui.core.data` to keep each module small. Everything
here exists to turn a messy text table into float columns, or to fail with a
:class:`DataError` whose one-line message tells a student exactly which file,
line and column to fix (the CLI and the app print it as is, without a traceback).
"""

from __future__ import annotations

import csv
import math
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

URL_TIMEOUT_S = 15.0
"""How long a download may stall before we give up: long enough for a slow
classroom network, short enough that a typo'd host does not look like a hang."""


class DataError(ValueError):
    """Bad data source; str(err) is ONE line naming the problem (file, line, column where known).

    It is a ValueError so generic callers still catch it; newlines are replaced
    so that a message can never break the one-line status bar or CLI output.
    """

    def __init__(self, message: str) -> None:
        super().__init__(str(message).replace("\r", " ").replace("\n", " "))


def show(value: str, limit: int = 40) -> str:
    """repr() of a user value, shortened: a whole garbage line must not flood the message."""
    if len(value) > limit:
        value = value[:limit] + "..."
    return repr(value)


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def read_source(source: str) -> str:
    """The text of a local path or http(s) URL, with every I/O failure turned into a DataError."""
    if is_url(source):
        try:
            with urllib.request.urlopen(source, timeout=URL_TIMEOUT_S) as response:
                data = response.read()
        except urllib.error.HTTPError as err:
            raise DataError(f"{source}: download failed: HTTP {err.code} {err.reason}") from err
        except urllib.error.URLError as err:
            raise DataError(f"{source}: download failed: {err.reason}") from err
        except (OSError, ValueError) as err:  # timeouts, resets, malformed URLs
            raise DataError(f"{source}: download failed: {err or type(err).__name__}") from err
        return decode(data, source)
    path = Path(source).expanduser()
    if path.is_dir():
        raise DataError(f"{source}: is a directory, not a CSV file")
    if not path.exists():
        raise DataError(f"{source}: file not found")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataError(f"{source}: cannot read: {err.strerror or err}") from err
    return decode(data, source)


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (a BOM is tolerated); anything else is reported as binary, not parsed as junk."""
    if b"\x00" in data:
        raise DataError(f"{source}: binary file (contains NUL bytes), expected CSV text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(
            f"{source}: binary or non-UTF-8 file (byte 0x{data[err.start]:02x} at offset "
            f"{err.start}), expected CSV text"
        ) from err


def is_number(field: str) -> bool:
    """Whether float() accepts the field; 'nan'/'inf' count, so they are caught as non-finite."""
    try:
        float(field)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Table:
    """A parsed CSV: column names, which columns are numeric, and rows tagged with file lines."""

    source: str
    names: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (1-based file line, stripped fields)

    def column(self, j: int) -> np.ndarray:
        """Column j as float64, failing on the first bad cell so the student can find it."""
        out = np.empty(len(self.rows))
        for i, (line, fields) in enumerate(self.rows):
            field = fields[j]
            where = f"{self.source}: line {line}, column '{self.names[j]}'"
            try:
                value = float(field)
            except ValueError:
                raise DataError(f"{where}: {show(field)} is not a number") from None
            if not math.isfinite(value):
                raise DataError(f"{where}: {show(field)} is not a finite number")
            out[i] = value
        return out

    def describe_columns(self) -> str:
        """'available columns: 0 a, 1 b, 2 class (text)' -- what an unknown-column error lists."""
        parts = [
            f"{j} {name}" + ("" if num else " (text)")
            for j, (name, num) in enumerate(zip(self.names, self.numeric, strict=True))
        ]
        return "available columns: " + ", ".join(parts)


def parse_table(text: str, source: str, names: tuple[str, ...] | None = None) -> Table:
    """Split CSV text into a Table; ``names`` overrides the column names (for headerless iris).

    Lines are split on "\\n" only (not str.splitlines, which also breaks on form
    feeds etc.), so the reported line numbers match what an editor shows.
    """
    rows: list[tuple[int, tuple[str, ...]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue  # blank lines, e.g. the trailing one of UCI iris.data
        try:
            fields = next(csv.reader([line.rstrip("\r")]))
        except csv.Error as err:  # e.g. a field over csv's size limit
            raise DataError(f"{source}: line {number}: {err}") from None
        rows.append((number, tuple(f.strip() for f in fields)))
    if not rows:
        raise DataError(f"{source}: empty file (no data rows)")

    first = rows[0][1]
    header = False
    if not any(is_number(f) for f in first):
        header = True
    elif len(rows) > 1:
        second = rows[1][1]
        header = any(
            not is_number(a) and is_number(b)
            for a, b in zip(first, second, strict=True)  # ragged: reported below
        )
    if header:
        rows = rows[1:]
        if not rows:
            raise DataError(f"{source}: no data rows (only a header line)")

    width = len(first)
    if width == 1 and any(sep in first[0] for sep in ";\t"):
        sep = "';'" if ";" in first[0] else "tabs"
        raise DataError(f"{source}: only one column, and its fields hold {sep}: "
                        "separate columns with commas")
    for number, fields in rows:
        if len(fields) != width:
            raise DataError(f"{source}: line {number} has {len(fields)} fields, expected {width}")
    if names is None:
        names = (
            tuple(f or f"col{j}" for j, f in enumerate(first))
            if header
            else tuple(f"col{j}" for j in range(width))
        )
    elif len(names) != width:
        raise DataError(f"{source}: expected {len(names)} columns, found {width}")
    numeric = tuple(is_number(f) for f in rows[0][1])
    return Table(source=source, names=names, numeric=numeric, rows=tuple(rows))


def _resolve(table: Table, token: str, option: str) -> int:
    """One --inputs/--target item (0-based index or header name) as a column index."""
    token = token.strip()
    if not token:
        raise DataError(f"{table.source}: empty column name in {option}")
    if token.isdigit():
        j = int(token)
        if j >= len(table.names):
            raise DataError(
                f"{table.source}: {option}: column index {j} out of range; "
                + table.describe_columns()
            )
    else:
        matches = [j for j, name in enumerate(table.names) if name == token]
        if not matches:
            raise DataError(
                f"{table.source}: {option}: no column {show(token)}; " + table.describe_columns()
            )
        if len(matches) > 1:
            raise DataError(
                f"{table.source}: {option}: column name {show(token)} is ambiguous "
                f"(columns {', '.join(map(str, matches))}); select it by index"
            )
        j = matches[0]
    if not table.numeric[j]:
        first_value = table.rows[0][1][j]
        raise DataError(
            f"{table.source}: column '{table.names[j]}' is not numeric "
            f"(line {table.rows[0][0]} has {show(first_value)})"
        )
    return j


def select_columns(table: Table, inputs: str | None, target: str | None) -> tuple[list[int], int]:
    """Input column indices and the target index, from the options or the defaults.

    Defaults: the target is the last numeric column not chosen as an input, and
    the inputs are all other numeric columns; text columns (like iris' class)
    are never picked implicitly.
    """
    numeric = [j for j, num in enumerate(table.numeric) if num]
    chosen: list[int] | None = None
    if inputs is not None:
        chosen = []
        for token in inputs.split(","):
            j = _resolve(table, token, "--inputs")
            if j in chosen:
                raise DataError(f"{table.source}: --inputs lists column '{table.names[j]}' twice")
            chosen.append(j)
    if target is not None:
        y = _resolve(table, target, "--target")
    else:
        candidates = [j for j in numeric if chosen is None or j not in chosen]
        if not candidates:
            raise DataError(
                f"{table.source}: no numeric column left for the target; "
                + table.describe_columns()
            )
        y = candidates[-1]
    if chosen is None:
        chosen = [j for j in numeric if j != y]
    elif y in chosen:
        raise DataError(
            f"{table.source}: column '{table.names[y]}' is both the target and an input"
        )
    if not chosen:
        raise DataError(
            f"{table.source}: no numeric input column besides the target "
            f"'{table.names[y]}'; " + table.describe_columns()
        )
    return chosen, y
