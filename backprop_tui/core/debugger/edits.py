"""Statements that set a parameter or the learning rate mid-run: ``W1[0,1] = 0.5``, ``lr = 0.1``.

What a student types runs on a classroom machine (and, served, in a browser), so it
is parsed by :mod:`ast` and walked against a whitelist (one assignment; a parameter
name, optionally with integer indices; numbers, unary signs and lists), never
evaluated. Every mistake raises :class:`EditError` with one line that says where it
is and what would work, and a column the app can point at.

Parsing knows only the shapes; applying an edit to a run is
:meth:`backprop_tui.core.run.session.Session.edit`.
"""

from __future__ import annotations

import ast
import difflib
import math
from dataclasses import dataclass

import numpy as np

from ..network.params import param_shapes

__all__ = ["MAX_LR", "MAX_TEXT", "MAX_VALUE", "Assignment", "EditError", "parse_edit"]

MAX_TEXT = 20_000   # characters: a row of 1000 inputs fits; a whole 1000x1000 W1 does not
MAX_VALUE = 1e6     # |parameter| above this only makes every sigmoid saturate
MAX_LR = 1e3        # far past any rate that trains; a typo (1e30) is refused
LR_NAMES = ("lr", "η", "eta")


class EditError(ValueError):
    """A statement that cannot be applied; ``str()`` is one line, ``column`` is 1-based
    (None when the problem is not at one place)."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message if column is None else f"{message} (column {column})")
        self.column = column


@dataclass(frozen=True)
class Assignment:
    """One parsed statement: ``name[index] = value``, the index made non-negative.

    ``value`` is a float for ``lr``, else an array of the target's shape (a number
    typed for a whole array or row is spread over it, as numpy assigns).
    """

    name: str                 # "W1", "b1", "W2", "b2" or "lr"
    index: tuple[int, ...]    # () for the whole array
    value: float | np.ndarray
    text: str                 # what was typed, stripped

    @property
    def target(self) -> str:
        """``W1[0,1]``, ``W1[1]``, ``b2`` or ``lr``: what the statement sets."""
        return self.name + (f"[{','.join(map(str, self.index))}]" if self.index else "")

    @property
    def is_lr(self) -> bool:
        return self.name == "lr"


class _Problem(Exception):
    """A mistake found at ``node`` (its byte offset is turned into a column by parse_edit)."""

    def __init__(self, message: str, node: ast.AST | None) -> None:
        super().__init__(message)
        self.message, self.node = message, node


Shapes = dict[str, tuple[int, ...]]


def parse_edit(text: str, n_inputs: int | Shapes, n_hidden: int = 0) -> Assignment:
    """The statement ``text`` checked against the shapes of a network; EditError if wrong.

    The network: its parameters' shapes (``Architecture.param_shapes``: W1..WL, b1..bL),
    or the lab's family by (n_inputs, n_hidden)."""
    shapes = n_inputs if isinstance(n_inputs, dict) else param_shapes(n_inputs, n_hidden)
    lead = len(text) - len(text.lstrip()) if isinstance(text, str) else 0
    try:
        return _parse(text, shapes)
    except _Problem as problem:
        offset = getattr(problem.node, "col_offset", None)
        column = None
        if offset is not None:  # ast counts UTF-8 bytes; a user counts characters (η)
            column = lead + len(text.strip().encode()[:offset].decode("utf-8", "ignore")) + 1
        raise EditError(problem.message, column) from None
    except EditError as err:  # found on the stripped text: count the spaces typed before it
        if err.column is None or not lead:
            raise
        raise EditError(err.args[0].rsplit(" (column ", 1)[0], err.column + lead) from None


def _parse(text: str, shapes: Shapes) -> Assignment:
    if not isinstance(text, str):
        raise EditError("an edit is a line of text such as W1[0,1] = 0.5")
    stripped = text.strip()
    if not stripped:
        raise EditError("empty edit: type a parameter and a value, such as W1[0,1] = 0.5 "
                        "or lr = 0.1")
    if len(stripped) > MAX_TEXT:
        raise EditError(f"edit too long ({len(stripped):,} characters, at most {MAX_TEXT:,}): "
                        "set one row or element at a time")
    if "\n" in stripped or "\r" in stripped:
        raise EditError("one edit per line")
    bad = next((i for i, ch in enumerate(stripped) if not ch.isprintable()), None)
    if bad is not None:
        raise EditError(f"unexpected control character {stripped[bad]!r}", bad + 1)
    statement = _statement(stripped)
    target, value_node = _split(statement)
    name, index_nodes = _target(target, tuple(shapes))
    if name == "lr":
        if index_nodes:
            raise _Problem("lr is a single number: it takes no index", index_nodes[0])
        return Assignment("lr", (), _learning_rate(value_node), stripped)
    shape = shapes[name]
    index = _index(name, shape, index_nodes)
    sub_shape = shape[len(index):]
    return Assignment(name, index, _array(name, index, sub_shape, value_node), stripped)


def _statement(text: str) -> ast.stmt:
    try:
        module = ast.parse(text, mode="exec")
    except SyntaxError as err:
        reason = (err.msg or "invalid syntax").split("\n")[0]
        raise EditError(f"syntax error: {reason}; write, for example, W1[0,1] = 0.5",
                        err.offset) from None
    except (RecursionError, MemoryError, ValueError):
        raise EditError("edit nested too deeply to read: lists go two levels deep at most") \
            from None
    if not module.body:
        raise EditError("empty edit (only a comment): type, for example, W1[0,1] = 0.5")
    if len(module.body) != 1:
        raise _Problem("one edit at a time (no ';')", module.body[1] if module.body else None)
    return module.body[0]


def _split(statement: ast.stmt) -> tuple[ast.expr, ast.expr]:
    if isinstance(statement, ast.Assign):
        if len(statement.targets) != 1:
            raise _Problem("set one thing at a time (no a = b = 1)", statement.targets[1])
        return statement.targets[0], statement.value
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Compare):
        raise _Problem("an edit assigns with one '=' (== compares)", statement)
    if isinstance(statement, ast.AugAssign | ast.AnnAssign):
        raise _Problem("write the new value itself, as in W1[0,1] = 0.5", statement)
    raise _Problem("an edit is name = value, such as W1[0,1] = 0.5 or lr = 0.1", statement)


def _target(node: ast.expr, names: tuple[str, ...]) -> tuple[str, list[ast.expr]]:
    """The name being set and its index expressions (none, one or two)."""
    index: list[ast.expr] = []
    if isinstance(node, ast.Subscript):
        inner = node.slice
        index = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if isinstance(node.value, ast.Subscript):
            raise _Problem("write one index list, as W1[0,1], not W1[0][1]", node.value)
        node = node.value
    if not isinstance(node, ast.Name):
        raise _Problem(f"the left side is a parameter ({', '.join(names)}) or lr", node)
    return _known_name(node, names), index


def _known_name(node: ast.Name, names: tuple[str, ...]) -> str:
    name = node.id
    if name in names:
        return name
    if name in LR_NAMES:
        return "lr"
    known = [*names, *LR_NAMES]
    by_case = [k for k in known if k.lower() == name.lower()]
    same_start = [k for k in known if k[0].lower() == name[0].lower()]
    close = by_case or difflib.get_close_matches(name, same_start, n=1, cutoff=0.4) or \
        difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]}? " if close else ""
    raise _Problem(f"unknown name {name!r}: {hint}one can set {', '.join(names)} or lr", node)


def _index(name: str, shape: tuple[int, ...], nodes: list[ast.expr]) -> tuple[int, ...]:
    if len(nodes) > len(shape):
        raise _Problem(f"{name} has shape {_shape(shape)}: at most {len(shape)} "
                       f"ind{'ex' if len(shape) == 1 else 'ices'}", nodes[len(shape)])
    out = []
    for axis, node in enumerate(nodes):
        if isinstance(node, ast.Slice):
            some = f"one row ({name}[0])" if len(shape) == 2 else f"all of {name} ({name} = ...)"
            raise _Problem(f"slices are not supported: set one element "
                           f"({name}[{','.join('0' for _ in shape)}]) or {some}", node)
        i = _integer(node)
        size = shape[axis]
        if not -size <= i < size:
            what = ("rows" if axis == 0 else "columns") if len(shape) == 2 else "indices"
            raise _Problem(f"index {i} is outside {name}'s shape {_shape(shape)}: {what} "
                           f"{'0' if size == 1 else f'0..{size - 1}'}", node)
        out.append(i % size)
    return tuple(out)


def _integer(node: ast.expr) -> int:
    sign, inner = _signed(node)
    if isinstance(inner, ast.Constant) and type(inner.value) is int:
        return sign * inner.value
    raise _Problem("an index is a whole number such as 0 or 1", node)


def _signed(node: ast.expr) -> tuple[int, ast.expr]:
    """Peel unary + and - (a few of them), returning the sign and the inner node."""
    sign, depth = 1, 0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node, depth = node.operand, depth + 1
        if depth > 4:
            raise _Problem("too many signs", node)
    return sign, node


def _number(node: ast.expr, what: str, limit: float) -> float:
    sign, inner = _signed(node)
    if not (isinstance(inner, ast.Constant) and type(inner.value) in (int, float)):
        hint = (" (inf and nan are not allowed)" if isinstance(inner, ast.Name)
                and inner.id.lower() in ("inf", "nan", "infinity") else "")
        example = "0.5" if what == "lr" else "0.5 or -1e-3"
        raise _Problem(f"{what} must be a number, such as {example}{hint}", node)
    try:
        value = sign * float(inner.value)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise _Problem(f"{what} must be a finite number", node)
    if abs(value) > limit:
        raise _Problem(f"{what} {value:g} is too large: at most {limit:g} in size", node)
    return value


def _learning_rate(node: ast.expr) -> float:
    value = _number(node, "lr", MAX_LR)
    if value <= 0:
        raise _Problem(f"lr must be > 0, got {value:g}", node)
    return value


def _array(name: str, index: tuple[int, ...], shape: tuple[int, ...],
           node: ast.expr) -> np.ndarray:
    """The value typed for ``name[index]`` as an array of ``shape``: a number spreads over
    it; a list must have the shape (for W2's single row, [[..]] or [..])."""
    where = name + (f"[{','.join(map(str, index))}]" if index else "")
    if not isinstance(node, ast.List | ast.Tuple):
        return np.full(shape, _number(node, f"{where}'s value", MAX_VALUE), dtype=float)
    got = _nested(node, where, depth=0)
    typed = np.shape(got)
    squeezed = shape
    while squeezed and squeezed[0] == 1 and typed != squeezed:
        squeezed = squeezed[1:]
    if not shape:
        raise _Problem(f"{where} is one number: type it without brackets", node)
    if typed != squeezed:
        raise _Problem(f"{where} has shape {_shape(shape)}, the list typed has shape "
                       f"{_shape(typed)}", node)
    return np.array(got, dtype=float).reshape(shape)


def _nested(node: ast.expr, where: str, depth: int) -> list:
    """A list of numbers, or of lists of numbers of equal length (rectangular)."""
    if not isinstance(node, ast.List | ast.Tuple):
        return _number(node, f"{where}'s value", MAX_VALUE)  # type: ignore[return-value]
    if depth >= 2:
        raise _Problem("lists go two levels deep at most", node)
    items = [_nested(e, where, depth + 1) for e in node.elts]
    if not items:
        raise _Problem(f"empty list for {where}", node)
    kinds = {np.shape(item) for item in items}
    if len(kinds) > 1:
        raise _Problem(f"the rows of the list typed for {where} differ in length", node)
    return items


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
