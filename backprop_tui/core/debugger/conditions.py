"""Conditions: the small expression language of breakpoints and watches.

A student types ``L < 0.01`` or ``abs(W2[0,1]) > 2 and epoch >= 3`` into a
dialog on a classroom machine, maybe one served to a browser, so the text is
parsed with :mod:`ast` and only a whitelist of constructs is accepted; it is
never given to ``eval``, ``exec`` or ``compile``. The tree is checked against
the real shapes of the run (an unknown name, a bad index, a comparison of
arrays: one line naming the column) and turned once into nested Python
closures (:mod:`.condcompile`), so checking it at every phase of a long run
costs about a microsecond.

A quantity the cursor's phase has not computed yet is simply missing from the
context; evaluating then gives :data:`NOT_YET` (and :meth:`Condition.holds`
False), so ``L < 0.01`` first holds at the L phase.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..network.netphases import Net
from ..network.phases import quantity_shapes
from .condcompile import MAX_DEPTH, POSITION_NAMES, Compiled, ConditionError, compile_tree

__all__ = ["MAX_LENGTH", "NOT_YET", "Condition", "ConditionError", "context_at", "parse",
           "parse_for", "parse_net"]

MAX_LENGTH = 200
"""Characters of a condition: enough for any sensible one, and no parser stress from a paste."""


class _NotYet:
    """The value of a condition whose quantities the current phase has not computed."""

    _instance: _NotYet | None = None

    def __new__(cls) -> _NotYet:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_YET"

    def __bool__(self) -> bool:
        return False


NOT_YET = _NotYet()


@dataclass(frozen=True, eq=False)
class Condition:
    """A parsed, checked and compiled expression over one run's quantities.

    ``names`` are the canonical names it reads, in order of first use (``pred``
    becomes ``y_hat``); ``terms`` are the source texts of the names and indexed
    names in it (``W1[0,1]``, ``L``), whose values a stop reports; ``shape`` is
    the result's shape (``()`` for a number or truth value).
    """

    text: str
    names: tuple[str, ...]
    shape: tuple[int, ...]
    key: str = field(repr=False)  # the tree, so `L<1` and `L < 1` are one breakpoint
    _compiled: Compiled = field(repr=False)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(text for text, _ in self._compiled.terms)

    @property
    def quantities(self) -> tuple[str, ...]:
        """The step's quantities it reads (not epoch, sample, row, phase, lr)."""
        return tuple(n for n in self.names if n not in POSITION_NAMES)

    @property
    def uses_phase(self) -> bool:
        return "phase" in self.names

    @property
    def is_scalar(self) -> bool:
        return self.shape == ()

    def evaluate(self, context: Mapping[str, object]) -> object:
        """The value (a float, bool or array), or NOT_YET when a quantity is missing."""
        return self._compiled.run(context, NOT_YET)

    def holds(self, context: Mapping[str, object]) -> bool:
        """True when the value is true: not NOT_YET, not nan, not zero (every element)."""
        value = self._compiled.run(context, NOT_YET)
        if value is NOT_YET:
            return False
        if self._compiled.arrays:
            value = np.asarray(value)
            return bool(np.all(value == value) and np.all(value != 0))
        return value == value and value != 0  # type: ignore[operator]

    def term_values(self, context: Mapping[str, object]) -> list[tuple[str, object]]:
        """(source text, value or NOT_YET) of each name and indexed name, for a stop's line."""
        return [(text, self._compiled.run_part(fn, context, NOT_YET))
                for text, fn in self._compiled.terms]


def _check_text(text: str) -> str:
    if not isinstance(text, str):
        raise ConditionError(f"a condition is text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"condition too long: {len(text)} characters (at most "
                             f"{MAX_LENGTH})")
    stripped = text.strip()
    if not stripped:
        raise ConditionError("empty condition: type one, e.g. L < 0.01")
    for i, ch in enumerate(text):
        if not (" " <= ch <= "~"):
            hint = " (write lr for η)" if ch == "η" else ""
            shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
            raise ConditionError(f"character {shown} at column {i + 1} is not allowed: use "
                                 f"plain ASCII{hint}")
    return stripped


def _syntax_column(err: SyntaxError, text: str) -> int:
    offset = err.offset or 1
    return max(1, min(offset, len(text) + 1))


def parse(text: str, shapes: Mapping[str, tuple[int, ...]], net: Net | None = None
          ) -> Condition:
    """Parse and check ``text`` against the run's quantity shapes; ConditionError if bad.

    ``shapes`` is :meth:`Net.shapes` of the run's network ``net`` (the lab's when not
    given), whose phases and lab names (``phase == 'dW3'``, ``pred``) it may use.
    """
    source = _check_text(text)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        column = _syntax_column(err, source)
        hint = (" (== compares; the = key sets a value)"
                if re.search(r"(?<![=<>!])=(?!=)", source) else "")
        raise ConditionError(f"syntax error at column {column}: {err.msg}{hint}") from None
    except (ValueError, RecursionError, MemoryError):  # defensive: the text is bounded
        raise ConditionError("the condition could not be read") from None
    depth = _depth(tree.body)
    if depth > MAX_DEPTH:
        raise ConditionError(f"condition nested too deeply ({depth} levels, at most "
                             f"{MAX_DEPTH})")
    compiled = compile_tree(tree.body, source, shapes, net)
    return Condition(source, compiled.names, compiled.shape, ast.dump(tree.body), compiled)


def parse_for(text: str, n_inputs: int, n_hidden: int) -> Condition:
    """:func:`parse` for the lab's network with these layer sizes."""
    return parse(text, quantity_shapes(n_inputs, n_hidden))


def parse_net(text: str, net: Net) -> Condition:
    """:func:`parse` for any network: a session's is ``session.net`` (W3, delta3, dact2...)."""
    return parse(text, net.shapes(), net)


def _depth(node: ast.AST) -> int:
    """Depth of the tree, iteratively (a deep tree must not exhaust Python's stack here)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(current))
    return deepest


def position_context(session, update: int, phase: int) -> dict[str, object]:
    """The names that say where a position is, as the app counts (epoch from 0, sample 1..N)."""
    n = session.n
    return {"epoch": float(update // n), "sample": float(update % n + 1),
            "row": float(session.timeline.row(update)), "phase": session.net.phases[phase].key,
            "lr": float(session.timeline.lr_at(update))}


def context_at(session) -> dict[str, object]:
    """What a condition sees at the session's cursor: the quantities computed so far
    (W1..bL are the parameters before this sample's update, always there) plus epoch,
    sample, row, phase and lr. The session's own values: a stop shows what the screen does.
    """
    c = session.cursor
    context: dict[str, object] = dict(session.values)
    context.update(position_context(session, c.update, c.phase))
    return context
