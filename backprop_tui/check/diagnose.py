"""Plain-words explanations of a student's wrong value, found by matching known mistakes.

A wrong number alone does not teach much. This module recomputes what the
usual slips would have produced (a missing sigmoid derivative, a flipped sign,
a transposed outer product, a loss without its 1/2, ...) from the engine's own
intermediate values of the same sample, and names the slip whose result the
student's value equals. Everything here is computed from the sample at hand,
so a diagnosis is never a guess from patterns in the code.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..core.gradcheck import relative_error
from ..core.network import sigmoid, sigmoid_prime
from .loader import FUNCTION_NAME, RETURNS, Raised

MATCH = 1e-6  # two results agree "exactly" at this relative error: a diagnosis, not a verdict
GRADIENTS = {"dW1": "W1", "db1": "b1", "dW2": "W2", "db2": "b2"}


def close(a: object, b: object) -> bool:
    """Same shape and equal to rounding: how a candidate mistake is recognised."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    return bool(np.all(relative_error(a, b) <= MATCH))


def fmt(a: object) -> str:
    """A compact one-line rendering of a few numbers for the explanation text."""
    arr = np.asarray(a, dtype=float)
    if arr.size == 1:
        return f"{arr.reshape(-1)[0]:.4g}"
    return "[" + ", ".join(f"{v:.4g}" for v in arr.reshape(-1)) + "]"


def backward_with(v: Mapping[str, object], d2: np.ndarray, dsig1: np.ndarray
                  ) -> dict[str, np.ndarray]:
    """The four gradients that a given output error and hidden derivative lead to."""
    d1 = (np.asarray(v["W2"]).T @ d2) * dsig1
    return {"dW2": np.outer(d2, v["a1"]), "db2": np.asarray(d2),
            "dW1": np.outer(d1, v["x"]), "db1": d1}


def backward_variants(v: Mapping[str, object]) -> list[tuple[dict[str, np.ndarray], str]]:
    """Gradients of the common backprop slips, each with what it means, most specific first."""
    e = np.asarray(v["y_hat"]) - v["y"]
    dsig1, dsig2 = np.asarray(v["dsig1"]), np.asarray(v["dsig2"])
    d2 = e * dsig2
    no_hidden = np.ones_like(dsig1)
    return [
        (backward_with(v, e, no_hidden),
         "both sigmoid derivatives are missing: delta2 must be (pred − y)·σ'(z2) and "
         f"delta1 = (W2^T delta2) * σ'(z1); here σ'(z2) = {fmt(dsig2)}, σ'(z1) = {fmt(dsig1)}."),
        (backward_with(v, e, dsig1),
         "the output sigmoid's derivative is missing: delta2 must be (pred − y)·σ'(z2), and "
         f"your value is off by exactly the factor σ'(z2) = {fmt(dsig2)} (what (pred − y) "
         "alone gives)."),
        (backward_with(v, d2, no_hidden),
         "the hidden sigmoid's derivative is missing: delta1 must be (W2^T delta2) * σ'(z1), "
         f"and your value is off by exactly the factor σ'(z1) = {fmt(dsig1)} per hidden unit."),
        (backward_with(v, e * sigmoid_prime(v["y_hat"]), dsig1),
         "σ' was applied to the output's activation instead of z2: σ'(z2) = pred·(1 − pred), "
         "which is not σ'(pred)."),
        (backward_with(v, d2, sigmoid_prime(v["a1"])),
         "σ' was applied to the hidden activations instead of z1: σ'(z1) = a1 * (1 − a1), "
         "which is not σ'(a1)."),
        (backward_with(v, -d2, dsig1),
         "the sign is flipped: the error is (pred − y), not (y − pred); stepping W − lr·dW "
         "with it climbs the loss instead of descending."),
        (backward_with(v, 2 * d2, dsig1),
         "it is twice the right gradient: that is the derivative of (pred − y)², but the loss "
         "is ½(pred − y)², whose derivative is (pred − y)."),
    ]


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


def explain_gradient(name: str, got: np.ndarray, v: Mapping[str, object],
                     student: Mapping[str, np.ndarray], numeric: np.ndarray | None) -> str:
    """Why a gradient of the right shape has the wrong values."""
    expected = np.asarray(v[name], dtype=float)
    if numeric is not None and close(got, numeric):
        return (f"your {name} matches the finite-difference gradient but not the engine's: "
                "this looks like a bug in backprop-tui itself; please report it.")
    # Prefer the slip that also explains the student's other gradients.
    best: tuple[int, str] | None = None
    for grads, words in backward_variants(v):
        if not close(got, grads[name]):
            continue
        score = sum(close(student[g], grads[g]) for g in GRADIENTS if g in student)
        if best is None or score > best[0]:
            best = (score, words)
    if best is not None:
        return f"{name}: {best[1]}"
    if got.ndim == 2 and got.shape[0] == got.shape[1] and close(got.T, expected):
        return f"{name} holds the right numbers, transposed: check the order in np.outer."
    extra = _bias_slip(name, got, v, student) if name.startswith("db") else None
    if extra:
        return extra
    if not np.any(got):
        return f"{name} is all zeros: nothing was computed for it (a placeholder left in?)."
    c = constant_factor(got, expected)
    if c is not None:
        return (f"every entry of {name} is {c:.4g} times the right value: a constant "
                "(a learning rate, a 2 or ½) slipped into the formula.")
    formula = {"dW2": "delta2 a1^T", "db2": "delta2", "dW1": "delta1 x^T", "db1": "delta1"}[name]
    text = (f"{name} should be {formula}, with delta2 = (pred − y)·σ'(z2) and "
            "delta1 = (W2^T delta2) * σ'(z1); yours matches none of the usual slips.")
    if numeric is not None:
        text += (f" The finite-difference gradient agrees with the engine (relative error "
                 f"{float(np.max(relative_error(expected, numeric))):.1e}), not with yours.")
    return text


def _bias_slip(name: str, got: np.ndarray, v: Mapping[str, object],
               student: Mapping[str, np.ndarray]) -> str | None:
    """Slips that only a bias gradient makes: the weights' gradient is right, the bias's not."""
    weight = "dW" + name[2:]
    layer = "delta2" if name == "db2" else "delta1"
    words = (f"the weight gradient {weight} is right but the bias gradient {name} is not: "
             f"a bias's input is always 1, so {name} is the layer's error {layer} itself")
    if weight not in student or not close(student[weight], v[weight]):
        return None
    if close(got, np.asarray(v[weight]).sum(axis=1)):
        return f"{words}, not {weight} summed over the inputs."
    if name == "db1" and close(got, np.full_like(got, float(np.asarray(v["delta2"])[0]))):
        return f"{words}; yours is delta2 copied to each unit (not sent back through W2, σ'(z1))."
    return f"{words} ({fmt(v[layer])} here, yours {fmt(got)})."


def explain_pred(got: np.ndarray, v: Mapping[str, object]) -> str:
    """Why pred is wrong: the forward-pass slips recomputed on this sample's parameters."""
    W1, b1, W2, b2, x = (np.asarray(v[k]) for k in ("W1", "b1", "W2", "b2", "x"))
    z1, z2 = np.asarray(v["z1"]), np.asarray(v["z2"])
    flipped = 1.0 / (1.0 + np.exp(np.clip(W2 @ (1.0 / (1.0 + np.exp(np.clip(z1, -700, 700))))
                                           + b2, -700, 700)))
    candidates = [
        (z2, "pred equals z2: the output sigmoid is missing (pred = σ(z2))."),
        (sigmoid(W2 @ z1 + b2), "the hidden sigmoid is missing: a1 = σ(z1) must feed the "
                                "output layer, not z1."),
        (1.0 / (1.0 + np.exp(np.clip(z2, -700, 700))),
         "the output sigmoid has the wrong sign in the exponent: σ(z) = 1/(1 + e^(−z))."),
        (flipped, "the sigmoid has the wrong sign in the exponent: σ(z) = 1/(1 + e^(−z))."),
        (sigmoid(W2 @ sigmoid(W1 @ x)), "the biases are not added: z1 = W1 x + b1, "
                                        "z2 = W2 a1 + b2."),
        (np.asarray(v["L"]), "pred holds the loss: return pred first, then loss."),
    ]
    for value, words in candidates:
        if close(got.reshape(-1), np.asarray(value, dtype=float).reshape(-1)):
            return words
    return (f"pred should be σ(W2 σ(W1 x + b1) + b2) = {fmt(v['y_hat'])} for this sample; "
            "check z1 = W1 @ x + b1, a1 = σ(z1), z2 = W2 @ a1 + b2, pred = σ(z2).")


def explain_loss(got: np.ndarray, v: Mapping[str, object]) -> str:
    """Why the loss is wrong when pred is right: a factor, a sign, or the wrong quantity."""
    L = float(v["L"])
    e = float(np.asarray(v["y_hat"]).reshape(-1)[0]) - float(v["y"])
    candidates = [
        (2 * L, "loss is twice the right value: the per-sample loss is ½(pred − y)², "
                "not (pred − y)²."),
        (L / 2, "loss is half the right value: ½ was applied twice (½·½(pred − y)²?)."),
        (e, "loss equals pred − y, the loss's derivative, not the loss ½(pred − y)²."),
        (abs(e), "loss equals |pred − y|; the loss is ½(pred − y)²."),
        (-L, "loss has the wrong sign; it is ½(pred − y)² ≥ 0."),
        (float(np.asarray(v["y_hat"]).reshape(-1)[0]), "loss holds pred: return pred first, "
                                                        "then loss."),
    ]
    for value, words in candidates:
        if close(got.reshape(-1), np.array([value])):
            return words
    return f"loss should be ½(pred − y)² = {L:.6g} for this sample."


def update_consequence(pname: str, param_shape: tuple[int, ...], grad_shape: tuple[int, ...],
                       layers: str) -> str:
    """What ``P - lr * dP`` does in the training loop with a gradient of the wrong shape."""
    try:
        result = tuple(np.broadcast_shapes(param_shape, grad_shape))
    except ValueError:
        return (f"In the training loop, {pname} - lr * d{pname} cannot combine {param_shape} "
                f"with {grad_shape}: that line raises ValueError.")
    if result == param_shape:
        return (f"{pname} - lr * d{pname} keeps {pname}'s shape {param_shape} only by "
                "broadcasting; a gradient must have its parameter's shape.")
    text = (f"In the training loop, {pname} - lr * d{pname} broadcasts {param_shape} and "
            f"{grad_shape} to {result}: {pname} silently becomes {result} and the network "
            f"stops being {layers}.")
    if pname == "W2" and len(result) == 2 and result[0] > 1:
        text += (f" From then on z2 = W2 @ a1 + b2 has {result[0]} entries, so each "
                 f"'prediction' is {result[0]} numbers and the loss a mean over them; "
                 "training still runs and the printed loss still falls, which is why "
                 "nothing looks wrong.")
    return text


def explain_shape(name: str, got: np.ndarray, v: Mapping[str, object], layers: str) -> str:
    """Why a returned value has the wrong shape, and what that shape would do."""
    if name in ("pred", "loss"):
        text = (f"{name} must be a single number (size 1; shape (), (1,) or (1, 1)); "
                f"yours has shape {got.shape}.")
        if name == "pred" and close(got, sigmoid(np.asarray(v["W2"]) * v["a1"] + v["b2"])):
            text += " W2 * a1 multiplies entrywise; the output needs the product W2 @ a1."
        return text
    pname = GRADIENTS[name]
    expected = np.asarray(v[name], dtype=float)
    parts = [f"{name} must have {pname}'s shape {expected.shape}; yours is {got.shape}."]
    if got.shape == expected.shape[::-1] and close(got.T, expected):
        parts = [f"your {name} holds the right numbers, transposed: shape {got.shape} where "
                 f"{pname} has shape {expected.shape}."]
        if name == "dW2":
            parts.append("np.outer(a1, delta2) puts a1 down the rows; the gradient of W2 "
                         "is delta2 a1^T = np.outer(delta2, a1).")
        elif name == "dW1":
            parts.append("The gradient of W1 is delta1 x^T = np.outer(delta1, x).")
    else:
        other = next((k for k in RETURNS if k != name and close(got, v[_engine_key(k)])), None)
        if other is not None:
            parts.append(f"It equals the engine's {other}: return the values in the order "
                         f"{', '.join(RETURNS)}.")
    parts.append(update_consequence(pname, expected.shape, got.shape, layers))
    return " ".join(parts)


def _engine_key(name: str) -> str:
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
                if any(isinstance(g, np.ndarray) and g.size == np.size(v[_engine_key(k)])
                       and close(g.reshape(np.shape(v[_engine_key(k)])), v[_engine_key(k)])
                       for g in values)]
        missing = [k for k in RETURNS if k not in seen]
        if seen and missing:
            text += f" Recognised {', '.join(seen)}; missing {', '.join(missing)}."
    return text


def explain_raised(raised: Raised) -> str:
    """Where the student's code raised, and the usual reason for that kind of error."""
    where = ""
    frames = raised.frames
    if raised.type_name == "NotImplementedError":
        # A TODO helper raises on behalf of the line that calls it: point at that line.
        frames = tuple(f for f in frames if f.function == FUNCTION_NAME) or frames
    if frames:
        f = frames[-1]
        where = f" at line {f.line}" + (f": {f.source}" if f.source else "")
    text = f"forward_backward_pass raised {raised.type_name}{where}."
    if raised.type_name == "NotImplementedError":
        text += " A TODO is still open: fill it in and check again."
    elif raised.type_name == "ValueError" and any(
            w in raised.message for w in ("matmul", "broadcast", "shapes", "aligned")):
        text += (" The shapes on that line do not fit; the arguments are x (n,), W1 (H, n), "
                 "b1 (H,), W2 (1, H), b2 (1,).")
    elif not raised.frames:
        text += " No line of your file is in the traceback: it failed in code it called."
    return text
