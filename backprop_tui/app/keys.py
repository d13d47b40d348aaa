"""The app's keys, declared once.

The Footer, the help screen (:mod:`.widgets.help`) and the command palette all
read this list, so they cannot disagree with the keys. Every binding has an id,
so a keymap can rebind it (``App.set_keymap``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding

if TYPE_CHECKING:
    from textual.app import App

APP_BINDINGS = [
    Binding("n,right", "step_forward", "Step", id="step_forward",
            tooltip="one phase forward; after the update, the next sample"),
    Binding("p,left", "step_back", "Back", id="step_back",
            tooltip="one phase back, across updates, samples and epochs"),
    Binding("N,shift+right", "next_sample", "Next", id="next_sample",
            tooltip="finish and apply this sample's update, go to the next sample"),
    Binding("P,shift+left", "prev_sample", "Prev sample", id="prev_sample", show=False,
            tooltip="to the start of the previous sample"),
    Binding("u", "apply_update", "Update", id="apply_update",
            tooltip="compute the remaining phases and show the SGD update"),
    Binding("e", "run_epoch", "Epoch", id="run_epoch",
            tooltip="run to the end of this epoch"),
    Binding("E", "run_epochs", "N epochs", id="run_epochs", show=False,
            tooltip="run N epochs (asks N; default --epochs)"),
    Binding("space", "autoplay", "Play", id="autoplay",
            tooltip="autoplay phase by phase; again to pause"),
    Binding("space", "pause", "Pause", id="pause", tooltip="pause autoplay"),
    Binding("plus", "pace(1)", "Faster", id="faster", show=False,
            tooltip="autoplay faster"),
    Binding("minus", "pace(-1)", "Slower", id="slower", show=False,
            tooltip="autoplay slower"),
    Binding("b", "add_breakpoint", "Break", id="add_breakpoint", show=False,
            tooltip="add a breakpoint: a condition such as L < 0.01 or sample == 17"),
    Binding("B", "breakpoints", "Breakpoints", id="breakpoints", show=False,
            tooltip="list the breakpoints: enable, disable, delete"),
    Binding("c", "continue", "Continue", id="continue", show=False,
            tooltip="run until a breakpoint holds (at most --epochs epochs on)"),
    Binding("w", "add_watch", "Watch", id="add_watch", show=False,
            tooltip="watch an expression (W2[0,1], L, norm(dW1)): its value and history"),
    Binding("W", "watches", "Watches", id="watches", show=False,
            tooltip="list the watches: delete"),
    Binding("colon", "goto", "Go to", id="goto", show=False,
            tooltip="jump to a place: epoch sample [phase] (runs forward if needed)"),
    Binding("equals_sign", "set_value", "Set", id="set_value", show=False,
            tooltip="set a parameter or η from this sample on: W1[0,1] = 0.5, lr = 0.1"),
    Binding("ctrl+s", "save_session", "Save", id="save_session", show=False,
            tooltip="save the session (data, options, edits, breakpoints, watches, place)"),
    Binding("ctrl+e", "export_sample", "Export", id="export_sample", show=False,
            tooltip="export this sample's numbers as JSON"),
    Binding("R", "drop_edits", "Drop edits", id="drop_edits", show=False,
            tooltip="undo every = edit: back to the start of the run as the options made it"),
    Binding("r", "reset", "Reset", id="reset", show=False,
            tooltip="back to the start of the run (its edits kept: R drops them)"),
    Binding("a", "ask(1)", "Ask", id="ask_on",
            tooltip="ask mode: each step shows ? first, n reveals (predict, then reveal)"),
    Binding("a", "ask(0)", "Ask off", id="ask_off", tooltip="leave ask mode"),
    Binding("t", "next_tab", "Plot", id="next_tab", show=False,
            tooltip="switch plot: loss per epoch / predictions vs targets (accuracy for "
                    "classes) / watches"),
    Binding("v", "plot_view", "Plot view", id="plot_view", show=False,
            tooltip="give the plot the room (again: back to the numbers)"),
    Binding("f", "full_values", "All values", id="full_values", show=False,
            tooltip="every number of this step in full, scrollable (what panels cut)"),
    Binding("g", "gradcheck", "Gradcheck", id="gradcheck",
            tooltip="backprop's gradients against finite differences, this sample"),
    Binding("question_mark", "help", "Help", id="help", tooltip="this help"),
    Binding("x", "dismiss_warning", "Dismiss", id="dismiss_warning",
            tooltip="hide the dataset's warning (it stays until then)"),
    Binding("escape", "cancel", "Cancel run", id="cancel", show=False,
            tooltip="stop a running epoch run where it is"),
    Binding("q", "quit", "Quit", id="quit", tooltip="quit"),
]

# The Footer's keys that give way first when the window is too narrow for all of them
# (the warning line names x itself; u, N and e read as steps, the help lists them all):
# stepping, help and quit always stay.
FOOTER_GIVES_WAY = ("dismiss_warning", "ask_on", "ask_off", "apply_update", "next_sample",
                    "gradcheck", "run_epoch", "autoplay", "pause", "step_back")

# Actions that stay usable while epochs run in the background.
DURING_RUN = {"cancel", "help", "quit", "next_tab", "plot_view", "command_palette",
              "dismiss_warning"}


def keys_of(app: App, binding: Binding) -> list[str]:
    """The keys of ``binding`` now: the keymap's (``app.keymap``, app/keymap.py) or its own."""
    keymap = getattr(app, "keymap", None) or {}
    return (keymap.get(binding.id or "") or binding.key).split(",")


HINT_WORDS = (("step_forward", "step"), ("step_back", "back"), ("plot_view", "plot view"),
              ("goto", "go to"), ("add_breakpoint", "break"), ("add_watch", "watch"),
              ("set_value", "set"), ("help", "help"))


def hint(app: App) -> str:
    """The status line's reminder of the keys (the Footer has no room for them), with the
    keymap's keys: "n/→ step · p/← back · … · ? help"."""
    by_id = {b.id: b for b in APP_BINDINGS}
    parts = []
    for binding_id, word in HINT_WORDS:
        keys = keys_of(app, by_id[binding_id])[:2]
        shown = "/".join(app.get_key_display(Binding(k, "")) for k in keys)
        parts.append(f"{shown} {word}")
    return " · ".join(parts)


def binding_rows(app: App) -> list[tuple[str, str, str]]:
    """(keys, name, what it does) for each of the app's bindings, from the live bindings
    (after any keymap), so the help screen cannot disagree with the keys."""
    keys: dict[str, list[str]] = {}
    for key, active in app.active_bindings.items():
        if active.binding.id:
            keys.setdefault(active.binding.id, []).append(key)
    rows: list[tuple[str, str, str]] = []
    for b in APP_BINDINGS:
        shown = keys.get(b.id or "", keys_of(app, b))
        row = (", ".join(app.get_key_display(Binding(k, b.action)) for k in shown),
               b.description, b.tooltip)
        if rows and rows[-1][0] == row[0]:  # one key, two states (Play/Pause): one row
            rows[-1] = (row[0], f"{rows[-1][1]} / {row[1]}", rows[-1][2])
        else:
            rows.append(row)
    rows += [("up, down, pgup, pgdn", "Scroll", "scroll the panels on a small terminal"),
             ("ctrl+p", "Palette", "every action by name, the theme picker, Screenshot")]
    return rows


def palette_commands(app: App, textuals: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """The same actions as the keys, by their descriptions, for the command palette, after
    Textual's own, less its "Keys" (a second help) and its "Screenshot" (it saves where
    nobody looks: ours saves in --screenshot-dir and says where)."""
    yield from (c for c in textuals if c.title not in ("Keys", "Screenshot"))
    folder = Path(getattr(app, "screenshot_dir", ".")).resolve()
    yield SystemCommand("Screenshot", f"Save an SVG picture of the screen in {folder}",
                        partial(app.run_action, "save_screenshot"))
    for b in APP_BINDINGS:
        if b.id not in {"quit", "cancel", "pause", "dismiss_warning", "ask_off"}:
            key = app.get_key_display(Binding(keys_of(app, b)[0], b.action))
            yield SystemCommand(b.description, f"{b.tooltip} (key {key})",
                                partial(app.run_action, b.action))
