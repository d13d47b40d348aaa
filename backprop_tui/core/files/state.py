"""What a saved session holds, as plain records: the session file's vocabulary.

Both the writer and reader of session files (:mod:`.savefile`) and their checks
(:mod:`.savecheck`) speak it, so neither imports the other for it. The records
are named ``Saved...``: the run's own ``Edit``, ``Breakpoint`` and ``Place`` carry
more (values, compiled conditions, the network) than a file keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import __version__
from ..limits import Limits
from ..run.config import TrainConfig
from ..run.training import DataOptions

MAX_TEXT = 1000  # characters of one edit, breakpoint or watch
MAX_UPDATE = 10**9  # a cursor further than any class runs; reaching it replays the run


class SaveFileError(ValueError):
    """A session file that cannot be saved, read or resumed; ``str`` is one line."""


@dataclass(frozen=True)
class DatasetRef:
    """How the dataset was chosen (what ``--dataset`` and its options said) and its hash."""

    source: str  # "lab", "iris", "iris-species", an absolute file path or an http(s) URL
    inputs: str | None = None
    target: str | None = None
    test_fraction: float | None = None
    normalize: bool = False
    sha256: str = ""


@dataclass(frozen=True)
class SavedEdit:
    """An edit as a file keeps it: where and what was typed (the run redoes it)."""

    update: int
    text: str  # as typed: "W1[0,1] = 0.5", "lr = 0.1"


@dataclass(frozen=True)
class SavedBreakpoint:
    """A breakpoint as a file keeps it: its condition's text and whether it is on."""

    text: str
    enabled: bool = True


@dataclass(frozen=True)
class SavedPlace:
    """The cursor as a file keeps it."""

    update: int = 0
    phase: int = 0  # index into the session's phases (session.net.phases)


@dataclass(frozen=True)
class SessionState:
    """Everything a saved session holds."""

    config: TrainConfig
    dataset: DatasetRef
    edits: tuple[SavedEdit, ...] = ()
    breakpoints: tuple[SavedBreakpoint, ...] = ()
    watches: tuple[str, ...] = ()
    cursor: SavedPlace = field(default_factory=SavedPlace)
    program_version: str = __version__

    def data_options(self, limits: Limits | None = None) -> DataOptions:
        d = self.dataset
        return DataOptions(d.source, d.inputs, d.target, d.test_fraction, d.normalize,
                           limits or Limits())


