"""Which columns of a table are the inputs and which the target(s), and reading class labels.

Defaults: the target is the last numeric column not chosen as an input (for class
labels: the last column, text or not), and the inputs are all other numeric
columns; text columns (like iris' class) are never inputs. ``--target y1,y2``
names several numeric targets (one output unit each). Class labels are read as
text, so "setosa" and "2" are labels alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from .cells import show
from .errors import DataError

if TYPE_CHECKING:
    from .csvload import Row, Table


def _error(message: str) -> Exception:
    return DataError(message)


def select_columns(table: Table, inputs: str | None, target: str | None,
                   classes: bool = False) -> tuple[list[int], list[int]]:
    """Input column indices and the target indices, from the options or the defaults."""
    numeric = [j for j, num in enumerate(table.numeric) if num]
    chosen: list[int] | None = None
    if inputs is not None:
        chosen = []
        for token in inputs.split(","):
            j = _resolve(table, token, "--inputs")
            if j in chosen:
                raise _error(f"{table.source}: --inputs lists column '{table.names[j]}' twice")
            chosen.append(j)
    if target is not None:
        ys = [_resolve(table, token, "--target", numeric_only=not classes)
              for token in target.split(",")]
        if classes and len(ys) > 1:
            raise _error(f"{table.source}: --target {show(target)}: class labels come from "
                         "one column")
        if len(set(ys)) < len(ys):
            raise _error(f"{table.source}: --target lists a column twice")
    else:
        pool = range(len(table.names)) if classes else numeric
        candidates = [j for j in pool if chosen is None or j not in chosen]
        if not candidates:
            raise _error(f"{table.source}: no numeric column left for the target; "
                         + table.describe_columns())
        ys = [candidates[-1]]
    if chosen is None:
        chosen = [j for j in numeric if j not in ys]
    elif set(ys) & set(chosen):
        y = min(set(ys) & set(chosen))
        raise _error(f"{table.source}: column '{table.names[y]}' is both the target "
                     "and an input")
    if not chosen:
        raise _error(f"{table.source}: no numeric input column besides the target "
                     f"'{table.names[ys[0]]}'; " + table.describe_columns())
    return chosen, ys


def _resolve(table: Table, token: str, option: str, numeric_only: bool = True) -> int:
    """One --inputs/--target item (0-based index or header name) as a column index."""
    token = token.strip()
    if not token:
        raise _error(f"{table.source}: empty column name in {option}")
    if token.isdigit():
        j = int(token)
        if j >= len(table.names):
            raise _error(f"{table.source}: {option}: column index {j} out of range; "
                            + table.describe_columns())
    else:
        matches = [j for j, name in enumerate(table.names) if name == token]
        if not matches:
            raise _error(f"{table.source}: {option}: no column {show(token)}; "
                            + table.describe_columns())
        if len(matches) > 1:
            raise _error(f"{table.source}: {option}: column name {show(token)} is ambiguous "
                            f"(columns {', '.join(map(str, matches))}); select it by index")
        j = matches[0]
    if numeric_only and not table.numeric[j]:
        raise _error(f"{table.source}: column '{table.names[j]}' is not numeric "
                        f"(line {table.first[0]} has {show(table.first[1][j])})")
    return j


def read_labelled(table: Table, rows: Iterator[Row], cols: list[int], t: int, max_rows: int,
                  read: Callable[..., np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The input columns (by ``read``, csvload.read_columns) and column ``t``'s text, one
    label a row: the rows pass through once, their labels kept on the way."""
    labels: list[str] = []

    def keep(source: Iterator[Row]) -> Iterator[Row]:
        for number, fields in source:
            if len(fields) == len(table.names):
                label = fields[t]
                if not label:
                    raise _error(f"{table.source}: line {number}, column "
                                 f"'{table.names[t]}': an empty class label")
                labels.append(label)
            yield number, fields

    data = read(table, keep(rows), cols, max_rows)
    return data, np.array(labels, dtype=object)
