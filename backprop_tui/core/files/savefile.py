"""A saved session: a small versioned JSON document, and rebuilding the session from it.

A session is determined by its options, so the file holds no numbers of the run:
the training config, how the dataset was chosen (with a SHA-256 of the arrays the
run trained on), the edits in the order they were made, the breakpoints, the
watches and the cursor. :func:`restore` rebuilds the dataset and the run from
those, checks the hash (a CSV edited since, another seed's split, a URL that
serves other rows: "the data changed since it was saved"), replays the edits and
goes to the cursor: the same bits as when it was saved, as every step is
deterministic. Writing is atomic and never replaces a file unless asked.

The hash covers the training and test arrays (shapes, then float64 little-endian
bytes) rather than the file: the lab and Iris have no file of their own, and the
split and scaling are part of what must not change.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ... import __version__
from ..data.datasets import BUNDLED, DataError, Dataset
from ..data.errors import ContentError
from ..data.source import is_url
from ..limits import Limits
from ..run.session import Session, TrainConfig
from ..run.training import DataOptions, build_session
from .atomic import read_regular, write_atomic
from .savecheck import state_from_json
from .state import (
    MAX_TEXT,
    MAX_UPDATE,
    DatasetRef,
    SavedBreakpoint,
    SavedEdit,
    SavedPlace,
    SaveFileError,
    SessionState,
)

__all__ = ["FORMAT", "FORMAT_VERSION", "MAX_BYTES", "MAX_TEXT", "MAX_UPDATE", "DatasetRef",
           "SaveFileError", "SavedBreakpoint", "SavedEdit", "SavedPlace", "SessionState",
           "data_sha256", "load", "restore", "save", "state_of"]

FORMAT = "backprop-tui session"
FORMAT_VERSION = 1
MAX_BYTES = 16 * 1024 * 1024  # thousands of edits fit in far less
def data_sha256(dataset: Dataset) -> str:
    """SHA-256 of the arrays trained and tested on: shapes, then float64 LE bytes."""
    h = hashlib.sha256(b"backprop-tui data 1\n")
    for a in (dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test):
        h.update(repr(a.shape).encode())
        h.update(np.ascontiguousarray(a, dtype="<f8").tobytes())
    return h.hexdigest()


def state_of(session: Session, data: DataOptions, *, edits: tuple[SavedEdit, ...] = (),
             breakpoints: tuple[SavedBreakpoint, ...] = (), watches: tuple[str, ...] = ()
             ) -> SessionState:
    """The state to save for ``session``, opened with ``data`` (as the command line did)."""
    source = data.source
    if source != "lab" and source not in BUNDLED and not is_url(source):
        source = os.path.abspath(os.path.expanduser(source))  # resumable from elsewhere
    ref = DatasetRef(source, data.inputs, data.target, data.test_fraction, data.normalize,
                     data_sha256(session.dataset))
    c = session.cursor
    return SessionState(session.config, ref, tuple(edits), tuple(breakpoints), tuple(watches),
                        SavedPlace(c.update, c.phase))


def config_json(config: TrainConfig) -> dict[str, Any]:
    """The options as JSON: ``hidden`` a number for one layer, a list for several."""
    doc = asdict(config)
    doc["hidden"] = config.hidden if isinstance(config.hidden, int) else list(config.layers)
    return doc


def to_json(state: SessionState) -> dict[str, Any]:
    return {"format": FORMAT, "format_version": FORMAT_VERSION,
            "program_version": state.program_version, "config": config_json(state.config),
            "dataset": asdict(state.dataset), "edits": [asdict(e) for e in state.edits],
            "breakpoints": [asdict(b) for b in state.breakpoints],
            "watches": list(state.watches), "cursor": asdict(state.cursor)}


def save(path: Path | str, state: SessionState, overwrite: bool = False) -> Path:
    """Write ``state`` to ``path`` atomically; refuse an existing file unless ``overwrite``.
    Raises :class:`~.atomic.WriteError` (one line). A path typed in the app must first go
    through :func:`backprop_tui.paths.inside`."""
    text = json.dumps(to_json(state), indent=2, allow_nan=False) + "\n"
    return write_atomic(path, lambda out: out.write(text), overwrite=overwrite)


def _read(path: Path) -> str:
    data = read_regular(path, MAX_BYTES, SaveFileError, "a saved session (.json)")
    if len(data) > MAX_BYTES:
        raise SaveFileError(f"{path}: larger than a session file's {MAX_BYTES // 2**20} MiB "
                            "limit")
    try:
        return data.decode("utf-8-sig")  # a BOM, as some Windows editors write, is no error
    except UnicodeDecodeError:
        raise SaveFileError(f"{path}: not a session file (not UTF-8 text)") from None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"non-finite number {name}")


def load(path: Path | str) -> SessionState:
    """Read and check a session file; every problem is a SaveFileError of one line that
    names the file (the dataset's hash is checked by :func:`restore`)."""
    path = Path(path)
    text = _read(path)
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise SaveFileError(f"{path}: not a session file: invalid JSON at line {err.lineno}, "
                            f"column {err.colno} (truncated?)") from None
    except RecursionError:
        raise SaveFileError(f"{path}: not a session file: nested too deeply") from None
    except ValueError as err:
        raise SaveFileError(f"{path}: not a session file: {err}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SaveFileError(f"{path}: not a backprop-tui session file (no \"format\": "
                            f"\"{FORMAT}\")")
    version = doc.get("format_version")
    if version != FORMAT_VERSION:
        raise SaveFileError(f"{path}: saved in format version {version!r} (by backprop-tui "
                            f"{doc.get('program_version', '?')}); this version "
                            f"({__version__}) reads format {FORMAT_VERSION}")

    return state_from_json(doc, str(path))


def restore(state: SessionState, limits: Limits | None = None,
            progress: Callable[[int, int], None] | None = None, *, to_cursor: bool = True
            ) -> tuple[Session, SessionState]:
    """Rebuild the session of ``state``: the dataset (its hash must match), the edits in
    order (``goto(update)`` then ``Session.edit(text)``), then the cursor (unless not
    ``to_cursor``: ``trace --load`` goes where its range says, not to the saved place).

    A place far into a run means computing the run up to it, by the kernel that gets
    there first (numba), within the app's go-to bound (:data:`~.places.MAX_AHEAD`
    updates, some seconds): a file further in is refused before any work rather than
    computed for minutes. ``progress(done, total)`` is told how far it is (the command
    line shows it before the app starts)."""
    from ..debugger.places import MAX_AHEAD

    c = state.cursor
    total = max([c.update if to_cursor else 0, *(e.update for e in state.edits)])
    if total > MAX_AHEAD:
        what = (f"the saved place (update {c.update:,})" if total == c.update and to_cursor
                else f"an edit (at update {total:,})")
        raise SaveFileError(f"{what} lies more than {MAX_AHEAD:,} updates into the run, the "
                            f"most a resume (like the app's go-to) computes to get there")
    try:
        session = build_session(state.data_options(limits), state.config)
    except ContentError:  # the file's words are not shown: the path came from the file
        raise SaveFileError(f"cannot rebuild the saved dataset: {state.dataset.source} cannot "
                            "be read as the saved CSV data (what it holds is not shown here; "
                            "backprop-tui train --dataset FILE says why)") from None
    except (DataError, ValueError) as err:
        raise SaveFileError(f"cannot rebuild the saved dataset: {err}") from None
    if data_sha256(session.dataset) != state.dataset.sha256:
        raise SaveFileError(f"the data changed since it was saved (dataset "
                            f"{state.dataset.source}: its rows, split or scaling differ)")
    for before, after in zip(state.edits, state.edits[1:], strict=False):
        if after.update < before.update:  # an edit discards the later ones: none can follow
            raise SaveFileError(f"the edits are out of order ({after.text!r} at update "
                                f"{after.update} follows {before.text!r} at {before.update})")

    def reach(update: int) -> None:
        session.timeline.advance(update, None if progress is None else
                                 (lambda head: progress(min(head, total), total)))

    for i, e in enumerate(state.edits, 1):
        reach(e.update)
        if not session.goto(e.update):
            raise SaveFileError(f"edit {i} ({e.text!r}) is at update {e.update}, which the run "
                                "cannot reach (it diverged before)")
        try:
            session.edit(e.text)
        except ValueError as err:
            raise SaveFileError(f"edit {i} ({e.text!r}): {err}") from None
    if not to_cursor:
        return session, state
    if not 0 <= c.phase < len(session.net.phases):  # the network's own phases bound it
        raise SaveFileError(f"the cursor's phase {c.phase} is not one of this network's "
                            f"0..{len(session.net.phases) - 1}")
    reach(c.update)
    if not session.goto(c.update, c.phase):
        d = session.divergence
        key = session.net.phases[c.phase].key
        raise SaveFileError(f"the cursor (update {c.update}, phase {key}) lies "
                            f"beyond the run's end (it diverges at update "
                            f"{d.update if d else '?'})")
    return session, state
