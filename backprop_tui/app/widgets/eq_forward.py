"""The forward phases' rows of the Equation panel: load, z_l, a_l (y_hat last), and L.

Each function writes one phase of any network the way the lab's is written (the
lab's rows come out character for character as before), with the numbers the core
computed. The output layer says what it is: σ for a probability, the identity for
a regression, softmax for classes, whose probabilities are shown summing to 1.
"""

from __future__ import annotations

import math

import numpy as np

from ...core.network.activations import ACTIVATIONS
from ..ask import is_unknown
from ..render import scalar_text
from .eq_parts import Eq, Prose, Row, dst_name, src_name, words

MAX_TERMS = 6  # probabilities written out in the sum; more are "+ …"


def load(e: Eq, row: int) -> list[Row]:
    out: Row = [f"x, y = training row {row}:   x =", e.col("x"), "  y =", e.vec("y")]
    if e.arch.classifies and not is_unknown(e.v["y"]):
        c, name = e.true_class()
        out.append(Prose(f"  one-hot: class {c}" + (f" ({name})" if name else "")))
    return [out]


def pre_activation(e: Eq, layer: int) -> list[Row]:
    """z_l = W_l a(l−1) + b_l; tight, only the result (W_l is in the Parameters panel,
    a(l−1) in the Forward one)."""
    src = src_name(e.arch, layer)
    if e.tight:
        return [[f"z{layer} = W{layer} {src} + b{layer} =", e.col(f"z{layer}")]]
    return [[f"z{layer} =", e.mat(f"W{layer}"), e.col(src), "+", e.col(f"b{layer}"), "=",
             e.col(f"z{layer}")]]


def activation(e: Eq, layer: int) -> list[Row]:
    """a_l = f(z_l); the output's y_hat, with softmax's probabilities added up."""
    arch, z, dst = e.arch, f"z{layer}", dst_name(e.arch, layer)
    name = arch.layer_activation(layer)
    if layer < arch.depth:
        return [[f"{dst} = {ACTIVATIONS[name].symbol}(", e.col(z), ") =", e.col(dst),
                 Prose(f"   {ACTIVATIONS[name].definition}, each entry")]]
    if name == "identity":
        return [[f"y_hat = {z} =", e.col(dst),
                 Prose("   an identity output passes z on: the prediction is z itself")]]
    if name == "sigmoid":
        return [["y_hat = σ(", e.col(z), ") =", e.col(dst)]]
    return [["y_hat = softmax(", e.col(z), ") =", e.col(dst),
             Prose("   softmax(z)_k = e^z_k / Σ_j e^z_j")], probabilities(e)]


def probabilities(e: Eq) -> Row:
    """'probabilities sum to 1: 0.21 + 0.58 + 0.21 = 1.0000' from the core's y_hat."""
    y_hat = e.v["y_hat"]
    if is_unknown(y_hat):
        return ["probabilities sum to 1: ? + ? + … = 1"]
    p = np.asarray(y_hat, dtype=float).ravel()
    terms = [e.at("y_hat", k) for k in range(min(len(p), MAX_TERMS))]
    more = " + …" if len(p) > MAX_TERMS else ""
    out: Row = ["probabilities sum to 1:", f"{' + '.join(terms)}{more} =",
                scalar_text(math.fsum(p.tolist()))]
    best = int(np.argmax(p))
    name = e.classes[best] if best < len(e.classes) else ""
    out.append(Prose(f"   most probable: class {best}" + (f" ({name})" if name else "")))
    return out


def loss(e: Eq, row: int) -> list[Row]:
    """L with this sample's numbers, by the session's loss."""
    kind, vector = e.arch.loss, np.ndim(e.v["y"]) > 0
    yh, y = e.num("y_hat"), e.num("y")
    if kind == "half-mse" and not vector:
        return [[f"L = ½ ({yh} − {y})² =", e.val("L")]]
    if kind == "half-mse":
        return [["L = ½ Σ (", e.col("y_hat"), "−", e.col("y"), ")² =", e.val("L")]]
    if kind == "bce" and not vector:
        return [[f"L = −[{y} · log {yh} + (1 − {y}) · log(1 − {yh})] =", e.val("L"),
                 *words(f"   (taken from z{e.arch.depth} itself, so never log 0)", prose=True)]]
    if kind == "bce":
        return [["L = −Σ [y log y_hat + (1 − y) log(1 − y_hat)] =", e.val("L")]]
    c, name = e.true_class()
    which = f"class {c}" + (f", {name}" if name else "")
    return [[f"L = −log y_hat[{c}] = −log {e.at('y_hat', c)} =", e.val("L"),
             *words(f"   y is one-hot: only the true class ({which}) counts", prose=True)]]
