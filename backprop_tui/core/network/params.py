"""The lab's network: 3 inputs -> H sigmoid hidden units -> 1 sigmoid output.

Names follow the lab (W1, b1, W2, b2). The per-phase equations of one training
step live in :mod:`backprop_tui.core.network.phases`; this module holds the activation,
the parameter container and its initialisation, which everything else shares.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """1 / (1 + exp(-z)), computed without overflow for any finite z.

    exp is only ever taken of -|z| <= 0, so it cannot overflow; for z < 0 the
    algebraically equal form exp(z) / (1 + exp(z)) is used.
    """
    z = np.asarray(z, dtype=float)
    # exp(-|z|) underflows to 0 for |z| > ~745: the right answer, not an error, even
    # for a caller running under np.errstate(all="raise").
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z: np.ndarray | float) -> np.ndarray:
    """d sigmoid / dz = sigmoid(z) (1 - sigmoid(z)): the local derivative used by backprop."""
    return sigmoid_slope(sigmoid(z))


def sigmoid_slope(a: np.ndarray | float) -> np.ndarray:
    """sigma'(z) from the activation a = sigma(z): a (1 - a), as the lab's screen writes it
    (bit for bit what sigmoid_prime(z) gives, since a is the same sigmoid(z))."""
    a = np.asarray(a, dtype=float)
    return a * (1.0 - a)


def half_squared_error(y_hat: np.ndarray, y: np.ndarray | float) -> float:
    """Per-sample loss L = 1/2 (y_hat - y)^2 (the output is a single unit)."""
    r = float(np.asarray(y_hat).reshape(-1)[0]) - float(y)
    return 0.5 * r * r


PARAM_NAMES: tuple[str, ...] = ("W1", "b1", "W2", "b2")
"""The lab's parameters; a deeper network adds W3, b3, ... (:attr:`Params.names`)."""


def layer_names(depth: int) -> tuple[str, ...]:
    """W1, b1, ..., WL, bL: the parameters of a network with ``depth`` weight layers."""
    return tuple(n for layer in range(1, depth + 1) for n in (f"W{layer}", f"b{layer}"))


class Params:
    """The parameter arrays, shaped as in the lab: W_l (units_l, units_(l-1)), b_l (units_l,).

    The lab's network has W1 (H, n), b1 (H,), W2 (1, H), b2 (1,); a deeper one goes
    on with W3, b3, ... Built as ``Params(W1, b1, W2, b2, ...)`` or with the names
    as keywords; read as ``params.W3`` or ``params.as_dict()``. Immutable: every
    change makes a new one, so a value the timeline handed out never moves.
    """

    __slots__ = ("_arrays",)

    def __init__(self, *arrays: np.ndarray, **named: np.ndarray) -> None:
        if arrays and named:
            raise TypeError("Params takes the arrays either in order or by name, not both")
        if named:
            names = layer_names(len(named) // 2)
            if set(named) != set(names):
                raise TypeError(f"Params needs {', '.join(names)}, got {', '.join(named)}")
            arrays = tuple(named[n] for n in names)
        if len(arrays) < 4 or len(arrays) % 2:
            raise TypeError("Params needs W1, b1, W2, b2 (and W3, b3, ... for more layers)")
        object.__setattr__(self, "_arrays", dict(zip(layer_names(len(arrays) // 2), arrays,
                                                     strict=True)))

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._arrays[name]
        except KeyError:
            raise AttributeError(f"these parameters have no {name}") from None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Params cannot be changed; make a new one")

    def __reduce__(self) -> tuple[type, tuple[np.ndarray, ...]]:
        return (Params, tuple(self._arrays.values()))  # copy and deepcopy, past __setattr__

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}{tuple(v.shape)}" for k, v in self._arrays.items())
        return f"Params({shapes})"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._arrays)

    @property
    def depth(self) -> int:
        """L, the number of weight layers: 2 for the lab."""
        return len(self._arrays) // 2

    @property
    def sizes(self) -> tuple[int, ...]:
        """Units per layer, inputs first: (3, 2, 1) for the lab."""
        ws = [self._arrays[f"W{layer}"] for layer in range(1, self.depth + 1)]
        return (int(ws[0].shape[1]), *(int(w.shape[0]) for w in ws))

    @property
    def n_inputs(self) -> int:
        return int(self._arrays["W1"].shape[1])

    @property
    def n_hidden(self) -> int:
        """Units of the first hidden layer (the lab's H)."""
        return int(self._arrays["W1"].shape[0])

    def as_dict(self) -> dict[str, np.ndarray]:
        return dict(self._arrays)

    def flat(self) -> np.ndarray:
        """All parameters in one float64 vector (W1, b1, W2, b2, ... in that order)."""
        return np.concatenate([a.ravel() for a in self._arrays.values()])

    @classmethod
    def from_flat(cls, flat: np.ndarray, n_inputs: int, n_hidden: int) -> Params:
        """The lab's layout: W1 (n_hidden, n_inputs), b1, W2 (1, n_hidden), b2."""
        return cls.from_sizes(flat, (n_inputs, n_hidden, 1))

    @classmethod
    def from_sizes(cls, flat: np.ndarray, sizes: tuple[int, ...]) -> Params:
        """From the flat layout of :meth:`flat` for units ``sizes`` per layer, inputs first."""
        flat = np.asarray(flat, dtype=float)
        parts: list[np.ndarray] = []
        start = 0
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            parts.append(flat[start: start + n_in * n_out].reshape(n_out, n_in).copy())
            start += n_in * n_out
            parts.append(flat[start: start + n_out].copy())
            start += n_out
        return cls(*parts)

    def is_finite(self) -> bool:
        return all(bool(np.all(np.isfinite(a))) for a in self._arrays.values())

    def equals(self, other: Params) -> bool:
        """Bit-for-bit equality, the standard time travel is held to."""
        return self.names == other.names and all(
            np.array_equal(a, b) for a, b in zip(self._arrays.values(),
                                                 other._arrays.values(), strict=True))


def param_shapes(n_inputs: int, n_hidden: int) -> dict[str, tuple[int, ...]]:
    return {"W1": (n_hidden, n_inputs), "b1": (n_hidden,), "W2": (1, n_hidden), "b2": (1,)}


def init_params(
    rng: np.random.RandomState, n_inputs: int, n_hidden: int | tuple[int, ...] = 2,
    init_scale: float = 0.1, n_outputs: int = 1,
) -> Params:
    """Small random weights and zero biases, drawn W1, W2, ... in order from ``rng`` as the
    lab draws W1 then W2 (so the lab's network gets the lab's numbers)."""
    hidden = (n_hidden,) if isinstance(n_hidden, int) else tuple(n_hidden)
    sizes = (n_inputs, *hidden, n_outputs)
    arrays: list[np.ndarray] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        arrays += [init_scale * rng.randn(n_out, n_in), np.zeros(n_out)]
    return Params(*arrays)


CHUNK_ROWS = 65536
"""Rows predicted at a time: a million-row dataset's temporaries stay a few MB, not 100."""


def predict(params: Params, X: np.ndarray) -> np.ndarray:
    """y_hat for every row of X (used for dataset-wide losses, not for stepping).

    Row by row the same numbers whatever the chunking: each row's z is its own
    small product, so the lab's 200 rows (one chunk) give exactly what they gave.
    """
    out = np.empty(len(X))
    for start in range(0, len(X), CHUNK_ROWS):
        part = X[start: start + CHUNK_ROWS]
        a1 = sigmoid(part @ params.W1.T + params.b1)
        out[start: start + len(part)] = sigmoid(a1 @ params.W2.T + params.b2)[:, 0]
    return out


def mean_loss(params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """1/2 mean (y_hat - y)^2 over the rows: the lab's dataset loss (Task 1, test loss)."""
    if len(y) == 0:
        return float("nan")
    with np.errstate(all="ignore"):
        r = predict(params, X) - y
        return float(0.5 * np.mean(r * r))
