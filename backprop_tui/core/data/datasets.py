"""Datasets the debugger can train on: the lab's synthetic data, bundled iris, or any CSV.

The lab data must come out bit-for-bit as the classroom notebook makes it, from
the same seeded stream that then provides the initial weights, so that a
student can check every number the debugger shows against their own run. CSV
parsing lives in :mod:`backprop_tui.core.data.csvload`; this module decides what the
rows mean (which columns, split, scaling) and what to warn about.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

from backprop_tui.core.data.csvload import load_table
from backprop_tui.core.data.errors import DataError
from backprop_tui.core.data.source import open_source
from backprop_tui.core.limits import Limits
from backprop_tui.core.network.arch import MAX_CLASSES

__all__ = ["DataError", "Dataset", "load_dataset", "effective_test_fraction", "LAB_N_SAMPLES",
           "IRIS_COLUMNS"]

LAB_N_SAMPLES = 200
LAB_W_TRUE = np.array([1.5, -2.0, 0.5])
LAB_B_TRUE = -0.1
IRIS_COLUMNS = ("sepal_length", "sepal_width", "petal_length", "petal_width", "class")
BUNDLED = ("iris", "iris-species")  # one offline copy: the measurements, or them -> species
CLASS_DATASETS = ("iris-species",)  # their target is a class label by default
DEFAULT_TEST_FRACTION = 0.2  # for everything but the lab, which trains on all 200 rows


@dataclass(frozen=True)
class Dataset:
    """Train/test arrays plus the names the UI shows next to the numbers."""

    name: str  # "lab", "iris", or the path/URL as given
    input_names: tuple[str, ...]
    target_name: str
    X_train: np.ndarray  # (m, n) float64
    y_train: np.ndarray  # (m,) float64
    X_test: np.ndarray  # (k, n) float64, k may be 0
    y_test: np.ndarray  # (k,)
    warnings: tuple[str, ...] = ()  # one-liners for the CLI/app
    # Class labels in sorted order when the target holds classes (its rows then one-hot).
    classes: tuple[str, ...] = ()

    @property
    def n_outputs(self) -> int:
        """Output units the data asks for: one per class, per target column, or one."""
        return int(self.y_train.shape[1]) if self.y_train.ndim == 2 else 1

    @property
    def n_inputs(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_train(self) -> int:
        return int(self.X_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.X_test.shape[0])


def _lab_data(rng: np.random.RandomState) -> tuple[np.ndarray, np.ndarray]:
    """The lab's X and y, drawn from ``rng`` exactly as the notebook does.

    The target uses the lab's own 1/(1+exp(-z)) rather than the overflow-safe
    :func:`network.sigmoid`: the two differ in the last bit for about a fifth of
    negative z, and the lab data must match the notebook exactly. Here |z| <= 4.1
    (|x| <= 1), so exp cannot overflow.
    """
    X = rng.uniform(-1, 1, size=(LAB_N_SAMPLES, 3))
    z = X @ LAB_W_TRUE + LAB_B_TRUE
    y = 1.0 / (1.0 + np.exp(-z))
    return X, y


def _tabular(
    source: str, inputs: str | None, target: str | None, limits: Limits, classes: bool
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str]:
    """X, y and column names of the bundled iris or of a CSV path/URL, within the limits
    (y: the target column's text when ``classes``)."""
    bounds = {"max_rows": limits.max_rows, "max_columns": limits.max_columns,
              "classes": classes}
    if source in BUNDLED:
        with resources.files("backprop_tui.core.data").joinpath("iris.data").open("rb") as lines:
            return load_table(lines, source, inputs, target, names=IRIS_COLUMNS, **bounds)
    with open_source(source, limits) as local, open(local.path, "rb") as lines:
        return load_table(lines, source, inputs, target,
                          fast_path=local.path if local.simple else None, **bounds)


def one_hot(source: str, labels: np.ndarray, target: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """(rows, classes) one-hot targets and the class names in sorted order (numerically when
    every label is a whole number: 2 before 10); DataError for one class or over 50."""
    names = sorted(set(labels.tolist()))
    if all(n.lstrip("+-").isdigit() for n in names):
        names.sort(key=int)
    if len(names) > MAX_CLASSES:
        raise DataError(f"{source}: column '{target}' has {len(names):,} distinct values, "
                        f"more than the {MAX_CLASSES} classes a softmax output takes: a "
                        "number to predict wants --loss half-mse, not ce")
    if len(names) < 2:
        raise DataError(f"{source}: column '{target}' holds one class only "
                        f"({names[0] if names else 'none'}): nothing to tell apart")
    index = {name: k for k, name in enumerate(names)}
    codes = np.fromiter((index[v] for v in labels.tolist()), dtype=np.int64, count=len(labels))
    return np.eye(len(names))[codes], tuple(names)


def effective_test_fraction(source: str, test_fraction: float | None) -> float:
    """The effective test fraction; anything outside [0, 1) is a user error, not a crash."""
    if test_fraction is None:
        return 0.0 if source == "lab" else DEFAULT_TEST_FRACTION
    try:
        fraction = float(test_fraction)
    except (TypeError, ValueError):
        raise DataError(f"test fraction must be in [0, 1), got {test_fraction!r}") from None
    if not (math.isfinite(fraction) and 0.0 <= fraction < 1.0):
        raise DataError(f"test fraction must be in [0, 1), got {test_fraction!r}")
    return fraction


def _split(
    source: str, X: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded shuffle-split; its own generator keeps the lab's RandomState stream untouched."""
    n = len(y)
    if fraction == 0.0:
        return X, y, X[:0], y[:0]
    order = np.random.default_rng([seed, 1]).permutation(n)
    n_test = max(1, round(fraction * n))
    if n_test >= n:
        raise DataError(
            f"{source}: too few rows: {n} rows with test fraction {fraction:g} "
            "leave no training row"
        )
    test, train = order[:n_test], order[n_test:]
    # take() rather than X[train]: the same rows, gathered ~4x faster for 1M-row files
    return (X.take(train, axis=0), y.take(train, axis=0), X.take(test, axis=0),
            y.take(test, axis=0))


def _minmax(train: np.ndarray, *others: np.ndarray, source: str,
            names: tuple[str, ...]) -> list[np.ndarray]:
    """Scale columns to [0, 1] by the TRAINING min/max (no test leakage); constants map to 0.

    A column from -1e308 to 1e308 has a spread (max - min) no float holds: numpy warned,
    the data became nan, and the run "diverged" advising the --normalize it was given.
    Such a column is a DataError naming it (``names``: the inputs', or the target's)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        lo, hi = train.min(axis=0), train.max(axis=0)
        span = hi - lo
        flat = span == 0
        safe = np.where(flat, 1.0, span)
        scaled = [np.where(flat, 0.0, (a - lo) / safe) for a in (train, *others)]
    ok = np.isfinite(np.atleast_1d(span))
    for a in scaled:
        ok &= np.atleast_1d(np.isfinite(a).all(axis=0))
    if ok.all():
        return scaled
    j = int(np.argmin(ok))
    low, high, spread = (float(np.atleast_1d(v)[j]) for v in (lo, hi, span))
    what = f"column '{names[j]}'" if train.ndim == 2 else f"target '{names[0]}'"
    why = ("a spread (max - min) too wide for a float" if not math.isfinite(spread)
           else "and its test rows lie too far outside that range to scale as floats")
    raise DataError(f"{source}: --normalize: {what} runs from {low:g} to {high:g} in the "
                    f"training rows, {why}; rescale it before loading (divide it by 1e10, "
                    "say)")


def _target_warning(y_train: np.ndarray, y_test: np.ndarray, normalize: bool) -> str | None:
    """A sigmoid output lives in (0, 1): say so when the targets do not, before training stalls."""
    y = np.concatenate([y_train, y_test])
    lo, hi = float(y.min()), float(y.max())
    if lo >= 0.0 and hi <= 1.0:
        return None
    hint = "the test targets fall outside the training range" if normalize else "try --normalize"
    return (
        f"targets range {lo:g} to {hi:g}, outside (0, 1): "
        f"a sigmoid output cannot reach them; {hint}"
    )


def load_dataset(
    source: str = "lab",
    *,
    inputs: str | None = None,
    target: str | None = None,
    test_fraction: float | None = None,
    normalize: bool = False,
    seed: int = 42,
    limits: Limits | None = None,
    classes: bool = False,
    sigmoid_output: bool = True,
) -> tuple[Dataset, np.random.RandomState]:
    """Returns the dataset and the RandomState from which the caller draws the initial parameters.

    For "lab" that RandomState is the one that drew the data, positioned after
    it, so init_params(rng, ...) continues the lab's single seeded stream; for
    anything else it is a fresh RandomState(seed). Every user mistake raises a
    DataError with a one-line message; ``limits`` bound what is read (defaults: Limits()).
    ``classes``: the target holds class labels (one-hot rows, ``Dataset.classes``);
    ``sigmoid_output``: warn of targets outside (0, 1), which a sigmoid cannot reach.
    """
    limits = Limits() if limits is None else limits
    try:
        limits.validate()
    except ValueError as err:
        raise DataError(str(err)) from None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not (0 <= seed < 2**32):
        raise DataError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    fraction = effective_test_fraction(source, test_fraction)
    rng = np.random.RandomState(seed)
    if source == "lab":
        if classes:
            raise DataError("lab: its target y is a number, not a class label: --loss ce "
                            "(softmax) needs classes, such as --dataset iris-species")
        if inputs is not None or target is not None:
            raise DataError(
                "lab: --inputs/--target select columns of tabular data "
                "(iris, a CSV file or URL); the lab data has fixed columns x1, x2, x3 -> y"
            )
        X, y = _lab_data(rng)
        input_names: tuple[str, ...] = ("x1", "x2", "x3")
        target_name = "y"
    else:
        X, y, input_names, target_name = _tabular(source, inputs, target, limits, classes)
    names: tuple[str, ...] = ()
    if classes:
        y, names = one_hot(source, y, target_name)
    X_train, y_train, X_test, y_test = _split(source, X, y, fraction, seed)
    if normalize:
        X_train, X_test = _minmax(X_train, X_test, source=source, names=input_names)
        if not classes:
            y_train, y_test = _minmax(y_train, y_test, source=source,
                                      names=tuple(target_name.split(",")))
    warning = _target_warning(y_train, y_test, normalize) if sigmoid_output and not classes \
        else None
    dataset = Dataset(
        name=source,
        input_names=input_names,
        target_name=target_name,
        X_train=np.ascontiguousarray(X_train, dtype=np.float64),
        y_train=np.ascontiguousarray(y_train, dtype=np.float64),
        X_test=np.ascontiguousarray(X_test, dtype=np.float64),
        y_test=np.ascontiguousarray(y_test, dtype=np.float64),
        warnings=(warning,) if warning else (),
        classes=names,
    )
    return dataset, rng
