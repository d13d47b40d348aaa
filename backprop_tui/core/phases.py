"""The phases of one training step, as data.

One SGD step on one sample is the list :data:`PHASES`, walked in order:

    load sample -> z1 -> a1 -> z2 -> y_hat -> L -> delta2 -> dW2, db2
                -> delta1 -> dW1, db1 -> update

Each phase carries its name, its formula as text, the quantities it produces and
the function that computes them from what came before. The stepping session,
the app's panels and equation view and the tests all read this one list, so the
lab's equations live here and nowhere else (the fast trainer in
:mod:`backprop_tui.core.kernel` is a tested re-statement for speed).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .network import Params, half_squared_error, sigmoid, sigmoid_slope

Values = Mapping[str, object]


@dataclass(frozen=True)
class Phase:
    """One operation of a training step."""

    key: str                      # short id, also the name the app shows
    title: str                    # what the operation is, in words
    formula: str                  # the equation, symbolically
    produces: tuple[str, ...]     # names of the quantities it adds
    compute: Callable[[Values], dict[str, object]]
    stage: str                    # "forward", "backward" or "update": the panel it fills
    reads: tuple[str, ...] = ()   # the quantities it uses: the screen marks them as read


def _load(v: Values) -> dict[str, object]:
    return {"x": np.asarray(v["x"], dtype=float), "y": float(v["y"])}


def _z1(v: Values) -> dict[str, object]:
    return {"z1": v["W1"] @ v["x"] + v["b1"]}


def _a1(v: Values) -> dict[str, object]:
    return {"a1": sigmoid(v["z1"])}


def _z2(v: Values) -> dict[str, object]:
    return {"z2": v["W2"] @ v["a1"] + v["b2"]}


def _y_hat(v: Values) -> dict[str, object]:
    return {"y_hat": sigmoid(v["z2"])}


def _loss(v: Values) -> dict[str, object]:
    return {"L": half_squared_error(v["y_hat"], v["y"])}


def _delta2(v: Values) -> dict[str, object]:
    # dL/dy_hat = (y_hat - y); the output sigmoid contributes its local derivative
    # sigma'(z2) = y_hat (1 - y_hat): the same numbers as sigmoid_prime(z2), read off y_hat.
    dsig2 = sigmoid_slope(v["y_hat"])
    return {"dsig2": dsig2, "delta2": (v["y_hat"] - v["y"]) * dsig2}


def _grads2(v: Values) -> dict[str, object]:
    # dW2 has W2's shape (1, H): delta2 times a1 transposed.
    return {"dW2": np.outer(v["delta2"], v["a1"]), "db2": np.array(v["delta2"], copy=True)}


def _delta1(v: Values) -> dict[str, object]:
    # The error flows back through W2 (transposed), then through the hidden sigmoids.
    # W2^T delta2 is dL/da1, what reaches each hidden unit's output; shown on its own.
    da1 = v["W2"].T @ v["delta2"]
    dsig1 = sigmoid_slope(v["a1"])  # sigma'(z1) = a1 (1 - a1)
    return {"da1": da1, "dsig1": dsig1, "delta1": da1 * dsig1}


def _grads1(v: Values) -> dict[str, object]:
    return {"dW1": np.outer(v["delta1"], v["x"]), "db1": np.array(v["delta1"], copy=True)}


def _update(v: Values) -> dict[str, object]:
    eta = v["lr"]
    return {
        "W1_new": v["W1"] - eta * v["dW1"],
        "b1_new": v["b1"] - eta * v["db1"],
        "W2_new": v["W2"] - eta * v["dW2"],
        "b2_new": v["b2"] - eta * v["db2"],
    }


PHASES: tuple[Phase, ...] = (
    Phase("load", "load sample", "x, y = training row i", ("x", "y"), _load, "forward"),
    Phase("z1", "hidden pre-activation", "z1 = W1 x + b1", ("z1",), _z1, "forward",
          ("W1", "x", "b1")),
    Phase("a1", "hidden activation", "a1 = σ(z1)", ("a1",), _a1, "forward", ("z1",)),
    Phase("z2", "output pre-activation", "z2 = W2 a1 + b2", ("z2",), _z2, "forward",
          ("W2", "a1", "b2")),
    Phase("y_hat", "prediction", "y_hat = σ(z2)", ("y_hat",), _y_hat, "forward", ("z2",)),
    Phase("L", "loss", "L = ½ (y_hat − y)²", ("L",), _loss, "forward", ("y_hat", "y")),
    Phase("delta2", "output error", "delta2 = (y_hat − y) · σ'(z2)", ("dsig2", "delta2"), _delta2,
          "backward", ("y_hat", "y")),
    Phase("dW2", "output gradients", "dW2 = delta2 a1^T,  db2 = delta2", ("dW2", "db2"), _grads2,
          "backward", ("delta2", "a1")),
    Phase("delta1", "hidden error", "delta1 = (W2^T delta2) * σ'(z1)", ("da1", "dsig1", "delta1"),
          _delta1, "backward", ("W2", "delta2", "a1")),
    Phase("dW1", "hidden gradients", "dW1 = delta1 x^T,  db1 = delta1", ("dW1", "db1"), _grads1,
          "backward", ("delta1", "x")),
    Phase("update", "SGD update", "W ← W − η dW   (W1, b1, W2, b2)",
          ("W1_new", "b1_new", "W2_new", "b2_new"), _update, "update",
          ("W1", "b1", "W2", "b2", "dW1", "db1", "dW2", "db2")),
)

# Where the lab's code names a quantity differently, its name there (shown beside ours).
LAB_NAMES: dict[str, str] = {"y_hat": "pred", "L": "loss", "delta2": "grad_output",
                             "delta1": "grad_hidden"}

PRODUCED_BY: dict[str, str] = {name: p.key for p in PHASES for name in p.produces}
PHASE_INDEX: dict[str, int] = {p.key: i for i, p in enumerate(PHASES)}
UPDATE_PHASE: int = PHASE_INDEX["update"]


def run_phases(
    params: Params, x: np.ndarray, y: float, lr: float, upto: int = len(PHASES) - 1
) -> dict[str, object]:
    """Walk PHASES[0..upto] for one sample and return every quantity computed so far.

    Non-finite arithmetic (a diverging run) yields inf/nan values rather than
    warnings, so the caller can show and explain them.
    """
    values: dict[str, object] = {**params.as_dict(), "x": x, "y": y, "lr": lr}
    with np.errstate(all="ignore"):
        for phase in PHASES[: upto + 1]:
            values.update(phase.compute(values))
    return values


@lru_cache(maxsize=16)
def quantity_shapes(n_inputs: int, n_hidden: int) -> dict[str, tuple[int, ...]]:
    """The shape of every quantity of a step, known before any value is computed."""
    zeros = Params(np.zeros((n_hidden, n_inputs)), np.zeros(n_hidden), np.zeros((1, n_hidden)),
                   np.zeros(1))
    values = run_phases(zeros, np.zeros(n_inputs), 0.0, lr=0.0)
    return {name: np.shape(value) for name, value in values.items()}


def forward_backward(params: Params, x: np.ndarray, y: float) -> dict[str, object]:
    """Everything up to the gradients (no update): prediction, loss, dW1, db1, dW2, db2."""
    return run_phases(params, x, y, lr=0.0, upto=UPDATE_PHASE - 1)


def phase_hint(word: str) -> str:
    """" (did you mean dW2? phases: ...)" for a phase name typed in another case or a letter
    off, else the list of phases: what a dialog adds to "unknown phase"."""
    by_lower = {key.lower(): key for key in PHASE_INDEX}
    close = difflib.get_close_matches(word, list(PHASE_INDEX), n=1)
    match = by_lower.get(word.lower()) or (close[0] if close else None)
    names = ", ".join(PHASE_INDEX)
    return f" (did you mean {match}? phases: {names})" if match else f" (phases: {names})"
