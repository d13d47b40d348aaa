"""What the app takes from Textual's private API (app/widgets/textual_private.py) is still
there and still means what the app assumes: a Textual upgrade that moves it fails here."""

from __future__ import annotations

import ast
import asyncio
import inspect
from pathlib import Path

from textual.widgets import Footer

from backprop_tui.app.widgets import textual_private
from backprop_tui.app.widgets.keys_footer import KeysFooter
from backprop_tui.app.widgets.textual_private import (
    FooterKey,
    is_dimmed,
    mark_bindings_ready,
    set_dimmed,
)

from .conftest import make_app

PACKAGE = Path(textual_private.__file__).parents[2]  # backprop_tui/


def test_a_footer_key_keeps_what_it_was_made_with_and_its_own_disabled_flag() -> None:
    key = FooterKey("n", "n", "Next", "app.step_forward", disabled=True)
    assert (key.key, key.key_display, key.description, key.action) == \
        ("n", "n", "Next", "app.step_forward")
    assert is_dimmed(key) and key.has_class("-disabled")
    set_dimmed(key, False)
    assert not is_dimmed(key) and not key.has_class("-disabled")


def test_the_footer_marks_its_bindings_ready_then_recomposes_as_keys_footer_does() -> None:
    """KeysFooter.bindings_changed replaces Footer's: it must do what Footer's does first."""
    footer = Footer()
    assert footer._bindings_ready is False  # a reactive of Footer's, set on the first change
    mark_bindings_ready(footer)
    assert footer._bindings_ready is True
    source = inspect.getsource(Footer.bindings_changed)
    assert "self._bindings_ready = True" in source and "recompose" in source
    assert "bindings_changed" in vars(KeysFooter)


def test_the_footer_composes_footer_keys() -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            keys = list(app.screen.query_one(KeysFooter).query(FooterKey))
            assert keys and all(type(k) is FooterKey for k in keys)
            assert not any(is_dimmed(k) for k in keys)  # nothing is dimmed at rest

    asyncio.run(run())


def test_no_other_module_imports_textual_privately() -> None:
    """Only textual_private.py names a private Textual module."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            if any(n.startswith("textual") and "._" in n for n in names):
                found.append(path.name)
    assert found == ["textual_private.py"]
