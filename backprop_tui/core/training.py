"""Building a session from user options, and the headless training report.

Both front ends (the app and ``backprop-tui train``) and the checker start here,
so a run with the same options is the same run everywhere.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .data import Dataset, effective_test_fraction, load_dataset
from .network import init_params
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


def build_session(data: DataOptions, config: TrainConfig) -> Session:
    """Load the data, draw the initial parameters from the seeded stream, open a session.

    Raises DataError for bad data and ValueError for bad settings, each one line.
    """
    config.validate()
    dataset, rng = load_dataset(
        data.source,
        inputs=data.inputs,
        target=data.target,
        test_fraction=data.test_fraction,
        normalize=data.normalize,
        seed=config.seed,
    )
    params0 = init_params(rng, dataset.n_inputs, config.hidden, config.init_scale)
    return Session(dataset, params0, config)


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
