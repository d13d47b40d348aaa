"""Building a session from user options, and the headless training report.

Both front ends (the app and ``backprop-tui train``) and the checker start here,
so a run with the same options is the same run everywhere.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from ..data.datasets import CLASS_DATASETS, Dataset, effective_test_fraction, load_dataset
from ..limits import Limits, format_bytes, run_memory_bytes
from ..network.params import init_params
from ..network.sanity import settings_warnings
from .session import RunResult, Session, TrainConfig
from .timeline import EpochRecord


@dataclass(frozen=True)
class DataOptions:
    """Where the rows come from and how they are prepared."""

    source: str = "lab"
    inputs: str | None = None
    target: str | None = None
    test_fraction: float | None = None
    normalize: bool = False
    limits: Limits = field(default_factory=Limits)  # what may be read, and the run's memory


def check_memory(dataset: Dataset, config: TrainConfig, limits: Limits) -> None:
    """Refuse, before allocating, a run whose history would not fit in the memory limit."""
    need = run_memory_bytes(dataset.n_train + dataset.n_test, dataset.n_inputs, config.layers,
                            n_outputs=dataset.n_outputs)
    if need > limits.memory_bytes:
        source = ("--max-memory" if limits.max_memory_mb is not None
                  else "half the memory available; raise it with --max-memory MB")
        raise ValueError(
            f"this run may need about {format_bytes(need)} ({dataset.n_train + dataset.n_test:,} "
            f"rows, {dataset.n_inputs} inputs, hidden {config.hidden_text}), more than the "
            f"{format_bytes(limits.memory_bytes)} limit ({source})")


def build_session(data: DataOptions, config: TrainConfig) -> Session:
    """Load the data, draw the initial parameters from the seeded stream, open a session.

    Raises DataError for bad data and ValueError for bad settings, each one line;
    settings that make training meaningless (saturated sigmoids) become one-line
    warnings in ``session.dataset.warnings``, beside the data's own.
    """
    config.validate()
    classes = config.wants_classes(data.source in CLASS_DATASETS)
    dataset, rng = load_dataset(
        data.source,
        inputs=data.inputs,
        target=data.target,
        test_fraction=data.test_fraction,
        normalize=data.normalize,
        seed=config.seed,
        limits=data.limits,
        classes=classes,
        sigmoid_output=config.head(classes)[0] == "sigmoid",
    )
    arch = config.architecture(dataset.n_inputs, dataset.n_outputs, bool(dataset.classes))
    check_memory(dataset, config, data.limits)
    with np.errstate(all="ignore"):  # an overflowing --init-scale is said in words below
        params0 = init_params(rng, dataset.n_inputs, arch.hidden, config.init_scale,
                              arch.n_outputs)
    session = Session(dataset, params0, config, arch)
    extra = settings_warnings(params0, dataset.X_train, dataset.y_train,
                              session.timeline.row(0), config.lr, config.init_scale,
                              arch.is_lab)
    if extra:
        session.dataset = replace(dataset, warnings=dataset.warnings + extra)
    return session


def train(session: Session, epochs: int) -> RunResult:
    """Run ``epochs`` full epochs from the start, as ``backprop-tui train`` does."""
    session.reset()
    return session.run_epochs(epochs)


def describe_dataset(dataset: Dataset) -> dict[str, object]:
    return {
        "name": dataset.name,
        "inputs": list(dataset.input_names),
        "target": dataset.target_name,
        "n_train": dataset.n_train,
        "n_test": dataset.n_test,
    }


def json_safe(value: object) -> object:
    """Non-finite floats become null: strict JSON (jq, browsers) has no NaN or Infinity."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def report(session: Session, data: DataOptions, result: RunResult,
           records: list[EpochRecord] | None = None) -> object:
    """The JSON document of a headless run: config, losses per epoch, final parameters.

    ``records``: every epoch, as collected by ``timeline.on_epoch`` during the run;
    by default the session's (all of them unless the run passed ~8k epochs).
    """
    config = {**asdict(session.config), **asdict(data),
              "test_fraction": effective_test_fraction(data.source, data.test_fraction),
              "dataset": describe_dataset(session.dataset)}
    config.pop("source")
    # Which kernel ran the epochs ("python", "numba"; "none" for 0 epochs): both give the
    # same bits, so this says how fast, never what.
    config["kernel"] = "+".join(sorted(session.timeline.kernels_used)) or "none"
    config["hidden"] = list(session.config.layers) if len(session.config.layers) > 1 \
        else session.config.hidden
    config["architecture"] = session.arch.as_json()
    return json_safe({
        "config": config,
        "initial_train_loss": session.initial_train_loss,
        "epochs": [
            {
                "epoch": r.epoch,
                "train_loss_sum": r.train_loss_sum,
                "train_loss": r.train_loss,
                "test_loss": r.test_loss,
            }
            for r in (session.epoch_records if records is None else records)
        ],
        "params": {name: value.tolist() for name, value in session.params.as_dict().items()},
        "diverged": None if result.divergence is None else result.divergence.message,
    })
