"""The words for the first mismatch of a sample: one cause, consistent with what matched.

The report lists every quantity as ok or wrong and then gives one reason. The
reason must not contradict the list, so it is chosen in order of certainty:
updated weights returned for gradients (every gradient is W − η dW), float32 maths
(the values are float32 numbers, within float32's own rounding), a slip reproduced
exactly on this sample (never one that would change a quantity that matched), an
approximation (everything close, nothing reproduced), and only then "matches none
of the known slips". Shapes come first of all and cost nothing more than the shape.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..core.network.params import Params
from . import diagnose, shapes, slips
from .diagnose import UNEXPLAINED
from .exact import Reference
from .loader import RETURNS
from .names import label
from .precision import approximate_words, float32_words
from .quantities import PARAM_OF, Mismatch, QuantityCheck
from .state import updated_weights
from .values import TooLarge


@dataclass(frozen=True)
class Sample:
    """What the explanation needs besides the quantities: the call's inputs and context."""

    params: Params
    x: np.ndarray
    y: float
    dtypes: Mapping[str, str]
    layers: str
    ref: Reference
    lr: float | None = None


def explain(check: QuantityCheck, v: dict[str, object], checks: dict[str, QuantityCheck],
            grads: dict[str, np.ndarray], bound_of: dict[str, np.ndarray], sample: Sample
            ) -> tuple[Mismatch, slips.Diagnosis | None]:
    """The mismatch of the first wrong quantity, and the slip diagnosis behind it (if any)."""
    name = check.name
    matched = [k for k, c in checks.items() if c.band == "ok"]
    found = diagnose.find_slips(v, grads, name, matched) if name in PARAM_OF else None
    if isinstance(check.got_text, TooLarge):  # a shape far off: judged by its shape alone
        return Mismatch(name, "shape", f"{label(name)} has shape {check.got_text.shape} "
                        f"({math.prod(check.got_text.shape):,} numbers) where the engine's "
                        f"has shape {check.expected.shape}: "
                        + (f"a gradient has its parameter's shape, {PARAM_OF[name]}'s"
                           if name in PARAM_OF else "one number")
                        + "; its values were not read."), found
    if check.band == "missing":
        text = f"{label(name)} is {check.got_text}, not numbers."
        if check.got_text and "Ellipsis" in check.got_text:
            text += " Replace the ... with the computation."
        return Mismatch(name, "missing", text), found
    got = check.got
    assert got is not None
    if check.band == "shape":
        if name in ("pred", "loss"):
            return Mismatch(name, "shape", _size_one(name, got, v)), found
        words = found.words() if found is not None and found.complete else None
        return Mismatch(name, "shape", shapes.explain_shape(name, got, v, sample.layers,
                                                            diagnose.close, words)), found
    if check.band == "non-finite":
        return Mismatch(name, "non-finite",
                        f"{label(name)} contains nan or inf, although the engine's is finite "
                        f"({diagnose.fmt(check.expected)}): an overflow or 0/0 in the formula?"
                        ), found
    return _value(check, v, checks, grads, bound_of, sample, found), found


def _value(check: QuantityCheck, v: dict[str, object], checks: dict[str, QuantityCheck],
           grads: dict[str, np.ndarray], bound_of: dict[str, np.ndarray], sample: Sample,
           found: slips.Diagnosis | None) -> Mismatch:
    name = check.name
    value = check.value
    assert value is not None
    compared = {k: np.asarray(c.value, dtype=float) for k, c in checks.items()
                if c.value is not None and c.band in ("ok", "wrong")}
    every = len(compared) == len(RETURNS)  # every value judged: the formulas may all be right
    if every and name in PARAM_OF:
        words = updated_weights(sample.params.as_dict(), {k: compared[k] for k in PARAM_OF},
                                {k: np.asarray(v[k], dtype=float) for k in PARAM_OF}, sample.lr)
        if words is not None:
            return Mismatch(name, "updated", words)
    if every:
        low = float32_words(compared, sample.ref.exact, sample.params.as_dict(), sample.x,
                            sample.y, sample.dtypes)
        if low is not None:
            return Mismatch(name, "precision", low)
    if name == "pred":
        text = diagnose.explain_pred(value, v)
    elif name == "loss":
        text = diagnose.explain_loss(value, v)
    else:
        text = diagnose.explain_gradient(name, np.asarray(value), v, grads, check.numeric,
                                         bound_of.get(name), found)
    if every and UNEXPLAINED in text:
        wrong = {k: g for k, g in compared.items() if checks[k].band == "wrong"}
        close = approximate_words(name, wrong, sample.ref.exact,
                                  {k: checks[k].error or 0.0 for k in wrong})
        if close is not None:
            return Mismatch(name, "approximate", close)
    return Mismatch(name, "value", text)


def _size_one(name: str, got: np.ndarray, v: dict[str, object]) -> str:
    text = (f"{label(name)} must be a single number (size 1; shape (), (1,) or (1, 1)); "
            f"yours has shape {got.shape}.")
    if name == "pred" and got.size <= 64 and diagnose.close(got, diagnose.sigmoid(
            np.asarray(v["W2"]) * v["a1"] + v["b2"])):
        text += " W2 * a1 multiplies entrywise; the output needs the product W2 @ a1."
    return text
