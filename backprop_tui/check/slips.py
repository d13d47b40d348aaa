"""A catalogue of backprop slips, each recomputed on the sample at hand and tried on the student.

One wrong gradient's ratio to the right one says little: a wrong σ'(z2) scales dW2
uniformly just as a stray constant does. So every known slip is re-played instead:
the backward pass is written once with a choice at each place where students go
wrong (the output error, σ'(z2), what flows back to the hidden layer, σ'(z1), the
input of each outer product and its order, the bias gradients, one gradient's
sign), and a diagnosis is the smallest set of choices, one or two, whose gradients
equal ALL the student's gradients. Equal means to rounding, on this sample's own
numbers, so a named slip is a reproduction, never a guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from ..core.network.params import sigmoid_prime

GRADIENT_NAMES = ("dW2", "db2", "dW1", "db1")
RIGHT = "right"


@dataclass(frozen=True)
class Option:
    """One way to write one place of the backward pass: what it does, and the right line."""

    group: str
    key: str
    words: str
    fix: str


def _options() -> tuple[Option, ...]:
    out: list[Option] = []

    def add(group: str, key: str, words: str, fix: str) -> None:
        out.append(Option(group, key, words, fix))

    fix2 = "delta2 = (pred - target) * pred * (1 - pred)"
    add("error", "sign", "the output error is (y − pred); it must be (pred − y), the derivative "
        "of ½(pred − y)² with respect to pred, or every step climbs the loss", fix2)
    add("error", "twice", "the output error is 2(pred − y), the derivative of (pred − y)²; the "
        "loss is ½(pred − y)², whose derivative is (pred − y)", fix2)
    add("error", "no_target", "the output error is pred alone: the target is missing from "
        "(pred − y) (or it was rounded to 0: int(target), np.round(target))", fix2)
    add("error", "int_target", "the output error uses the target cut to a whole number "
        "(int(target) or an integer array turns 0.77 into 0): the targets are fractions; use "
        "target as it is given", fix2)
    add("error", "round_target", "the output error uses the target rounded to a whole number "
        "(np.round(target) or round(target) turns 0.77 into 1): the targets are fractions; "
        "use target as it is given", fix2)
    add("error", "loss", "the output error is the loss itself; it must be the loss's "
        "derivative (pred − y)", fix2)
    for layer, z, a in (("dsig2", "z2", "pred"), ("dsig1", "z1", "a1")):
        where = "output" if layer == "dsig2" else "hidden"
        fix = fix2 if layer == "dsig2" else "delta1 = (W2.T @ delta2) * a1 * (1 - a1)"
        add(layer, "missing", f"the {where} sigmoid's derivative σ'({z}) is missing", fix)
        add(layer, "s_1_minus_z", f"σ'({z}) is computed as σ({z})(1 − {z}); it is "
            f"σ({z})(1 − σ({z})) = {a}(1 − {a})", fix)
        add(layer, "z_1_minus_z", f"σ'({z}) is computed as {z}(1 − {z}); that form needs "
            f"the activation: σ'({z}) = {a}(1 − {a})", fix)
        add(layer, "of_activation", f"σ' was applied to {a} instead of {z}: σ'({a}) is not "
            f"σ'({z}) = {a}(1 − {a})", fix)
        add(layer, "s_only", f"σ'({z}) is only σ({z}) = {a}; the factor (1 − {a}) is missing",
            fix)
        add(layer, "one_minus_s", f"σ'({z}) is only (1 − {a}); the factor {a} is missing", fix)
    add("back", "no_dsig2", "delta1 is sent back from (pred − y) instead of from delta2: "
        "delta1 = (W2^T delta2) * σ'(z1), with σ'(z2) already in delta2",
        "delta1 = (W2.T @ delta2) * a1 * (1 - a1)")
    add("back", "updated", "delta1 was computed with W2 after its update (W2 − {c:.4g}·dW2); "
        "backprop must use the W2 of the forward pass: change the weights only after every "
        "gradient is computed, in the training loop", "delta1 = (W2.T @ delta2) * a1 * (1 - a1)")
    add("dW2_from", "z1", "dW2 uses z1 where it needs the hidden activations a1 = σ(z1)",
        "dW2 = np.outer(delta2, a1)")
    add("dW2_from", "x", "dW2 uses the input x where it needs the hidden activations a1, "
        "the input of layer 2", "dW2 = np.outer(delta2, a1)")
    add("dW2_order", "transposed", "dW2 = np.outer(a1, delta2) puts a1 down the rows; the "
        "gradient of W2 is delta2 a1^T", "dW2 = np.outer(delta2, a1)")
    add("dW1_from", "a1", "dW1 uses a1 where it needs the input x: layer 1's input is x "
        "(a1 is its output)", "dW1 = np.outer(delta1, x)")
    add("dW1_from", "z1", "dW1 uses z1 where it needs the input x", "dW1 = np.outer(delta1, x)")
    add("dW1_order", "transposed", "dW1 = np.outer(x, delta1) puts x down the rows; the "
        "gradient of W1 is delta1 x^T", "dW1 = np.outer(delta1, x)")
    add("db2", "sum", "db2 is dW2 summed over its inputs; a bias's input is always 1, so "
        "db2 = delta2", "db2 = delta2")
    add("db1", "sum", "db1 is dW1 summed over the inputs; a bias's input is always 1, so "
        "db1 = delta1", "db1 = delta1")
    add("db1", "delta2", "db1 is delta2 copied to each hidden unit, not sent back through W2 "
        "and σ'(z1): db1 = delta1", "db1 = delta1")
    right = {"dW2": "dW2 = np.outer(delta2, a1)", "db2": "db2 = delta2",
             "dW1": "dW1 = np.outer(delta1, x)", "db1": "db1 = delta1"}
    for g in GRADIENT_NAMES:
        add("negate", g, f"only {g} has the wrong sign (the other gradients are right): "
            f"drop the minus in its line", right[g])
    for w, b in (("dW2", "db2"), ("dW1", "db1")):
        add("negate", f"{w}+{b}", f"only {w} and {b} have the wrong sign (the other layer's "
            "gradients are right): drop the minus in their lines", f"{right[w]}; {right[b]}")
    return tuple(out)


OPTIONS = _options()
GROUPS = tuple(dict.fromkeys(o.group for o in OPTIONS))


def _derivative(key: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return {RIGHT: a * (1 - a), "missing": np.ones_like(a), "s_1_minus_z": a * (1 - z),
            "z_1_minus_z": z * (1 - z), "of_activation": sigmoid_prime(a), "s_only": a,
            "one_minus_s": 1 - a}[key]


def replay(v: Mapping[str, object], choice: Mapping[str, str], c: float = 0.0
           ) -> dict[str, np.ndarray]:
    """The four gradients (and both deltas) a backward pass with these choices gives.

    ``c`` is the step of the 'updated' choice: delta1 uses W2 - c dW2.
    """
    get = choice.get
    W2, a1, z1, z2, x = (np.asarray(v[k], dtype=float) for k in ("W2", "a1", "z1", "z2", "x"))
    y_hat, y = np.asarray(v["y_hat"], dtype=float), float(v["y"])  # type: ignore[arg-type]
    err = {RIGHT: y_hat - y, "sign": y - y_hat, "twice": 2 * (y_hat - y), "no_target": y_hat,
           "int_target": y_hat - float(np.trunc(y)), "round_target": y_hat - float(np.rint(y)),
           "loss": np.full_like(y_hat, float(v["L"]))}[get("error", RIGHT)]  # type: ignore[arg-type]
    d2 = err * _derivative(get("dsig2", RIGHT), z2, y_hat)
    layer2_in = {RIGHT: a1, "z1": z1, "x": x}[get("dW2_from", RIGHT)]
    dW2 = np.outer(d2, layer2_in)
    if get("dW2_order") == "transposed":
        dW2 = dW2.T
    W2_back = W2 - c * dW2 if get("back") == "updated" and dW2.shape == W2.shape else W2
    sent = err if get("back") == "no_dsig2" else d2
    d1 = (W2_back.T @ sent) * _derivative(get("dsig1", RIGHT), z1, a1)
    dW1 = np.outer(d1, {RIGHT: x, "a1": a1, "z1": z1}[get("dW1_from", RIGHT)])
    if get("dW1_order") == "transposed":
        dW1 = dW1.T
    db2 = dW2.sum(axis=1) if get("db2") == "sum" else d2.copy()
    db1 = {RIGHT: d1.copy(), "sum": dW1.sum(axis=1) if dW1.shape[0] == d1.size else d1 * np.nan,
           "delta2": np.full_like(d1, float(d2[0]))}[get("db1", RIGHT)]
    out = {"dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1, "delta2": d2, "delta1": d1}
    for negated in (get("negate") or "").split("+"):
        if negated:
            out[negated] = -out[negated]
    return out


def _choices(levels: int) -> Iterator[tuple[Option, ...]]:
    """Every set of up to ``levels`` deviations, one option per group, fewest first."""
    for k in range(1, levels + 1):
        for groups in itertools.combinations(GROUPS, k):
            yield from itertools.product(*[[o for o in OPTIONS if o.group == g]
                                           for g in groups])


@dataclass(frozen=True)
class Diagnosis:
    """The slips that reproduce the student's gradients, and which gradients they explain."""

    slips: tuple[Option, ...]
    explained: tuple[str, ...]
    complete: bool
    c: float = 0.0

    def words(self) -> str:
        parts = []
        keys = {o.group: o.key for o in self.slips}
        both = keys.get("dsig1") is not None and keys.get("dsig1") == keys.get("dsig2")
        for o in self.slips:
            if both and o.group == "dsig1":
                continue
            text = o.words.format(c=self.c)
            if both and o.group == "dsig2":
                text += " (in both layers: check your sigmoid_prime)"
            parts.append(text)
        return "; and ".join(parts)

    def fixes(self) -> str:
        return "; ".join(dict.fromkeys(o.fix for o in self.slips))


def _fit_c(v: Mapping[str, object], choice: Mapping[str, str],
           student: Mapping[str, np.ndarray]) -> float:
    """The step c of an 'updated W2' slip, by least squares on the student's db1 or dW1."""
    base, unit = replay(v, choice, 0.0), replay(v, choice, 1.0)
    for name in ("db1", "dW1"):
        got = student.get(name)
        if got is not None and got.shape == base[name].shape:
            slope = (base[name] - unit[name]).ravel()
            if np.any(slope):
                return float(np.dot(slope, (base[name] - got).ravel()) / np.dot(slope, slope))
    return 0.0


def _same_as_another(v: Mapping[str, object], choice: Mapping[str, str]) -> bool:
    """A whole-number target that equals the target, 0 (no target) or the truncation: a slip
    that gives the same numbers as another on this sample is left to that one."""
    key = choice.get("error")
    if key not in ("int_target", "round_target"):
        return False
    y = float(v["y"])  # type: ignore[arg-type]
    whole = float(np.trunc(y) if key == "int_target" else np.rint(y))
    return whole in (y, 0.0) or (key == "round_target" and whole == float(np.trunc(y)))


def diagnose(v: Mapping[str, object], student: Mapping[str, np.ndarray], target: str,
             close: Callable[[object, object], bool], levels: int = 2,
             matched: Collection[str] = ()) -> Diagnosis | None:
    """The fewest slips that reproduce every gradient in ``student`` (name -> array).

    When no set of up to ``levels`` slips reproduces all of them, the single slip that
    reproduces ``target`` (the first wrong one) and the most others, if any, but never
    one that would change a gradient in ``matched`` (those the report says are right:
    one report, one cause). ``close`` is the caller's test of equality to rounding.
    """
    names = [g for g in GRADIENT_NAMES if g in student]
    best: Diagnosis | None = None
    for slips in _choices(levels):
        choice = {o.group: o.key for o in slips}
        if _same_as_another(v, choice):
            continue
        c = _fit_c(v, choice, student) if choice.get("back") == "updated" else 0.0
        if choice.get("back") == "updated" and not c > 0:
            continue
        grads = replay(v, choice, c)
        hits = tuple(g for g in names if close(student[g], grads[g]))
        if len(hits) == len(names):
            return Diagnosis(slips, hits, True, c)
        if len(slips) == 1 and target in hits and set(matched) <= set(hits) and (
                best is None or len(hits) > len(best.explained)):
            best = Diagnosis(slips, hits, False, c)
    return best
