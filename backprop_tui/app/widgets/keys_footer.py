"""The Footer, with its keys dimmed and lit in place when a run starts or ends.

Textual's Footer removes and mounts all its keys again whenever the bindings
change; a run changes them twice (keys dim, then light up), and each remount
costs ~15 ms of the UI thread, which the run's worker waits for. What it needs of
Textual's private API is in :mod:`.textual_private`, tested there;
tests/test_app_costs.py checks the keys look as a recompose would show them.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.compose import compose
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from ..keys import APP_BINDINGS, FOOTER_GIVES_WAY
from .textual_private import FooterKey, is_dimmed, mark_bindings_ready, set_dimmed


class KeysFooter(Footer):
    """Textual's Footer, but when the bindings change and the same keys stay shown (a run
    starts or ends: keys dim or light up), the keys are updated in place instead of being
    removed and mounted again: a recompose costs ~15 ms of the main thread, which a run's
    worker thread waits for (the GIL), twice per run. Anything else recomposes. The
    update comes before the next frame, not after it, so it costs no frame of its own."""

    def compose(self) -> ComposeResult:
        """Textual's keys, in the order they are declared (a keymap's key keeps its
        place; Textual lists a moved one last), and only those the width shows whole:
        compact first, then the keys of FOOTER_GIVES_WAY give way (cut, "Help" and
        "Quit" were lost at 80 columns)."""
        widgets = list(super().compose())
        palette = [w for w in widgets if w.has_class("-command-palette")]
        keys = sorted((w for w in widgets if w not in palette), key=_declared)
        shown, self.compact = fit(keys, palette, self.size.width)
        yield from shown
        yield from palette

    def on_resize(self) -> None:
        """A new width shows other keys whole (focused or not: a browser tab resized in
        the background shows its new width when it comes back)."""
        if self.is_attached:
            self.call_later(self._update_keys)

    def bindings_changed(self, screen: Screen) -> None:
        mark_bindings_ready(self)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_later(self._update_keys)

    async def _update_keys(self) -> None:
        if not self.is_attached:
            return
        old, new = list(self.children), compose(self)  # what a recompose would mount
        if not (old and len(old) == len(new) and all(map(_same_key, old, new))):
            await self.recompose()
            return
        for key, wanted in zip(old, new, strict=True):  # type: ignore[assignment]
            set_dimmed(key, is_dimmed(wanted))
            if key.tooltip != wanted.tooltip:
                key.tooltip = wanted.tooltip


ORDER = {b.action: i for i, b in enumerate(APP_BINDINGS)}
IDS = {b.action: b.id for b in APP_BINDINGS}


def _declared(key: Widget) -> int:
    return ORDER.get(getattr(key, "action", ""), len(ORDER))


def _width(key: Widget, compact: bool) -> int:
    """Columns a FooterKey takes (Textual's CSS: " k desc " or, compact, "k desc" and a
    margin)."""
    words = cell_len(getattr(key, "key_display", "")) + cell_len(getattr(key, "description", ""))
    return words + (2 if compact else 3)


def fit(keys: list[Widget], palette: list[Widget], width: int) -> tuple[list[Widget], bool]:
    """The keys that fit in ``width`` columns beside the palette's (its border and
    padding: 2 more, 1 compact), and whether compact; every key while the width is
    unknown."""
    if not width or sum(_width(k, False) + 2 for k in palette) + sum(
            _width(k, False) for k in keys) <= width:
        return keys, False
    shown = list(keys)
    for ident in FOOTER_GIVES_WAY:
        if sum(_width(k, True) + 1 for k in palette) + sum(
                _width(k, True) for k in shown) <= width:
            break
        shown = [k for k in shown if IDS.get(getattr(k, "action", "")) != ident]
    return shown, True


STATES = {"-disabled", "-compact"}  # set on a key by its state (-compact once mounted)


def _same_key(old: object, new: object) -> bool:
    """Whether ``old`` shows what ``new`` would, but perhaps for being dimmed."""
    return (type(old) is FooterKey and type(new) is FooterKey
            and (old.key, old.key_display, old.description, old.action)
            == (new.key, new.key_display, new.description, new.action)
            and old.classes - STATES == new.classes - STATES)
