"""The Footer, with its keys dimmed and lit in place when a run starts or ends.

Textual's Footer removes and mounts all its keys again whenever the bindings
change; a run changes them twice (keys dim, then light up), and each remount
costs ~15 ms of the UI thread, which the run's worker waits for. What it needs of
Textual's private API is in :mod:`.textual_private`, tested there;
tests/test_app_costs.py checks the keys look as a recompose would show them.
"""

from __future__ import annotations

from textual.compose import compose
from textual.screen import Screen
from textual.widgets import Footer

from .textual_private import FooterKey, is_dimmed, mark_bindings_ready, set_dimmed


class KeysFooter(Footer):
    """Textual's Footer, but when the bindings change and the same keys stay shown (a run
    starts or ends: keys dim or light up), the keys are updated in place instead of being
    removed and mounted again: a recompose costs ~15 ms of the main thread, which a run's
    worker thread waits for (the GIL), twice per run. Anything else recomposes. The
    update comes before the next frame, not after it, so it costs no frame of its own."""

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


STATES = {"-disabled", "-compact"}  # set on a key by its state (-compact once mounted)


def _same_key(old: object, new: object) -> bool:
    """Whether ``old`` shows what ``new`` would, but perhaps for being dimmed."""
    return (type(old) is FooterKey and type(new) is FooterKey
            and (old.key, old.key_display, old.description, old.action)
            == (new.key, new.key_display, new.description, new.action)
            and old.classes - STATES == new.classes - STATES)
