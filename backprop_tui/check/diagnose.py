"""Plain-words explanations of a student's wrong value, found by reproducing known mistakes.

A wrong number alone does not teach much. Every explanation here is a
reproduction: the usual slips (a σ'(z) written as σ(z)(1 − z), a missing factor, a
flipped sign, the wrong input of an outer product, a loss without its ½, ...) are
recomputed from the engine's own intermediate values of the same sample, and a slip
is named only when its numbers equal the student's, all of them. When nothing
reproduces them, the text says so and shows the first entry that differs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from ..core.network.gradcheck import GOOD, relative_error
from ..core.network.params import sigmoid
from . import slips
from .loader import RETURNS
from .names import label

UNEXPLAINED = "matches none of the known slips"  # every explanation that names no slip says it
MATCH = 1e-6  # two results agree "exactly" at this relative error: a diagnosis, not a verdict
GRADIENTS = {"dW1": "W1", "db1": "b1", "dW2": "W2", "db2": "b2"}
ZERO_BIASES = (" (The biases start at zero, so this makes no difference until the first "
               "update: that is why the first sample can match.)")
FORMULA = {"dW2": "delta2 a1^T", "db2": "delta2", "dW1": "delta1 x^T", "db1": "delta1"}


def close(a: object, b: object) -> bool:
    """Same shape and equal to rounding: how a candidate mistake is recognised."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    return bool(np.all(relative_error(a, b) <= MATCH))


def fmt(a: object, digits: int = 4) -> str:
    """A compact one-line rendering of a few numbers for the explanation text."""
    arr = np.asarray(a, dtype=float)
    if arr.size == 1:
        return f"{arr.reshape(-1)[0]:.{digits}g}"
    return "[" + ", ".join(f"{v:.{digits}g}" for v in arr.reshape(-1)) + "]"


def first_difference(name: str, got: np.ndarray, expected: np.ndarray) -> str:
    """'dW1[1, 2] is 0.0123 where the engine has 0.0456': the entry that differs first."""
    err = relative_error(expected, got)
    bad = np.argwhere(err > MATCH)
    idx = tuple(int(i) for i in (bad[0] if len(bad) else np.unravel_index(np.argmax(err),
                                                                          err.shape)))
    where = f"{name}[{', '.join(map(str, idx))}]" if idx else name
    e, g = float(expected[idx]), float(got[idx])
    digits = 4
    while digits < 17 and f"{e:.{digits}g}" == f"{g:.{digits}g}":
        digits += 1
    return f"the first entry that differs is {where}: yours {g:.{digits}g}, the engine's " \
           f"{e:.{digits}g}"


def constant_factor(got: np.ndarray, expected: np.ndarray) -> float | None:
    """c when got == c * expected entrywise (expected not all zero), else None."""
    mask = np.abs(expected) > 1e-300
    if not mask.any() or not np.all(np.abs(got[~mask]) <= 1e-300):
        return None
    ratios = got[mask] / expected[mask]
    c = float(np.mean(ratios))
    if c == 0 or not np.all(np.abs(ratios - c) <= MATCH * abs(c)):
        return None
    return c


def find_slips(v: Mapping[str, object], student: Mapping[str, np.ndarray], target: str,
               matched: Collection[str] = ()) -> slips.Diagnosis | None:
    """The catalogue's fewest slips that reproduce the student's gradients (see :mod:`.slips`),
    never one that changes a gradient in ``matched`` (the ones the report calls right)."""
    return slips.diagnose(v, student, target, close, matched=matched)


def explain_gradient(name: str, got: np.ndarray, v: Mapping[str, object],
                     student: Mapping[str, np.ndarray], numeric: np.ndarray | None,
                     numeric_bound: np.ndarray | None = None,
                     found: slips.Diagnosis | None | bool = False) -> str:
    """Why a gradient of the right shape has the wrong values.

    ``found``: the catalogue's diagnosis when the caller has it already (False: search).
    """
    expected = np.asarray(v[name], dtype=float)
    if numeric is not None:
        bound = 0.0 if numeric_bound is None else numeric_bound
        engine_off = float(np.max(relative_error(expected, numeric, bound))) > GOOD
        if engine_off and float(np.max(relative_error(got, numeric, bound))) <= GOOD:
            return (f"your {name} matches the finite-difference gradient but not the "
                    "engine's: this looks like a bug in backprop-tui itself; please report it.")
    if found is False:
        found = find_slips(v, student, name)
    assert found is not True
    if found is not None and found.complete:
        return f"{name}: {found.words()}. Write: {found.fixes()}."
    if not np.any(got):
        bias = " (a bias's input is always 1)" if name.startswith("db") else ""
        return (f"{name} is all zeros: nothing was computed for it (a placeholder left in?); "
                f"it is {FORMULA[name]}{bias}.")
    if found is not None:
        others = [g for g in slips.GRADIENT_NAMES if g in student and g not in found.explained]
        return (f"{name}: {found.words()}. Write: {found.fixes()}. That reproduces "
                f"{', '.join(found.explained)}; {', '.join(others)} differ in another way too.")
    return _unexplained(name, got, expected, v, student, numeric)


def _unexplained(name: str, got: np.ndarray, expected: np.ndarray, v: Mapping[str, object],
                 student: Mapping[str, np.ndarray], numeric: np.ndarray | None) -> str:
    text = f"{name} should be {FORMULA[name]}, with delta2 = (pred − y)·σ'(z2) and " \
           f"delta1 = (W2^T delta2) * σ'(z1); yours {UNEXPLAINED}"
    weight = "dW" + name[2:]
    if name.startswith("db") and weight in student and close(student[weight], v[weight]):
        text = (f"the weight gradient {weight} is right but the bias gradient {name} is not: "
                f"a bias's input is always 1, so {name} is {FORMULA[name]} itself; yours "
                f"{UNEXPLAINED}")
    factors = {g: constant_factor(student[g], np.asarray(v[g], dtype=float))
               for g in slips.GRADIENT_NAMES if g in student}
    c = factors.get(name)
    if c is not None and all(f is not None and abs(f - c) <= MATCH * abs(c)
                             for f in factors.values()) and len(factors) == 4:
        e = float(np.asarray(v["y_hat"]).reshape(-1)[0]) - float(v["y"])  # type: ignore[arg-type]
        implied = c * float(np.asarray(v["dsig2"]).reshape(-1)[0])  # type: ignore[arg-type]
        text += (f". Every gradient is {c:.6g} times the engine's, so the slip is in delta2 "
                 f"= (pred − y)·σ'(z2): yours is (pred − y) = {e:.6g} times {implied:.6g}, "
                 f"where σ'(z2) = pred(1 − pred) = "
                 f"{float(np.asarray(v['dsig2']).reshape(-1)[0]):.6g}. Either your σ'(z2) is "
                 "computed another way, or a constant (a learning rate?) is multiplied in")
    elif c is not None:
        text += f". It is {c:.6g} times the engine's {name}, entry by entry"
    text += "; " + first_difference(name, got, expected) + "."
    if numeric is not None:
        text += (f" The finite-difference gradient agrees with the engine (relative error "
                 f"{float(np.max(relative_error(expected, numeric))):.1e}), not with yours.")
    return text


def explain_pred(got: np.ndarray, v: Mapping[str, object]) -> str:
    """Why pred is wrong: the forward-pass slips recomputed on this sample's parameters."""
    W1, b1, W2, b2, x = (np.asarray(v[k]) for k in ("W1", "b1", "W2", "b2", "x"))
    z1, z2 = np.asarray(v["z1"]), np.asarray(v["z2"])
    with np.errstate(over="ignore"):
        flipped = 1.0 / (1.0 + np.exp(np.clip(W2 @ (1.0 / (1.0 + np.exp(np.clip(z1, -700, 700))))
                                               + b2, -700, 700)))
        out_flipped = 1.0 / (1.0 + np.exp(np.clip(z2, -700, 700)))
    p = label("pred")
    candidates = [
        (z2, f"{p} equals z2: the output sigmoid is missing (pred = σ(z2))."),
        (sigmoid(W2 @ z1 + b2), "the hidden sigmoid is missing: a1 = σ(z1) must feed the "
                                "output layer, not z1."),
        (sigmoid(W2 @ np.tanh(z1) + b2), "the hidden layer uses tanh; the lab's network uses "
                                         "the sigmoid σ(z1) = 1/(1 + e^(−z1))."),
        (out_flipped, "the output sigmoid has the wrong sign in the exponent: "
                      "σ(z) = 1/(1 + e^(−z))."),
        (flipped, "the sigmoid has the wrong sign in the exponent: σ(z) = 1/(1 + e^(−z)) "
                  "(the lab's text prints 1/(1 + e^x); its code has it right)."),
        (sigmoid(W2 @ sigmoid(-z1) + b2), "the hidden layer's sigmoid has the wrong sign in "
                                          "the exponent: a1 = σ(z1) = 1/(1 + e^(−z1)), yours "
                                          "is 1/(1 + e^(z1)) (the output sigmoid is right)."),
        (sigmoid(W2 @ sigmoid(W1 @ x)), "the biases are not added: z1 = W1 x + b1, "
                                        f"z2 = W2 a1 + b2.{ZERO_BIASES}"),
        (sigmoid(W2 @ sigmoid(W1 @ x + b1)), "the output bias b2 is not added: "
                                             f"z2 = W2 a1 + b2.{ZERO_BIASES}"),
        (sigmoid(W2 @ sigmoid(W1 @ x) + b2), "the hidden bias b1 is not added: "
                                             f"z1 = W1 x + b1.{ZERO_BIASES}"),
        (np.asarray(v["L"]), f"{p} holds the loss: return pred first, then loss."),
    ]
    for value, words in candidates:
        if close(got.reshape(-1), np.asarray(value, dtype=float).reshape(-1)):
            return words
    exp = np.asarray(v["y_hat"], dtype=float).reshape(-1)
    return (f"{p} should be σ(W2 σ(W1 x + b1) + b2); yours {UNEXPLAINED}; "
            f"{first_difference('pred', got.reshape(-1), exp)}. Check z1 = W1 @ x + b1, "
            "a1 = σ(z1), z2 = W2 @ a1 + b2, pred = σ(z2).")


def explain_loss(got: np.ndarray, v: Mapping[str, object]) -> str:
    """Why the loss is wrong when pred is right: a factor, a sign, or the wrong quantity."""
    L = float(v["L"])  # type: ignore[arg-type]
    e = float(np.asarray(v["y_hat"]).reshape(-1)[0]) - float(v["y"])  # type: ignore[arg-type]
    loss = label("loss")
    candidates = [
        (2 * L, f"{loss} is twice the right value: the ½ is missing; the per-sample loss is "
                "½(pred − y)², not (pred − y)²."),
        (L / 2, f"{loss} is half the right value: ½ was applied twice (½·½(pred − y)²?)."),
        (e, f"{loss} equals pred − y, the loss's derivative, not the loss ½(pred − y)²."),
        (abs(e), f"{loss} equals |pred − y|; the loss is ½(pred − y)²."),
        (0.5 * abs(e), f"{loss} equals ½|pred − y|: the square is missing from ½(pred − y)²."),
        (-L, f"{loss} has the wrong sign; it is ½(pred − y)² ≥ 0."),
        *_whole_targets(v),
        (float(np.asarray(v["y_hat"]).reshape(-1)[0]), f"{loss} holds pred: return pred "
                                                       "first, then loss."),
    ]
    for value, words in candidates:
        if close(got.reshape(-1), np.array([value])):
            return words
    return (f"{loss} should be ½(pred − y)² with pred − y = {e:.6g}; yours {UNEXPLAINED}; "
            f"{first_difference('loss', got.reshape(-1), np.array([L]))}.")


def _whole_targets(v: Mapping[str, object]) -> list[tuple[float, str]]:
    """The loss with the target cut or rounded to a whole number (int(target), np.round)."""
    y = float(v["y"])  # type: ignore[arg-type]
    pred = float(np.asarray(v["y_hat"]).reshape(-1)[0])  # type: ignore[arg-type]
    out = []
    for whole, how in ((float(np.trunc(y)), "int(target)"),
                       (float(np.rint(y)), "np.round(target)")):
        if whole != y and all(whole != w for w, _ in out):
            out.append((whole, how))
    return [(0.5 * (pred - whole) ** 2,
             f"{label('loss')} uses the target as a whole number: it is ½(pred − {whole:g})², "
             f"but this sample's target is {y:.6g}; {how} (or an integer array) drops its "
             "fraction. The targets are fractions: use target as it is given.")
            for whole, how in out]


def engine_key(name: str) -> str:
    return {"pred": "y_hat", "loss": "L"}.get(name, name)


def explain_count(values: tuple[np.ndarray | str, ...] | None, returned: str,
                  v: Mapping[str, object]) -> str:
    """Why the returned tuple has the wrong length, naming the values we recognise."""
    text = (f"forward_backward_pass returned {returned}; it must return 6 values in this "
            f"order: {', '.join(RETURNS)}.")
    if returned == "None":
        text += " Is the return statement missing?"
    if values:
        seen = [k for k in RETURNS
                if any(isinstance(g, np.ndarray) and g.size == np.size(v[engine_key(k)])
                       and close(g.reshape(np.shape(v[engine_key(k)])), v[engine_key(k)])
                       for g in values)]
        missing = [k for k in RETURNS if k not in seen]
        if seen and missing:
            text += f" Recognised {', '.join(seen)}; missing {', '.join(missing)}."
    return text
