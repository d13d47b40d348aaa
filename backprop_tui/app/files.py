"""Files the app writes when asked: the session (ctrl+s) and this sample's numbers (ctrl+e).

A name typed here is a door into the machine once the app is served to a
browser, so every one goes through :func:`backprop_tui.paths.inside` (the
folder of ``--files-dir``, else the working directory). An existing file is
never replaced without asking: the dialog says so and a second enter does it.
The writing itself (atomic: a temporary file, then a rename) is the core's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.debugger.breakpoints import Breakpoints
from ..core.debugger.watches import Watches
from ..core.files.atomic import WriteError
from ..core.run.session import Session
from ..paths import PathError, inside
from .ask import AskMode
from .palette import PALETTE
from .widgets.prompt import PromptDialog, Verdict

if TYPE_CHECKING:
    from ..core.run.training import DataOptions

SESSION_NAME = "session.btui.json"

Say = Callable[..., None]
Ask = Callable[[PromptDialog, Callable[[Any], None]], object]
"""Shows a dialog and calls back with its answer (the app's push_screen)."""


class SessionFiles:
    """ctrl+s and ctrl+e: ask a file name inside the files folder, then write.

    It owns nothing the app shows: it is handed the session and the lists a save
    records, how to ask (a dialog) and how to say (the status line)."""

    def __init__(self, session: Session, data: DataOptions | None,
                 files_dir: Callable[[], str | None], lists: tuple[Breakpoints, Watches],
                 ask_mode: AskMode, ask: Ask, say: Say) -> None:
        """``files_dir``: the folder of --files-dir, read at each write (None: free)."""
        self.session, self.data, self.files_dir = session, data, files_dir
        self.breakpoints, self.watches = lists
        self.ask_mode, self.push_screen, self.say = ask_mode, ask, say

    @property
    def files_root(self) -> Path:
        folder = self.files_dir()
        return Path(folder) if folder else Path.cwd()

    def _ask_file(self, question: str, default: str, write) -> None:
        """Ask a name; ``write(path, overwrite)`` writes it and returns the path."""

        def check(text: str) -> Verdict:
            name = text.strip()
            try:
                path = inside(name, self.files_root)
            except PathError as err:
                return Verdict(False, str(err))
            if path.is_dir() or name.endswith(("/", "\\")):
                return Verdict(False, f"{name} is a folder: type a file name")
            if not path.parent.is_dir():
                return Verdict(False, f"no folder {path.parent}: type a name in a folder "
                                      "that exists")
            if path.exists():
                return Verdict(True, f"{path.name} exists: it would be replaced", confirm=True)
            return Verdict(True, f"writes {path}")

        def chosen(text: str | None) -> None:
            if not text:
                return
            try:
                path = inside(text.strip(), self.files_root)
                written = write(path, path.exists())
            except (PathError, WriteError, OSError) as err:
                self.say(f"not saved: {err}", PALETTE.error)
                return
            self.say(f"saved {written}", PALETTE.success)

        self.push_screen(PromptDialog(question, check, default=default,
                                      hint=f"a file in {self.files_root}"), chosen)

    def save_session(self) -> None:
        """The whole session: data reference, options, edits, breakpoints, watches, place."""
        if self.data is None:
            self.say("this session was not opened from the command line: it has no "
                          "data reference to save", PALETTE.error)
            return
        from ..core.files import savefile

        def write(path: Path, overwrite: bool) -> Path:
            s = self.session
            state = savefile.state_of(
                s, self.data,
                edits=tuple(savefile.SavedEdit(e.update, e.text) for e in s.edits),
                breakpoints=tuple(savefile.SavedBreakpoint(b.text, b.enabled)
                                  for b in self.breakpoints),
                watches=tuple(w.text for w in self.watches))
            return savefile.save(path, state, overwrite=overwrite)

        self._ask_file("Save the session as", SESSION_NAME, write)

    def export_sample(self) -> None:
        """This sample's numbers, every phase computed so far, as JSON."""
        from ..core.files.trace import export_sample, sample_file_name

        if self.ask_mode.hidden(self.session):
            self.say("ask mode: reveal the answer (n) before exporting it",
                          PALETTE.warning)
            return
        self._ask_file("Export this sample's numbers as", sample_file_name(self.session),
                       lambda path, overwrite: export_sample(self.session, path,
                                                             overwrite=overwrite))
