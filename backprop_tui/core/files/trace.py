"""Every number of every phase, update by update, for comparing with one's own prints.

``backprop-tui trace`` walks a range of updates and writes, for each, what the app
shows at its update phase: the sample, the parameters before the update, every
quantity the phases compute and the parameters after it. The numbers are read
from the :class:`~backprop_tui.core.run.session.Session` (the very values the app
draws), not recomputed here. Floats are written with ``repr``, so reading them
back gives the same bits. :func:`export_sample` writes the current sample alone,
as JSON, for the app's ctrl+e.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import numpy as np

from ..debugger.places import MAX_AHEAD
from ..network.netphases import Net
from ..network.phases import lab_net
from ..run.session import Session
from .atomic import write_atomic

__all__ = ["FORMATS", "HEAD", "TRACE_LIMIT", "TraceError", "export_sample",
           "quantity_names", "sample_file_name", "trace_records", "update_range",
           "write_csv", "write_jsonl"]

TRACE_LIMIT = 1_000_000  # updates per trace: ~1.3 GB of JSON and ~4 minutes on the lab
FORMATS = ("jsonl", "csv")
HEAD = ("epoch", "sample", "row", "update", "lr")
PLACE = re.compile(r"^\s*(\d{1,12})\s*:\s*(\d{1,12})\s*$")
SAMPLE_FORMAT = "backprop-tui sample"


class TraceError(ValueError):
    """A range or an option a trace cannot use; ``str`` is one line."""


def quantity_names(net: Net | None = None) -> list[str]:
    """Every quantity of a step of ``net`` (the lab's when not given), in the order the
    phases compute them: x and y, the parameters they read (W1, b1, ..., WL, bL), then
    what each later phase produces."""
    net = net or lab_net()
    return ["x", "y", *net.arch.param_names, *(n for p in net.phases[1:] for n in p.produces)]


def _place(text: str, option: str, n: int, epochs: int) -> int:
    """``E:S`` in the app's counting (epoch from 0, sample 1..n) as an update index."""
    match = PLACE.match(text)
    if not match:
        raise TraceError(f"{option} {text!r}: expected EPOCH:SAMPLE, e.g. 0:1 (epochs count "
                         "from 0, samples from 1)")
    epoch, sample = int(match.group(1)), int(match.group(2))
    if not 1 <= sample <= n:
        raise TraceError(f"{option} {text}: sample {sample} is not in 1..{n} (samples count "
                         "from 1 in each epoch)")
    if epoch >= epochs:
        raise TraceError(f"{option} {text}: epoch {epoch} is beyond the run of --epochs "
                         f"{epochs} (epochs 0..{epochs - 1})")
    return epoch * n + sample - 1


def update_range(start: str | None, stop: str | None, n: int, epochs: int,
                 limit: int = TRACE_LIMIT) -> range:
    """The updates from ``start`` to ``stop`` inclusive (defaults: the first sample; the
    end of ``start``'s epoch), checked against the run's epochs and the limit.

    The run up to ``start`` is computed first, so it is bounded as the app's go-to is
    (:data:`~.places.MAX_AHEAD` updates, ~10 s compiled on the lab): a typo of a few
    extra digits is one line at once, not hours of silent work."""
    if epochs < 1:
        raise TraceError("--epochs 0: there is no update to trace")
    first = _place(start, "--from", n, epochs) if start is not None else 0
    if first > MAX_AHEAD:
        raise TraceError(f"--from {start}: update {first:,} lies more than {MAX_AHEAD:,} "
                         f"updates into the run, the most a trace (like the app's go-to) "
                         f"computes to get there (--from {MAX_AHEAD // n}:1 or earlier)")
    last = (_place(stop, "--to", n, epochs) if stop is not None
            else (first // n + 1) * n - 1)
    if last < first:
        raise TraceError(f"--to {stop} comes before --from {start or '0:1'}")
    count = last - first + 1
    if count > limit:
        raise TraceError(f"the range holds {count:,} updates, more than the limit of "
                         f"{limit:,} (narrow --from/--to, or raise --max-updates up to "
                         f"{TRACE_LIMIT:,})")
    return range(first, last + 1)


def trace_records(session: Session, updates: Iterable[int]) -> Iterator[dict[str, object]]:
    """One record per update: where it is, then every quantity as the session has it at the
    update phase. Stops after an update whose step diverged (the run ends there)."""
    names = quantity_names(session.net)
    for u in updates:
        if not session.goto(u, session.net.update_phase):
            return
        values = session.values
        c = session.cursor
        yield {"epoch": c.epoch, "sample": c.position + 1, "row": session.row, "update": u,
               "lr": float(values["lr"]), **{name: values[name] for name in names}}


def _plain(value: object) -> object:
    """Nested lists of Python floats (strict JSON: a non-finite number becomes null)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def write_jsonl(records: Iterable[dict[str, object]], out: IO[str]) -> int:
    """One JSON object per line (arrays as nested lists); returns the number written."""
    count = 0
    for record in records:
        out.write(json.dumps(_plain(record), allow_nan=False, separators=(",", ":")))
        out.write("\n")
        count += 1
    return count


def _net(network: Net | int, n_hidden: int) -> Net:
    """The network meant: a session's ``session.net``, or the lab's of (n_inputs, H)."""
    return network if isinstance(network, Net) else lab_net(network, n_hidden)


def csv_columns(network: Net | int, n_hidden: int = 0
                ) -> list[tuple[str, str, tuple[int, ...]]]:
    """(header, quantity, index) of every column: one per array element, ``W1[0,1]``.

    ``network`` is the session's net (any architecture: W3, y[1], ...), or for the
    lab's the number of inputs with ``n_hidden``."""
    net = _net(network, n_hidden)
    shapes = net.shapes()
    columns = [(name, name, ()) for name in HEAD]
    for name in quantity_names(net):
        for index in np.ndindex(*shapes[name]):
            label = f"{name}[{','.join(map(str, index))}]" if index else name
            columns.append((label, name, index))
    return columns


def write_csv(records: Iterable[dict[str, object]], out: IO[str], network: Net | int,
              n_hidden: int = 0) -> int:
    """A header row, then one row per update; floats as ``repr`` (nan, inf as Python
    writes them). Returns the number of rows written. ``network``: as :func:`csv_columns`."""
    columns = csv_columns(network, n_hidden)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(label for label, _, _ in columns)
    count = 0
    for record in records:
        row = []
        for _, name, index in columns:
            value = record[name]
            value = np.asarray(value)[index] if index else value
            row.append(repr(float(value)) if isinstance(value, (float, np.floating, np.ndarray))
                       else str(value))
        writer.writerow(row)
        count += 1
    return count


def sample_file_name(session: Session) -> str:
    """A name that says where the export was taken: ``sample-e0-s1-dW2.json``."""
    c = session.cursor
    return f"sample-e{c.epoch}-s{c.position + 1}-{session.phase.key}.json"


def export_sample(session: Session, path: Path | str, *, overwrite: bool = False) -> Path:
    """The current sample's numbers (every phase computed so far) as one JSON document,
    written atomically; an existing file is refused unless ``overwrite``.

    ``path`` is used as given: a path typed in the app must first go through
    :func:`backprop_tui.paths.inside`. Raises :class:`~.atomic.WriteError` (one line).
    """
    c = session.cursor
    values = session.values
    head = {"format": SAMPLE_FORMAT, "format_version": 1, "dataset": session.dataset.name,
            "epoch": c.epoch, "sample": c.position + 1, "row": session.row,
            "update": c.update, "phase": session.phase.key, "lr": float(values["lr"])}
    numbers = {name: values[name] for name in quantity_names(session.net) if name in values}

    def write(out: IO[str]) -> None:
        out.write("{\n")
        for key, value in head.items():
            out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
        out.write('  "values": {\n')
        lines = [f"    {json.dumps(k)}: {json.dumps(_plain(v), allow_nan=False)}"
                 for k, v in numbers.items()]
        out.write(",\n".join(lines) + "\n  }\n}\n")

    return write_atomic(path, write, overwrite=overwrite)
