"""The backward phases' rows of the Equation panel: delta_l, dW_l and db_l, the update.

The backward phases say what each quantity means (delta is ∂L/∂z), show the error
flowing back along W^T and through each activation's slope (σ' = a (1 − a),
tanh' = 1 − a², relu' = [z > 0]) with their numbers, and give one entry of each
gradient as a chain rule, since those are the steps a student cannot see in the
matrices alone. Where the output's slope cancels against the loss's derivative
(σ with cross-entropy, softmax with cross-entropy) the panel says so: that is why
the output error is y_hat − y. The lab's rows come out exactly as before.
"""

from __future__ import annotations

import numpy as np

from ...core.network.activations import ACTIVATIONS
from ..ask import is_unknown
from ..render import pair_text, scalar_text
from .eq_parts import Eq, Prose, Row, src_name, words


def _meaning(layer: int) -> Row:
    return [Prose(f"delta{layer} is ∂L/∂z{layer}: how fast the loss changes with the "
                  f"output's z{layer}")]


def _minus(e: Eq, out: str) -> Row:
    """y_hat − y = out: numbers for one output, columns for several."""
    if np.ndim(e.v["y"]):
        return ["y_hat − y =", e.col("y_hat"), "−", e.col("y"), "=", e.col(out)]
    return [f"y_hat − y = {e.num('y_hat')} − {e.num('y')} =", e.val(out)]


def output_error(e: Eq, row: int) -> list[Row]:
    """delta_L, by the output and the loss."""
    arch, n = e.arch, e.arch.depth
    delta, ds = f"delta{n}", f"dsig{n}"
    if arch.loss == "half-mse" and arch.output == "sigmoid":
        if np.ndim(e.v["y"]):
            return [_meaning(n), [f"σ'(z{n}) = y_hat (1 − y_hat) =", e.col(ds)],
                    [f"{delta} = (y_hat − y) * σ'(z{n}) = (", e.col("y_hat"), "−", e.col("y"),
                     ") *", e.col(ds), "=", e.col(delta)]]
        yh, y, slope = e.num("y_hat"), e.num("y"), e.num(ds)
        return [_meaning(n),
                [f"σ'(z{n}) = y_hat (1 − y_hat) = {yh} · (1 − {yh}) =", e.mat(ds)],
                [f"{delta} = (y_hat − y) · σ'(z{n}) = ({yh} − {y}) · {slope} =", e.mat(delta)]]
    if arch.loss == "half-mse":  # identity output
        why = [f"id'(z{n}) = 1: the identity's slope is 1, so {delta} = ∂L/∂y_hat"]
    elif arch.loss == "bce":
        yh = e.num("y_hat")
        numbers = "" if np.ndim(e.v["y"]) else f" = {yh} · (1 − {yh})"
        why = ["∂L/∂y_hat = (y_hat − y) / (y_hat (1 − y_hat)) and",
               f"σ'(z{n}) = y_hat (1 − y_hat){numbers}:", "σ' cancels, leaving y_hat − y"]
    else:
        why = ["∂L/∂y_hat_k = −y_k / y_hat_k and softmax's slope (its σ') is",
               "∂y_hat_k/∂z_j = y_hat_k ([k = j] − y_hat_j):",
               "σ' cancels, leaving y_hat − y"]
    return [_meaning(n), why, [f"{delta} =", *_minus(e, delta)]]


def slope_words(e: Eq, layer: int) -> tuple[Row, Row]:
    """(what the core says of the activation's slope, one entry of it worked with this
    sample's numbers): relu's says what happens at z = 0. The lab's sigmoid has its
    formula beside W^T delta, as it always had, and no more."""
    name = e.arch.layer_activation(layer)
    z, a, slope = f"z{layer}", f"a{layer}", f"dact{layer}"
    if name in ("sigmoid", "identity"):
        return [], []
    note = words(ACTIVATIONS[name].note + ";", 44)
    if name == "tanh":
        return note, [f"here [0]: 1 − ({e.at(a, 0)})² = {e.at(slope, 0)}"]
    # relu and leaky relu: the slope depends on the side of 0 that z is on
    side = "?" if is_unknown(e.v[slope]) else (
        ">" if float(np.asarray(e.v[z], dtype=float)[0]) > 0 else "≤")
    return note, [f"here {z}[0] = {e.at(z, 0)} {side} 0,", f"so {e.at(slope, 0)}"]


def hidden_error(e: Eq, row: int) -> list[Row]:
    """delta_l = (W(l+1)^T delta(l+1)) * f'(z_l) for a hidden layer."""
    layer = int(e.phase.key[5:])
    up, name = layer + 1, e.arch.layer_activation(layer)
    act = ACTIVATIONS[name]
    slope = f"dsig{layer}" if name == "sigmoid" else f"dact{layer}"
    back = f"W{up}^T delta{up}"
    flows = f"{back} = ∂L/∂a{layer} flows back to each hidden output"
    result: Row = [f"delta{layer} = ({back}) * {act.slope_symbol}(z{layer}) =",
                   e.col(f"da{layer}"), "*", e.col(slope), "=", e.col(f"delta{layer}")]
    note, worked = slope_words(e, layer)
    formula = act.slope_formula(f"a{layer}", f"z{layer}")
    if e.tight:  # the product along W^T is in the Backward panel; the slope stays
        return [[f"{formula};" if worked else formula,
                 *(note if name != "tanh" else []), *worked], result]
    return [[Prose(f"delta{layer} is ∂L/∂z{layer};  {flows}")],
            [f"{back} =", e.transposed(f"W{up}"), "·", e.col(f"delta{up}"), "=",
             e.col(f"da{layer}"), f"   {formula} =", e.col(slope)],
            *([[*note, *worked]] if worked else []),
            [*result, Prose("   (* multiplies entry by entry)")]]


def gradients(e: Eq, row: int) -> list[Row]:
    """dW_l = delta_l a(l−1)^T and db_l = delta_l, then one entry as a chain rule."""
    arch, layer = e.arch, int(e.phase.key[2:])
    src, delta, dw = src_name(arch, layer), f"delta{layer}", f"dW{layer}"
    one = layer == arch.depth and arch.n_outputs == 1  # a number times a row
    head: Row = [f"{dw} = {delta} {src}^T ="]
    if e.tight:  # the factors and db (= delta) are in the Backward panel
        head += [e.mat(dw), f"   (db{layer} = {delta})"]
    else:
        head += [e.col(delta), *(["·"] if one else []), e.mat(src), "=", e.mat(dw),
                 f"   db{layer} = {delta} =", e.col(f"db{layer}")]
    if one and arch.loss == "half-mse" and arch.output == "sigmoid":
        diff = scalar_text(float(np.asarray(e.v["y_hat"]).ravel()[0]) - float(e.v["y"]))  # type: ignore[arg-type]
        chain = [f"chain rule: ∂L/∂{dw[1:]}[0,j] = (y_hat − y) · σ'(z{layer}) · {src}[j];",
                 f"   j = 0: {diff} · {e.num(f'dsig{layer}')} · {e.at(src, 0)} = "
                 f"{e.at(dw, (0, 0))}"]
    else:
        chain = [f"chain rule: ∂L/∂{dw[1:]}[i,j] = {delta}[i] · {src}[j];",
                 f"   [0,0]: {e.at(delta, 0)} · {e.at(src, 0)} = {e.at(dw, (0, 0))}"]
    if e.tight:  # on one line at 80 columns
        chain = [chain[0].removeprefix("chain rule: "), chain[1].lstrip()]
    return [head, chain]


def _old_new(e: Eq, name: str, index: tuple[int, ...]) -> tuple[str, str]:
    """One entry before and after the update, with the digits that show the change."""
    if is_unknown(e.v[name + "_new"]):
        return e.at(name, index), "?"
    return pair_text(float(np.asarray(e.v[name], dtype=float)[index]),
                     float(np.asarray(e.v[name + "_new"], dtype=float)[index]))


def update(e: Eq, row: int) -> list[Row]:
    """W ← W − η dW for every parameter; short of room, one entry of each."""
    eta = f"{float(e.v['lr']):g}"  # type: ignore[arg-type]
    names = e.arch.param_names
    if not e.tight:
        return [[f"{n:<3}", e.mat(n), f"− {eta} ·", e.mat("d" + n), "=", e.mat(n + "_new")]
                for n in names]
    out = []
    for n in names:
        i = (0, 0) if n.startswith("W") else (0,)
        at = f"[{','.join(map(str, i))}]"
        old, new = _old_new(e, n, i)
        out.append([f"{n:<3} ← {n} − {eta} d{n};",
                    f"{n}{at}: {old} − {eta} · {e.at('d' + n, i)} = {new}"])
    return [*out, [Prose("(every entry: f, or the Parameters panel)")]]
