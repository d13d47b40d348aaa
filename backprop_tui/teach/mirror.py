"""A follower's own session, made to match a teacher's state, bit for bit.

A state names the options, the data (with its hash), the edits and the place; the
session is rebuilt from those, as :func:`~..core.savefile.restore` rebuilds a saved
one, and every step is deterministic, so the follower's numbers are the teacher's.
Rebuilding on every key would redo the run each time, so a :class:`Mirror` keeps
its session and moves it: the same options and data with more edits appends them,
a new place is a ``goto``; only different options, data or edits start afresh.

The data must be the teacher's: the lab and Iris are built in, a URL is fetched
from the URL, and a CSV file is read where the teacher has it when this machine
has the very same file, else downloaded from the teacher (``GET /data``) within
the usual limits (size, time) into a folder of the mirror's own, removed by
:meth:`Mirror.close`. In every case the arrays' hash must be the one the teacher
announced; anything else is refused in one line (:class:`RebuildError`). A refused
new run leaves the mirror's session as it was; a refused move of it (an edit that
fails) may leave it half moved, and the next state then starts afresh.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from dataclasses import replace

from ..core.data.datasets import DataError
from ..core.data.errors import ContentError
from ..core.data.source import open_source
from ..core.debugger.places import MAX_AHEAD
from ..core.files.savefile import SessionState, data_sha256
from ..core.limits import Limits
from ..core.run.session import Session
from ..core.run.training import build_session
from .state import data_file

__all__ = ["Mirror", "RebuildError"]


class RebuildError(ValueError):
    """A state this machine cannot turn into the teacher's session; one line."""


class Mirror:
    """Keeps one session in step with the states it is given (see :meth:`apply`)."""

    def __init__(self, data_url: str | None = None, limits: Limits | None = None, *,
                 use_local: bool = True) -> None:
        self.data_url = data_url  # the teacher's GET /data, with the join code
        self.limits = limits or Limits()
        self.use_local = use_local
        self.session: Session | None = None
        self._state: SessionState | None = None  # the options and data of self.session
        self._folder: str | None = None

    def apply(self, state: SessionState) -> Session:
        """The session of ``state``: the mirror's own one moved there when it can be, a
        new one otherwise. RebuildError (one line) when it cannot be made; the mirror's
        session is then unchanged."""
        old, session = self._state, self.session
        if session is None or old is None or (old.config, old.dataset) != (
                state.config, state.dataset):
            session = replay(self._build(state), state)  # self.session untouched on failure
        else:
            try:
                session = replay(session, state)
            except RebuildError:
                self._state = None  # it may be half moved: the next state starts afresh
                raise
        self.session, self._state = session, state
        return session

    def close(self) -> None:
        """Remove the downloaded data (the session keeps its arrays in memory)."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    # -- building ----------------------------------------------------------------
    def _build(self, state: SessionState) -> Session:
        ref = state.dataset
        local = data_file(ref.source)
        if local is None:  # built in, or a URL: this machine makes the same arrays
            return self._built(state, state)
        if self.use_local and _regular(local):
            try:
                return self._built(state, state)
            except RebuildError:
                if self.data_url is None:
                    raise
        if self.data_url is None:
            raise RebuildError(f"the teacher's data file ({os.path.basename(local)}) is not on "
                               "this machine, and there is no teacher to download it from")
        copy = self._download(ref.sha256)
        return self._built(replace(state, dataset=replace(ref, source=copy)), state,
                           downloaded=True)

    def _built(self, state: SessionState, announced: SessionState, *,
               downloaded: bool = False) -> Session:
        try:
            session = build_session(state.data_options(self.limits), state.config)
        except ContentError:  # its words would quote a file the teacher named: not shown
            raise RebuildError(f"the teacher's dataset ({_name(announced)}) cannot be read "
                               "as CSV data here") from None
        except (DataError, ValueError) as err:
            raise RebuildError(f"cannot build the teacher's dataset: {err}") from None
        if data_sha256(session.dataset) != announced.dataset.sha256:
            what = ("the data downloaded from the teacher" if downloaded
                    else f"the dataset {_name(announced)} here")
            raise RebuildError(f"{what} does not match the hash the teacher "
                               "announced (its rows, split or scaling differ)")
        return session

    def _download(self, sha256: str) -> str:
        """The teacher's CSV in this mirror's folder (downloaded once per hash)."""
        if self._folder is None:
            self._folder = tempfile.mkdtemp(prefix="backprop-tui-follow-")
        path = os.path.join(self._folder, f"teacher-{sha256[:16]}.csv")
        if os.path.exists(path):
            return path
        assert self.data_url is not None
        try:
            with open_source(self.data_url, self.limits) as got:
                shutil.copyfile(got.path, path + ".part")
            os.replace(path + ".part", path)
        except DataError as err:
            raise RebuildError(f"cannot download the teacher's data: "
                               f"{_without_code(str(err), self.data_url)}") from None
        except OSError as err:
            raise RebuildError(f"cannot keep the teacher's data: {err.strerror or err}") from None
        return path


def _regular(path: str) -> bool:
    with contextlib.suppress(OSError):
        return stat.S_ISREG(os.stat(path).st_mode)
    return False


def _name(state: SessionState) -> str:
    return os.path.basename(state.dataset.source) or state.dataset.source


def _without_code(text: str, url: str) -> str:
    """A download error names the URL; the join code in it is not for the screen."""
    return text.replace(url, url.split("?", 1)[0])


def fresh(session: Session) -> Session:
    """The same run with no edits, at its start: the data and initial parameters kept."""
    return Session(session.dataset, session.params0, session.config, session.arch)


def replay(session: Session, state: SessionState) -> Session:
    """``session`` (made from ``state``'s options and data) with ``state``'s edits and
    cursor: its own edits kept when they begin the state's list, else a fresh run."""
    c = state.cursor
    head = session.timeline.head
    furthest = max([c.update, *(e.update for e in state.edits)])
    if furthest - head > MAX_AHEAD:
        raise RebuildError(f"the teacher's place (update {furthest:,}) lies more than "
                           f"{MAX_AHEAD:,} updates beyond what is computed here")
    if not 0 <= c.phase < len(session.net.phases):
        raise RebuildError(f"the cursor's phase {c.phase} is not one of this network's "
                           f"0..{len(session.net.phases) - 1}")
    have = [(e.update, e.text) for e in session.edits]
    want = [(e.update, e.text) for e in state.edits]
    if have != want[:len(have)]:
        session, have = fresh(session), []
    for i, e in enumerate(state.edits[len(have):], len(have) + 1):
        if not session.goto(e.update):
            raise RebuildError(f"edit {i} ({e.text!r}) is at update {e.update}, which the run "
                               "cannot reach (it diverged before)")
        try:
            session.edit(e.text)
        except ValueError as err:
            raise RebuildError(f"edit {i} ({e.text!r}): {err}") from None
    if not session.goto(c.update, c.phase):
        d = session.divergence
        raise RebuildError(f"the teacher's place (update {c.update}) lies beyond the run's "
                           f"end here (it diverges at update {d.update if d else '?'})")
    return session
