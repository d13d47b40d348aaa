"""From a checked syntax tree to Python closures: the back half of :mod:`.conditions`.

Every node allowed in a condition becomes one small function of the context,
built once; evaluating is then a handful of nested calls on Python floats (numpy
only where the expression really holds arrays). Each node is checked here
against the run's shapes as it is compiled, so what is not on the whitelist, a
bad index or an array compared with a number is refused before any run starts,
in one line that names its column. A quantity missing from the context raises
KeyError inside the closures, which :meth:`Compiled.run` turns into NOT_YET.
"""

from __future__ import annotations

import ast
import difflib
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import reduce

import numpy as np

from ..network.netphases import Net
from ..network.phases import lab_net
from . import condops as ops
from .condnames import FUNCTIONS, POSITION_NAMES, aliases, main_names, phase_aliases
from .condops import Compiled, Fn, Shape

MAX_DEPTH = 32
_LAB = lab_net()


class ConditionError(ValueError):
    """A condition that cannot be used; ``str()`` is one line naming the problem."""


def _where(node: ast.AST) -> str:
    return f"column {getattr(node, 'col_offset', 0) + 1}"


@dataclass
class _Compiler:
    source: str
    shapes: Mapping[str, Shape]
    net: Net
    names: list[str] = field(default_factory=list)
    terms: dict[str, Fn] = field(default_factory=dict)
    arrays: bool = False

    def __post_init__(self) -> None:
        self.aliases = aliases(self.net)

    def known(self) -> list[str]:
        return [*POSITION_NAMES, *(n for n in self.shapes if n != "lr"), *self.aliases]

    def fail(self, node: ast.AST, what: str, after: str = "") -> ConditionError:
        """One line: the problem, its column, then any help (``after``)."""
        return ConditionError(f"{what} at {_where(node)}{after}")

    # Each visit returns (function, shape, kind); kind is "num", "phase" or "str".
    def visit(self, node: ast.AST) -> tuple[Fn, Shape, str]:
        method = getattr(self, f"v_{type(node).__name__}", None)
        if method is None:
            text = ops.NODE_TEXT.get(type(node), type(node).__name__)
            raise self.fail(node, f"{text} is not allowed")
        return method(node)

    def number(self, node: ast.AST) -> tuple[Fn, Shape]:
        fn, shape, kind = self.visit(node)
        if kind == "phase":
            raise self.fail(node, "phase", ": it can only be compared with a phase name in "
                                           "quotes, e.g. phase == 'dW2'")
        if kind == "str":
            raise self.fail(node, "text in quotes",
                            ": only a phase name in a comparison, e.g. phase == 'dW2'")
        if shape != ():
            self.arrays = True
        return fn, shape

    def scalar(self, node: ast.AST, why: str) -> Fn:
        fn, shape = self.number(node)
        if shape != ():
            segment = ast.get_source_segment(self.source, node) or "it"
            raise self.fail(node, f"{segment} has shape {shape}",
                            f", but {why} needs a number (take an element, e.g. [0], or "
                            f"norm/min/max)")
        return fn

    def v_Constant(self, node: ast.Constant):
        v = node.value
        if isinstance(v, str):
            return (lambda c: v), (), "str"
        if isinstance(v, bool):
            return (lambda c: v), (), "num"
        if isinstance(v, int | float):
            try:
                f = float(v)
            except OverflowError:
                raise self.fail(node, "number too large") from None
            return (lambda c: f), (), "num"
        raise self.fail(node, f"{type(v).__name__} constant is not allowed")

    def use(self, name: str) -> None:
        if name not in self.names:
            self.names.append(name)

    def v_Name(self, node: ast.Name):
        name = self.aliases.get(node.id, node.id)
        if node.id in FUNCTIONS:
            raise self.fail(node, f"{node.id} is a function: write {node.id}(...)")
        if name == "phase":
            self.use(name)
            index = self.net.index
            return (lambda c: index[c["phase"]]), (), "phase"
        if name in POSITION_NAMES:
            self.use(name)
            self.terms.setdefault(node.id, lambda c: c[name])
            return (lambda c: c[name]), (), "num"
        if name not in self.shapes:
            known = {n.lower(): n for n in self.known()}  # w1 -> W1, W3 -> W1, los -> loss
            close = [known[m] for m in difflib.get_close_matches(node.id.lower(), known, n=1,
                                                                 cutoff=0.5)]
            hint = f": did you mean {close[0]}?" if close else ""
            listed = ", ".join((*POSITION_NAMES, *main_names(self.net)))
            raise ConditionError(f"unknown name {node.id!r} at {_where(node)}{hint} "
                                 f"(names: {listed})")
        self.use(name)
        fn, shape = self.loader(name, ())
        self.terms.setdefault(node.id, fn)
        return fn, shape, "num"

    def loader(self, name: str, index: tuple[int, ...]) -> tuple[Fn, Shape]:
        """The function reading ``name[index]``: a float when that is one number."""
        rest = self.shapes[name][len(index):]
        if rest in ((), (1,)):
            full = index + (0,) * len(rest)
            if not full:
                return (lambda c: c[name]), ()
            if len(full) == 1:
                (i,) = full
                return (lambda c: float(c[name][i])), ()
            i, j = full[0], full[1:]
            if len(j) == 1:
                (j,) = j
                return (lambda c: float(c[name][i][j])), ()
            return (lambda c: float(reduce(operator.getitem, full, c[name]))), ()
        self.arrays = True
        return (lambda c: np.asarray(reduce(operator.getitem, index, c[name]), dtype=float)
                ), rest

    def v_Subscript(self, node: ast.Subscript):
        indices: list[ast.AST] = []
        base: ast.AST = node
        while isinstance(base, ast.Subscript):
            part = base.slice
            indices[:0] = list(part.elts) if isinstance(part, ast.Tuple) else [part]
            base = base.value
        if not isinstance(base, ast.Name) or self.aliases.get(base.id, base.id) not in self.shapes:
            if isinstance(base, ast.Name):
                self.visit(base)  # says what is wrong with the name
            raise self.fail(node, "indexing of something else than a quantity",
                            " (index a name, e.g. W1[0,1])")
        name = self.aliases.get(base.id, base.id)
        self.use(name)
        shape = self.shapes[name]
        segment = ast.get_source_segment(self.source, node) or name
        values = [self.index_value(i) for i in indices]
        if len(values) > len(shape) or any(not -d <= v < d for v, d in zip(values, shape,
                                                                             strict=False)):
            what = f"{base.id} is a number" if shape == () else f"{base.id} has shape {shape}"
            raise ConditionError(f"{segment} at {_where(node)}: {what}")
        index = tuple(v % d for v, d in zip(values, shape, strict=False))
        fn, rest = self.loader(name, index)
        self.terms.setdefault(segment, fn)
        return fn, rest, "num"

    def index_value(self, node: ast.AST) -> int:
        if isinstance(node, ast.Slice):
            raise self.fail(node, "a slice (:) is not allowed")
        sign, inner = 1, node
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            sign, inner = (-1 if isinstance(node.op, ast.USub) else 1), node.operand
        if isinstance(inner, ast.Constant) and type(inner.value) is int:
            return sign * inner.value
        raise self.fail(node, "an index that is not a whole number", " (write e.g. W1[0,1])")

    def v_BinOp(self, node: ast.BinOp):
        op = type(node.op)
        if op not in ops.SCALAR_OPS:
            raise self.fail(node, f"operator {ops.OP_TEXT.get(op, op.__name__)} is not allowed")
        (f, fs), (g, gs) = self.number(node.left), self.number(node.right)
        if fs == gs == ():
            return ops.SCALAR_OPS[op](f, g), (), "num"
        try:
            shape = tuple(np.broadcast_shapes(fs, gs))
        except ValueError:
            raise self.fail(node, f"shapes {fs} and {gs} do not fit together") from None
        np_op = ops.ARRAY_OPS[op]
        return (lambda c: np_op(f(c), g(c))), shape, "num"

    def v_UnaryOp(self, node: ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            f = self.scalar(node.operand, "'not'")
            return (lambda c: not ops.truth(f(c))), (), "num"
        if isinstance(node.op, ast.USub | ast.UAdd):
            f, shape = self.number(node.operand)
            if isinstance(node.op, ast.UAdd):
                return f, shape, "num"
            return (lambda c: -f(c)), shape, "num"
        raise self.fail(node, f"operator {ops.OP_TEXT.get(type(node.op), '?')} is not allowed")

    def v_BoolOp(self, node: ast.BoolOp):
        word = "and" if isinstance(node.op, ast.And) else "or"
        fns = [self.scalar(v, repr(word)) for v in node.values]
        if word == "and":
            return (lambda c: all(ops.truth(f(c)) for f in fns)), (), "num"
        return (lambda c: any(ops.truth(f(c)) for f in fns)), (), "num"

    def v_Compare(self, node: ast.Compare):
        operands = [node.left, *node.comparators]
        for op in node.ops:
            if type(op) not in ops.COMPARE:
                raise self.fail(node, f"operator {ops.OP_TEXT.get(type(op), '?')} is not "
                                      "allowed")
        fns = [self.comparand(operands, i) for i in range(len(operands))]
        tests = [ops.COMPARE[type(op)] for op in node.ops]
        if len(tests) == 1:
            return ops.FAST_COMPARE[type(node.ops[0])](fns[0], fns[1]), (), "num"

        def chain(c):
            a = fns[0](c)
            for op, g in zip(tests, fns[1:], strict=True):
                b = g(c)
                if not op(a, b):
                    return False
                a = b
            return True
        return chain, (), "num"

    def comparand(self, operands: list[ast.AST], i: int) -> Fn:
        """Operand i of a comparison; a phase is compared with phase names only."""
        node = operands[i]
        neighbours = operands[max(i - 1, 0): i] + operands[i + 1: i + 2]
        is_phase = lambda n: isinstance(n, ast.Name) and n.id == "phase"  # noqa: E731
        is_text = lambda n: isinstance(n, ast.Constant) and isinstance(n.value, str)  # noqa: E731
        if is_text(node) and any(is_phase(n) for n in neighbours):
            key = phase_aliases(self.net).get(node.value)
            if key is None:
                raise self.fail(node, f"unknown phase {node.value!r}",
                                self.net.hint(str(node.value)))
            k = self.net.index[key]
            return lambda c: k
        if is_phase(node) and all(is_text(n) for n in neighbours):
            return self.visit(node)[0]
        return self.scalar(node, "a comparison")

    def v_Call(self, node: ast.Call):
        if not isinstance(node.func, ast.Name):
            self.visit(node.func)  # says what is wrong with it (an attribute, ...)
            raise self.fail(node, "a call of something else than abs, min, max, norm or "
                                  "finite")
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.fail(node, f"unknown function {name!r}",
                            f" (functions: {', '.join(FUNCTIONS)})")
        if node.keywords or not node.args or (name not in ("min", "max") and len(node.args) != 1):
            need = "one or more values" if name in ("min", "max") else "one value"
            raise self.fail(node, f"{name}() takes {need}")
        args = [self.number(a) for a in node.args]
        fns, shapes = [f for f, _ in args], [s for _, s in args]
        if len(args) == 1:
            (f,), (shape,) = fns, shapes
            return (*ops.unary_call(name, f, shape), "num")
        if all(s == () for s in shapes):
            pick = ops.extreme(min if name == "min" else max)
            return (lambda c: pick(*(f(c) for f in fns))), (), "num"
        try:
            shape = tuple(np.broadcast_shapes(*shapes))
        except ValueError:
            raise self.fail(node, f"{name}() of shapes that do not fit together") from None
        ufunc = np.minimum if name == "min" else np.maximum
        return (lambda c: reduce(ufunc, (f(c) for f in fns))), shape, "num"


def compile_tree(body: ast.AST, source: str, shapes: Mapping[str, Shape],
                 net: Net | None = None) -> Compiled:
    """Check and compile the expression ``body`` of ``source`` for a run of these shapes,
    whose phases and lab names are ``net``'s (the lab's when not given)."""
    compiler = _Compiler(source, shapes, net or _LAB)
    fn, shape, kind = compiler.visit(body)
    if kind != "num":
        compiler.number(body)  # raises: a bare phase or text is no condition
    return Compiled(fn, shape, tuple(compiler.names), list(compiler.terms.items()),
                    compiler.arrays)
