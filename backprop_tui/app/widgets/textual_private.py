"""Every use of Textual's private API, in one place (Textual 8.2 is pinned).

The Footer's keys are dimmed in place (see :mod:`.keys_footer`), which needs three
things Textual does not publish: the ``FooterKey`` class (``textual.widgets._footer``),
a key's own ``_disabled`` flag (what a click checks) and the Footer's
``_bindings_ready`` reactive (set before its first compose). Nothing else in the
app reaches behind Textual's public names; tests/app/test_textual_private.py fails
when an upgrade moves any of these, so the break is found by a test, not on screen.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["FooterKey", "is_dimmed", "mark_bindings_ready", "set_dimmed"]


def mark_bindings_ready(footer: Footer) -> None:
    """What Footer.bindings_changed does first: the Footer may compose its keys now."""
    footer._bindings_ready = True


def is_dimmed(key: Widget) -> bool:
    """Whether a FooterKey is disabled (shown dim; a click on it does nothing)."""
    return bool(key._disabled)  # type: ignore[attr-defined]


def set_dimmed(key: Widget, dimmed: bool) -> None:
    """Dim or light a mounted FooterKey in place: its flag and its class."""
    key._disabled = dimmed  # type: ignore[attr-defined]
    key.set_class(dimmed, "-disabled")
