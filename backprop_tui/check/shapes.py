"""Shapes: which ones the lab's update accepts, what a wrong one does, and matmul errors named.

A gradient is judged by what the lab's loop does with it: ``W2 - lr * dW2``. A shape
that broadcasts back to the parameter's own shape with the right numbers (a scalar
db2, a (2,) dW2) trains correctly, so it is accepted with a note; a shape that
changes the parameter (the lab's (2, 1) dW2 turns W2 into (2, 2)) is wrong, and the
explanation says what it does to the network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from .loader import FUNCTION_NAME, Raised

GRADIENTS = {"dW1": "W1", "db1": "b1", "dW2": "W2", "db2": "b2"}
# Names students give the lab's quantities, each with its shape as a function of (n, H).
KNOWN_SHAPES = {
    "x": lambda n, h: (n,), "inp": lambda n, h: (n,), "W1": lambda n, h: (h, n),
    "b1": lambda n, h: (h,), "W2": lambda n, h: (1, h), "b2": lambda n, h: (1,),
    **{k: (lambda n, h: (h,)) for k in ("z1", "a1", "h", "hidden", "delta1", "grad_hidden",
                                        "dsig1", "db1")},
    **{k: (lambda n, h: (1,)) for k in ("z2", "a2", "pred", "y_hat", "out", "output",
                                        "delta2", "grad_output", "dsig2", "db2")},
}


def accepted(param_shape: tuple[int, ...], got_shape: tuple[int, ...]) -> bool:
    """True when ``P - lr * dP`` keeps P's shape: the update line applies dP as it should."""
    try:
        return tuple(np.broadcast_shapes(param_shape, got_shape)) == tuple(param_shape)
    except ValueError:
        return False


def representation_note(name: str, param_shape: tuple[int, ...], got_shape: tuple[int, ...]
                        ) -> str:
    pname = GRADIENTS[name]
    return (f"{name} has shape {got_shape}, not {pname}'s {param_shape}; the values are right "
            f"and {pname} - lr * {name} broadcasts them back to {param_shape}, so training is "
            f"not affected (np.reshape({name}, {pname}.shape) would make it exact).")


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
                "broadcasting the same numbers over it.")
    text = (f"In the training loop, {pname} - lr * d{pname} broadcasts {param_shape} and "
            f"{grad_shape} to {result}: {pname} silently becomes {result} and the network "
            f"stops being {layers}.")
    if pname == "W2" and len(result) == 2 and result[0] > 1:
        text += (f" From then on z2 = W2 @ a1 + b2 has {result[0]} entries, so each "
                 f"'prediction' is {result[0]} numbers and the loss a mean over them; "
                 "training still runs and the printed loss still falls, which is why "
                 "nothing looks wrong.")
    return text


def _operands(source: str) -> list[tuple[str, str]]:
    """(left, right) of every ``A @ B``, ``np.dot(A, B)``, ``np.matmul(A, B)``, ``A.dot(B)``."""
    name = r"[A-Za-z_]\w*(?:\.T)?"
    pairs = re.findall(rf"({name})\s*@\s*({name})", source)
    pairs += re.findall(rf"(?:np|numpy)\.(?:dot|matmul)\(\s*({name})\s*,\s*({name})\s*\)",
                        source)
    pairs += re.findall(rf"({name})\.dot\(\s*({name})\s*\)", source)
    return pairs


def _shape(token: str, n: int, h: int) -> tuple[int, ...] | None:
    base, transposed = (token[:-2], True) if token.endswith(".T") else (token, False)
    make = KNOWN_SHAPES.get(base)
    if make is None:
        return None
    shape = make(n, h)
    return shape[::-1] if transposed else shape


def _fits(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.matmul(np.zeros(a), np.zeros(b))
    except ValueError:
        return False
    return True


def matmul_hint(source: str, n: int, h: int) -> str | None:
    """Name the product on a line that cannot be formed, and the form that can."""
    for left, right in _operands(source):
        sa, sb = _shape(left, n, h), _shape(right, n, h)
        if sa is None or sb is None or _fits(sa, sb):
            continue
        text = f"{left} @ {right} multiplies {sa} by {sb}, which cannot be formed"
        flip = f"{left[:-2]}" if left.endswith(".T") else f"{left}.T"
        if left.split(".")[0] == "W2" and not left.endswith(".T") and _fits(sa[::-1], sb):
            return (f"{text}: sending {right} back to the hidden layer needs W2's transpose, "
                    f"W2.T @ {right} (shape {np.matmul(np.zeros(sa[::-1]), np.zeros(sb)).shape}"
                    "), one number per hidden unit.")
        if len(sa) == 2 and _fits(sa[::-1], sb):
            return f"{text}; {flip} @ {right} can (the transpose)."
        if _fits(sb, sa):
            return f"{text}; {right} @ {left} can (the other order)."
        return f"{text}."
    return None


def explain_raised(raised: Raised, sizes: tuple[int, int] | None = None) -> str:
    """Where the student's code raised, and the usual reason for that kind of error.

    ``sizes`` (inputs, hidden units) lets a matmul error name the product that does not fit.
    """
    where = ""
    frames = raised.frames
    if raised.type_name == "NotImplementedError":
        # A TODO helper raises on behalf of the line that calls it: point at that line.
        frames = tuple(f for f in frames if f.function == FUNCTION_NAME) or frames
    if frames:
        f = frames[-1]
        where = f" at line {f.line}" + (f": {f.source}" if f.source else "")
    text = f"{FUNCTION_NAME} raised {raised.type_name}{where}."
    if raised.type_name == "NotImplementedError":
        text += " A TODO is still open: fill it in and check again."
    elif raised.type_name == "ValueError" and any(
            w in raised.message for w in ("matmul", "broadcast", "shapes", "aligned")):
        hint = None
        if sizes is not None and frames and frames[-1].source:
            hint = matmul_hint(frames[-1].source, *sizes)
        if hint:
            text += " The product " + hint
        else:
            n, h = sizes or (3, 2)
            text += (f" The shapes on that line do not fit; the arguments are x ({n},), "
                     f"W1 ({h}, {n}), b1 ({h},), W2 (1, {h}), b2 (1,).")
    elif not raised.frames:
        text += " No line of your file is in the traceback: it failed in code it called."
    return text


def same_values(got: np.ndarray, expected: np.ndarray, close: object) -> bool:
    """The right numbers in another shape (same count, same order)."""
    return got.size == expected.size and bool(close(got.reshape(-1),  # type: ignore[operator]
                                                    expected.reshape(-1)))


def explain_shape(name: str, got: np.ndarray, v: Mapping[str, object], layers: str,
                  close: object, slip_words: str | None = None) -> str:
    """Why a returned gradient has the wrong shape, and what that shape would do."""
    pname = GRADIENTS[name]
    expected = np.asarray(v[name], dtype=float)
    parts = [f"{name} must have {pname}'s shape {expected.shape}; yours is {got.shape}."]
    if got.shape == expected.shape[::-1] and close(got.T, expected):  # type: ignore[operator]
        parts = [f"your {name} holds the right numbers, transposed: shape {got.shape} where "
                 f"{pname} has shape {expected.shape}."]
        if name == "dW2":
            parts.append("np.outer(a1, delta2) puts a1 down the rows; the gradient of W2 "
                         "is delta2 a1^T = np.outer(delta2, a1).")
        elif name == "dW1":
            parts.append("The gradient of W1 is delta1 x^T = np.outer(delta1, x).")
    elif same_values(got, expected, close):
        parts = [f"your {name} holds the right numbers in shape {got.shape}; {pname} has "
                 f"shape {expected.shape}."]
        if name == "db1" and got.ndim == 2:
            parts.append("W2.T * delta2 makes a column; W2.T @ delta2 gives delta1 the "
                         f"shape {expected.shape}.")
    elif slip_words:
        parts.append(f"Yours reproduces this slip: {slip_words}.")
    parts.append(update_consequence(pname, expected.shape, got.shape, layers))
    return " ".join(parts)
