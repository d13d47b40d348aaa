"""What the app is started with, checked before it starts: files folder, keymap, --load.

Every check here ends in one line and exit status 2 before the terminal is taken
over, and ``serve`` runs the same checks once before listening, so a browser tab
never opens onto an error. Nothing here imports Textual at module level.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .options import UsageError, add_data_options, add_train_options, open_session

if TYPE_CHECKING:
    from .core.files.savefile import SessionState
    from .core.run.session import Session
    from .core.run.training import DataOptions

LIMIT_DESTS = {"max_size_mb", "download_timeout", "max_rows", "max_columns", "max_memory_mb"}


def add_app_file_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("files")
    g.add_argument("--files-dir", default=".", metavar="DIR",
                   help="every file the app writes or a user types (save, export, "
                        "screenshots) stays inside DIR (default: this directory)")
    g.add_argument("--screenshot-dir", default=".", metavar="DIR",
                   help="where the palette's Screenshot saves: a folder inside --files-dir "
                        "(default: --files-dir itself)")
    g.add_argument("--keymap", metavar="FILE",
                   help="keys to rebind, TOML: [keys] step_forward = \"j\" (default: "
                        "$XDG_CONFIG_HOME/backprop-tui/keymap.toml if it exists)")
    g.add_argument("--load", metavar="FILE",
                   help="resume a saved session (ctrl+s): its data, training options, "
                        "edits and place; data and training options may not be given too")


@dataclass
class AppSetup:
    """The checked pieces the app is constructed from."""

    session: Session
    data: DataOptions  # how the dataset was opened (what a save records)
    files_dir: Path
    screenshot_dir: Path
    keymap: dict[str, str] = field(default_factory=dict)
    state: SessionState | None = None  # what --load read (breakpoints, watches, ...)


def files_dir(text: str) -> Path:
    """--files-dir as an absolute, symlink-free folder that exists ('' is not '.')."""
    if not text.strip():
        raise UsageError("--files-dir: the path is empty; give a folder")
    path = Path(os.path.realpath(os.path.expanduser(text)))
    if not path.exists():
        raise UsageError(f"--files-dir {text}: no such directory")
    if not path.is_dir():
        raise UsageError(f"--files-dir {text}: not a directory")
    from .paths import system_folder

    if system_folder(path):  # under serve, anyone on the page would write there
        where = "" if str(path) == text else f"leads to {path}, "
        raise UsageError(f"--files-dir {text}: {where}a system folder; give a folder of "
                         "your own (mkdir ~/backprop-files)")
    return path


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty (the tabs saved files), or gone
        folder.rmdir()


def serve_files_dir(args: argparse.Namespace, app_argv: list[str]) -> list[str]:
    """The tabs' --files-dir: serve's own (checked), the app's after '--' (prepare checks
    it), else a fresh temporary folder for this server (``args.fresh_files_dir``; it
    prints it): strangers type the names, so the working directory is no default."""
    import atexit
    import tempfile

    given = any(a == "--files-dir" or a.startswith("--files-dir=") for a in app_argv)
    args.fresh_files_dir = None
    if args.files_dir is not None and given:
        raise UsageError("--files-dir is given twice (before and after '--'); give it once")
    if given:
        return app_argv
    if args.files_dir is not None:
        return [*app_argv, "--files-dir", str(files_dir(args.files_dir))]
    fresh = Path(os.path.realpath(tempfile.mkdtemp(prefix="backprop-tui-files-")))
    atexit.register(_remove_if_empty, fresh)  # a server that never served leaves nothing
    args.fresh_files_dir = fresh
    return [*app_argv, "--files-dir", str(fresh)]


def screenshot_dir(text: str, root: Path) -> Path:
    """--screenshot-dir inside --files-dir (relative to it, or absolute within it)."""
    from .paths import PathError, inside

    try:
        folder = inside(text, root)
    except PathError as err:
        raise UsageError(f"--screenshot-dir: {err} (it must lie inside --files-dir)") from None
    if not folder.is_dir():
        raise UsageError(f"--screenshot-dir {text}: not a directory")
    return folder


def run_options_given(argv: Sequence[str]) -> list[str]:
    """The data and training options present in ``argv`` (the limits excepted: they
    belong to this machine, not to the run)."""
    probe = argparse.ArgumentParser(add_help=False)
    add_data_options(probe)
    add_train_options(probe)
    names = {}
    for action in probe._actions:  # argparse keeps no public list of a parser's options
        action.default = argparse.SUPPRESS
        names[action.dest] = action.option_strings[0]
    given, _ = probe.parse_known_args(list(argv))
    return [names[dest] for dest in vars(given) if dest not in LIMIT_DESTS]


def resume(args: argparse.Namespace, argv: Sequence[str], *, to_cursor: bool = True):
    """Session, data options and state of ``--load FILE``; UsageError if anything is off.

    ``to_cursor`` False leaves the session at its last edit (``trace`` goes where its
    range says, and computing the run up to the saved place would be wasted)."""
    from .core.files.savefile import SaveFileError, load, restore
    from .options import data_and_config
    from .progress import Progress
    from .terminal import needs_no_terminal

    if not args.load.strip():  # '' was skipped as if --load were absent
        raise UsageError("--load: the path is empty; give a saved session file")
    given = run_options_given(argv)
    if given:
        raise UsageError(f"--load takes the data and training options from the file; "
                         f"drop {', '.join(given)}")
    limits = data_and_config(args)[0].limits
    where = "the saved place" if to_cursor else "its edits"
    with Progress(f"resuming {args.load}: computing the run up to {where}") as shown:
        try:  # a served tab's stderr is only a log, read when it ends: nothing said there
            session, state = restore(load(args.load), limits,
                                     None if needs_no_terminal() else shown,
                                     to_cursor=to_cursor)
        except SaveFileError as err:
            text = str(err)
            raise UsageError(text if text.startswith(args.load) else f"{args.load}: {text}") \
                from None
    return session, state.data_options(limits), state


def prepare(args: argparse.Namespace, argv: Sequence[str]) -> AppSetup:
    """Check everything the app needs from the command line, in the order a user fixes it."""
    root = files_dir(args.files_dir)
    shots = screenshot_dir(args.screenshot_dir, root)
    from .app.keymap import KeymapError, load_keymap

    try:
        keymap = load_keymap(args.keymap)
    except KeymapError as err:
        raise UsageError(str(err)) from None
    if args.load is not None:
        session, data, state = resume(args, argv)
    else:
        (session, data), state = open_session(args), None
    return AppSetup(session, data, root, shots, keymap, state)
