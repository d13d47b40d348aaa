"""Any small network: the generated phases, the float and compiled kernels, and a reference.

The reference for gradients is autograd (the HIPS package: it differentiates plain
numpy code, so the loss below is written once, as a student would, and autograd
finds every dW and db); the reference for training is a plain numpy loop over the
samples. Every activation, output and loss, at depths 1 to 4 hidden layers, must
agree with them within 1e-12 relative, and the two fast kernels with each other
bit for bit. On the lab's network the generated phases are the lab's, text and
numbers.
"""

from __future__ import annotations

import itertools

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from backprop_tui.core.network import phases as lab_phases
from backprop_tui.core.network.arch import Architecture, parse_hidden, parse_names
from backprop_tui.core.network.kernel import FastParams, sgd_samples
from backprop_tui.core.network.netkernel import codes, join_flat, sgd_net, split_flat
from backprop_tui.core.network.netphases import net_for
from backprop_tui.core.network.params import Params
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

HIDDEN = ("sigmoid", "tanh", "relu", "leaky-relu", "identity")
HEADS = (("sigmoid", "half-mse", 1), ("identity", "half-mse", 2), ("sigmoid", "bce", 1),
         ("softmax", "ce", 3))
DEPTHS = ((4,), (4, 3), (3, 4, 2), (2, 3, 3, 2))
ARCHS = [Architecture(3, hidden, (act,), out, loss, k)
         for hidden, act, (out, loss, k) in itertools.product(DEPTHS, HIDDEN, HEADS)]


def ids(arch: Architecture) -> str:
    return arch.text().replace(" ", "_")


def sample(arch: Architecture, rng: np.random.RandomState) -> tuple[np.ndarray, object]:
    x = rng.randn(arch.n_inputs)
    if arch.classifies:
        return x, np.eye(arch.n_outputs)[rng.randint(arch.n_outputs)]
    if arch.n_outputs == 1:
        return x, float(rng.rand())
    return x, rng.rand(arch.n_outputs)


def params_for(arch: Architecture, rng: np.random.RandomState, scale: float = 0.7) -> Params:
    return Params(*(rng.randn(*arch.param_shapes[n]) * scale for n in arch.param_names))


# -- the reference, written as plain numpy for autograd ----------------------------------
def _f(name: str, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + anp.exp(-z))
    if name == "tanh":
        return anp.tanh(z)
    if name == "relu":
        return anp.where(z > 0, z, 0.0)
    if name == "leaky-relu":
        return anp.where(z > 0, z, 0.01 * z)
    return z


def reference_loss(arch: Architecture, arrays: list, x: np.ndarray, y) -> object:
    a = x
    for layer in range(arch.depth - 1):
        a = _f(arch.activations[layer], anp.dot(arrays[2 * layer], a) + arrays[2 * layer + 1])
    z = anp.dot(arrays[-2], a) + arrays[-1]
    y = anp.asarray(y, dtype=float).reshape(-1)
    if arch.loss == "half-mse":
        y_hat = _f(arch.output, z)
        return 0.5 * anp.sum((y_hat - y) ** 2)
    if arch.loss == "bce":
        y_hat = _f("sigmoid", z)
        return -anp.sum(y * anp.log(y_hat) + (1 - y) * anp.log(1 - y_hat))
    shifted = z - anp.max(z)
    return -anp.sum(y * (shifted - anp.log(anp.sum(anp.exp(shifted)))))


def relative(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))) if a.size else 0.0


def close(a: object, b: object, tol: float = 1e-12, floor: float = 1e-14) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(np.abs(a - b) <= tol * np.abs(b) + floor))


# -- the lab stays the lab ---------------------------------------------------------------
LAB_FORMULAS = ["x, y = training row i", "z1 = W1 x + b1", "a1 = σ(z1)", "z2 = W2 a1 + b2",
                "y_hat = σ(z2)", "L = ½ (y_hat − y)²", "delta2 = (y_hat − y) · σ'(z2)",
                "dW2 = delta2 a1^T,  db2 = delta2", "delta1 = (W2^T delta2) * σ'(z1)",
                "dW1 = delta1 x^T,  db1 = delta1", "W ← W − η dW   (W1, b1, W2, b2)"]


def test_the_lab_phases_are_generated_with_the_lab_text() -> None:
    assert [p.formula for p in lab_phases.PHASES] == LAB_FORMULAS
    assert [p.key for p in lab_phases.PHASES] == [
        "load", "z1", "a1", "z2", "y_hat", "L", "delta2", "dW2", "delta1", "dW1", "update"]
    assert lab_phases.LAB_NAMES == {"y_hat": "pred", "L": "loss", "delta2": "grad_output",
                                    "delta1": "grad_hidden"}


@pytest.mark.parametrize("arch", ARCHS, ids=ids)
def test_phase_count_is_4L_plus_3(arch: Architecture) -> None:
    net = net_for(arch)
    assert len(net.phases) == 4 * arch.depth + 3
    assert net.phases[-1].key == "update" and net.phases[1].key == "z1"
    assert [p.key for p in net.phases[-1 - 2 * arch.depth:-1:2]] == [
        f"delta{layer}" for layer in range(arch.depth, 0, -1)]


def test_the_generic_kernel_gives_the_lab_kernel_bits() -> None:
    rng = np.random.RandomState(3)
    arch = Architecture(3, (5,))
    p = params_for(arch, rng)
    X, y = rng.randn(300, 3), rng.rand(300)
    lab = FastParams.from_params(p)
    lab_losses: list[float] = []
    sgd_samples(lab, X.tolist(), y.tolist(), 0.7, lab_losses)
    Ws, bs = split_flat(p.flat().tolist(), arch)
    losses: list[float] = []
    sgd_net(Ws, bs, arch, X.tolist(), [[v] for v in y.tolist()], 0.7, losses)
    assert losses == lab_losses and join_flat(Ws, bs) == lab.flat()


# -- every network against autograd -----------------------------------------------------
@pytest.mark.parametrize("arch", ARCHS, ids=ids)
def test_every_gradient_matches_autograd(arch: Architecture) -> None:
    rng = np.random.RandomState(7)
    net = net_for(arch)
    for _ in range(3):
        p, (x, y) = params_for(arch, rng), sample(arch, rng)
        values = net.run(p, x, y, lr=0.1)
        arrays = [p.as_dict()[n] for n in arch.param_names]
        expected = grad(lambda ws, x=x, y=y: reference_loss(arch, ws, x, y))(arrays)
        assert close(values["L"], reference_loss(arch, arrays, x, y))
        for name, want in zip(arch.param_names, expected, strict=True):
            assert close(values[f"d{name}"], want), (name, relative(values[f"d{name}"], want))
        probs = np.asarray(values["y_hat"])
        if arch.output == "softmax":
            assert abs(float(np.sum(probs)) - 1.0) < 1e-15


@pytest.mark.parametrize("arch", ARCHS, ids=ids)
def test_the_float_kernel_trains_as_a_numpy_loop_does(arch: Architecture) -> None:
    rng = np.random.RandomState(11)
    p = params_for(arch, rng, 0.4)
    data = [sample(arch, rng) for _ in range(40)]
    net = net_for(arch)
    # the reference: the phases, one sample after another, a plain numpy loop
    ref, ref_losses = p, []
    for x, y in data * 2:
        v = net.run(ref, x, y, lr=0.05)
        ref_losses.append(v["L"])
        ref = Params(*(v[f"{n}_new"] for n in arch.param_names))
    Ws, bs = split_flat(p.flat().tolist(), arch)
    losses: list[float] = []
    ys = [np.atleast_1d(np.asarray(y, dtype=float)).tolist() for _, y in data] * 2
    sgd_net(Ws, bs, arch, [x.tolist() for x, _ in data] * 2, ys, 0.05, losses)
    assert close(losses, ref_losses, floor=1e-13)
    assert close(join_flat(Ws, bs), ref.flat(), floor=1e-13)


@pytest.mark.parametrize("arch", ARCHS, ids=ids)
def test_the_compiled_kernel_gives_the_float_kernel_bits(arch: Architecture) -> None:
    compiled = pytest.importorskip("backprop_tui.core.network.netcompiled")
    rng = np.random.RandomState(5)
    p = params_for(arch, rng, 0.6)
    data = [sample(arch, rng) for _ in range(30)]
    X = np.array([x for x, _ in data])
    Y = np.array([np.atleast_1d(np.asarray(y, dtype=float)) for _, y in data])
    rows = np.tile(np.arange(len(data)), 3).astype(np.int64)
    Ws, bs = split_flat(p.flat().tolist(), arch)
    losses: list[float] = []
    sgd_net(Ws, bs, arch, X[rows].tolist(), Y[rows].tolist(), 0.3, losses)
    hidden, out, loss = codes(arch)
    theta, got = p.flat().copy(), np.empty(len(rows))
    views = compiled.views(theta, arch.sizes)
    finite, total = compiled.sgd_net(*views, X, Y, rows, np.array([*hidden, 0], np.int64), out,
                                     loss, 0.3, got, 0.0)
    assert finite and got.tolist() == losses and theta.tolist() == join_flat(Ws, bs)


# -- what the user types --------------------------------------------------------------
def test_hidden_and_activation_lists_parse() -> None:
    assert parse_hidden("4,3") == (4, 3) and parse_hidden(" 2 ") == (2,)
    assert parse_names("tanh,relu", "--activation", HIDDEN) == ("tanh", "relu")
    assert Architecture(3, (4, 3), ("tanh",)).activations == ("tanh", "tanh")


@pytest.mark.parametrize(("text", "words"), [
    ("4,,3", "an empty layer size"), ("0", "between 1 and 1000"), ("4,-1", "between 1 and 64"),
    ("1e9", "not a whole number"), ("65,2", "between 1 and 64"), ("1,1,1,1,1", "1 to 4 hidden"),
    ("", "an empty layer size")])
def test_malformed_hidden_is_one_line(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words) as err:
        parse_hidden(text)
    assert "\n" not in str(err.value)


def test_an_unknown_activation_names_the_closest() -> None:
    with pytest.raises(ValueError, match="did you mean tanh"):
        parse_names("tahn", "--activation", HIDDEN)


@pytest.mark.parametrize(("output", "loss"), [("softmax", "half-mse"), ("identity", "bce"),
                                              ("sigmoid", "ce")])
def test_a_loss_that_does_not_fit_the_output_says_which_pairs_go(output: str, loss: str) -> None:
    with pytest.raises(ValueError, match="softmax output with ce"):
        Architecture(3, (2,), ("sigmoid",), output, loss, 3).validate()


@pytest.mark.parametrize("config", [TrainConfig(hidden=(8, 8), activation="tanh"),
                                    TrainConfig(hidden=5, activation="relu", loss="bce")],
                         ids=["8-8 tanh", "5 relu bce"])
def test_a_run_is_the_same_whichever_kernel_runs_it(config: TrainConfig,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The session path: epochs run by the plain-float or the compiled kernel, same bits,
    and a step back across them restores the same parameters."""
    pytest.importorskip("numba")
    runs = []
    for kernel in ("python", "numba"):
        monkeypatch.setenv("BACKPROP_TUI_KERNEL", kernel)
        session = build_session(DataOptions("lab"), config)
        session.run_epochs(5)
        assert session.timeline.kernels_used == {kernel}
        runs.append(session)
    plain, compiled = runs
    assert plain.params.equals(compiled.params)
    assert [r.train_loss_sum for r in plain.epoch_records] == \
        [r.train_loss_sum for r in compiled.epoch_records]
    for s in (compiled, plain):
        assert s.goto(317, s.net.index["L"])
    assert compiled.params.equals(plain.params) and compiled.values["L"] == plain.values["L"]
