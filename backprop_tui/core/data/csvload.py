"""Parsing user CSV data into float columns, fast when the file is clean, exact when it is not.

Split out of :mod:`backprop_tui.core.data.datasets` to keep each module small. Two readers
share one meaning: :func:`np.loadtxt` (C speed and little memory, used when the
file has no quotes) and a streaming Python reader that defines the rules and
reports the first problem with file, line and column. Whenever the fast reader
refuses a file, or its numbers include nan/inf, the streaming reader runs and
either finds the exact problem or reads what numpy could not (``1_000``). A
property test checks that the two agree. Errors are :class:`DataError`, one line.
"""

from __future__ import annotations

import csv
import itertools
import math
import warnings
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from .cells import hidden_number, is_number, not_a_number, show
from .columns import read_labelled, select_columns
from .errors import ContentError, DataError

Row = tuple[int, tuple[str, ...]]  # (1-based file line, stripped fields)


def split_rows(lines: BinaryIO, source: str) -> Iterator[Row]:
    """Non-blank lines as stripped fields, numbered as an editor numbers them.

    Lines end at "\\n" only (not str.splitlines, which also breaks on form feeds),
    so the line numbers match what an editor shows; a line without quotes is
    split on commas directly, which is what the csv module would do, only faster.
    """
    for number, raw in enumerate(lines, start=1):
        line = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\n").rstrip("\r")
        if not line.strip():
            continue  # blank lines, e.g. the trailing one of UCI iris.data
        if '"' in line or "\r" in line:
            try:
                fields = next(csv.reader([line]))
            except csv.Error as err:  # a field over csv's size limit, a stray carriage return
                raise DataError(f"{source}: line {number}: {err}") from None
        else:
            fields = line.split(",")
        yield number, tuple(f.strip() for f in fields)


@dataclass(frozen=True)
class Table:
    """What the first lines of a CSV say: column names, numeric columns, where data starts."""

    source: str
    names: tuple[str, ...]
    numeric: tuple[bool, ...]
    first: Row  # the first data row
    header_line: int  # file line of the header, 0 without one

    def describe_columns(self) -> str:
        """'available columns: 0 a, 1 b, 2 class (text)' -- what an unknown-column error lists."""
        parts = [
            f"{j} {name}" + ("" if num else " (text)")
            for j, (name, num) in enumerate(zip(self.names, self.numeric, strict=True))
        ]
        return "available columns: " + ", ".join(parts)


def sniff(rows: Iterator[Row], source: str, names: tuple[str, ...] | None,
          max_columns: int) -> tuple[Table, Iterator[Row]]:
    """The Table, and the data rows (header removed) still to be read."""
    head = list(itertools.islice(rows, 2))
    if not head:
        raise DataError(f"{source}: empty file (no data rows)")
    first = head[0][1]
    width = len(first)
    if width > max_columns:
        raise DataError(f"{source}: line {head[0][0]} has {width} columns, more than the limit "
                        f"of {max_columns} (raise it with --max-columns N)")
    header = False
    if names is None and not any(is_number(f) for f in first):
        header = True
    elif names is None and len(head) > 1:
        second = head[1][1]
        header = any(not is_number(a) and is_number(b)
                     for a, b in zip(first, second, strict=False))  # ragged: reported later
    rest = itertools.chain(head[1:] if header else head, rows)
    data_first = next(rest, None) if header else head[0]
    if data_first is None:
        raise DataError(f"{source}: no data rows (only a header line)")
    if header:
        rest = itertools.chain([data_first], rest)
    if width == 1 and any(sep in first[0] for sep in ";\t"):
        sep = "';'" if ";" in first[0] else "tabs"
        raise DataError(f"{source}: only one column, and its fields hold {sep}: "
                        "separate columns with commas")
    if names is None:
        names = (tuple(f or f"col{j}" for j, f in enumerate(first)) if header
                 else tuple(f"col{j}" for j in range(width)))
    elif len(names) != width:
        raise DataError(f"{source}: expected {len(names)} columns, found {width}")
    if len(data_first[1]) != width:  # ragged right away: the column types cannot be read
        raise DataError(f"{source}: line {data_first[0]} has {len(data_first[1])} fields, "
                        f"expected {width}")
    numeric = tuple(is_number(f) for f in data_first[1])
    hidden = hidden_number(source, head[0] if header else None, data_first, names)
    if hidden:
        raise DataError(hidden)
    table = Table(source, names, numeric, data_first, head[0][0] if header else 0)
    return table, rest


def _too_many_rows(source: str, max_rows: int) -> DataError:
    return DataError(f"{source}: more than {max_rows:,} data rows, the limit "
                     "(raise it with --max-rows N)")


def read_columns(table: Table, rows: Iterator[Row], cols: list[int], max_rows: int) -> np.ndarray:
    """The selected columns of every data row as a (rows, len(cols)) float array, streaming.

    These are the rules: every row has the header's width (else the first ragged
    line is named), and each selected column's first bad cell is named, in the
    order of ``cols``; nothing but the numbers is kept.
    """
    width = len(table.names)
    out = [array("d") for _ in cols]
    bad: dict[int, str] = {}
    count = 0
    for number, fields in rows:
        if len(fields) != width:
            raise DataError(f"{table.source}: line {number} has {len(fields)} fields, "
                            f"expected {width}")
        count += 1
        if count > max_rows:
            raise _too_many_rows(table.source, max_rows)
        for k, j in enumerate(cols):
            field = fields[j]
            try:
                value = float(field)
            except ValueError:
                value, finite = math.nan, False
            else:
                finite = True
            if not math.isfinite(value) and k not in bad:
                where = f"{table.source}: line {number}, column '{table.names[j]}'"
                bad[k] = (f"{where}: {show(field)} is not a finite number" if finite
                          else not_a_number(where, field))
            out[k].append(value)
    if bad:
        raise DataError(bad[min(bad)])
    return np.column_stack([np.frombuffer(a, dtype=np.float64) for a in out]).reshape(
        count, len(cols))


def _zero(_: str) -> float:
    return 0.0


def fast_columns(path: str, table: Table, cols: list[int], max_rows: int) -> np.ndarray | None:
    """The same array as :func:`read_columns`, by numpy's C reader; None when it is unsure.

    Text columns go through a converter that ignores them, so every row is still
    checked for the header's width. Only for files without quotes or lone CRs
    (where a comma split is the whole of csv's job); a refusal or a nan/inf
    sends the caller to the streaming reader for the exact message.
    """
    converters = {j: _zero for j, num in enumerate(table.numeric) if not num}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = np.loadtxt(path, delimiter=",", comments=None, quotechar=None,
                              skiprows=table.header_line, converters=converters or None,
                              ndmin=2, max_rows=min(max_rows, 2**62) + 1, encoding="utf-8-sig",
                              dtype=np.float64)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if data.shape[1] != len(table.names):
        return None
    if len(data) > max_rows:
        raise _too_many_rows(table.source, max_rows)
    selected = data if cols == list(range(data.shape[1])) else data[:, cols]
    del data
    return selected if np.isfinite(selected).all() else None


def load_table(lines: BinaryIO, source: str, inputs: str | None, target: str | None, *,
               names: tuple[str, ...] | None = None, fast_path: str | None = None,
               max_rows: int = 10_000_000, max_columns: int = 1000, classes: bool = False,
               ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str]:
    """X, y and the chosen column names from CSV bytes (``fast_path``: the same bytes' file).
    What the bytes make wrong is a :class:`ContentError`: its message may quote them.

    y is (rows,) for one numeric target, (rows, k) for ``--target y1,y2``, and the
    target column's text, one label a row (an object array), when ``classes``."""
    try:
        table, rows = sniff(split_rows(lines, source), source, names, max_columns)
        cols, ts = select_columns(table, inputs, target, classes)
        if classes:
            data, labels = read_labelled(table, rows, cols, ts[0], max_rows, read_columns)
        else:
            labels = None
            data = None if fast_path is None else fast_columns(fast_path, table, cols + ts,
                                                               max_rows)
            if data is None:
                data = read_columns(table, rows, cols + ts, max_rows)
    except ContentError:
        raise
    except DataError as err:
        raise ContentError(str(err)) from None
    if len(data) < 2:
        raise ContentError(f"{source}: too few rows: only 1 data row, need at least 2")
    k = len(cols)
    X = np.ascontiguousarray(data[:, :k])
    y = labels if labels is not None else (
        data[:, k].copy() if len(ts) == 1 else np.ascontiguousarray(data[:, k:]))
    return X, y, tuple(table.names[j] for j in cols), ",".join(table.names[t] for t in ts)

