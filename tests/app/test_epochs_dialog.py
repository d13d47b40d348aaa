"""The epochs dialog (key E): what it takes, and a clear line for anything else."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, Label

from backprop_tui.app.widgets.epochs_dialog import EpochsDialog, parse_epochs
from backprop_tui.core.limits import MAX_EPOCHS

from .conftest import make_app, wait_for_run


@pytest.mark.parametrize(("text", "epochs"), [
    ("500", 500), (" 1_000 ", 1000), ("10,000", 10_000), ("1e4", 10_000), ("2.5e3", 2500),
    ("1E3", 1000), ("1e9", MAX_EPOCHS), (str(MAX_EPOCHS), MAX_EPOCHS), ("1", 1),
])
def test_numbers_it_takes(text: str, epochs: int) -> None:
    assert parse_epochs(text) == epochs


@pytest.mark.parametrize(("text", "says"), [
    ("0", "1 to 1,000,000,000"), ("-1", "a whole number"), ("1.5", "a whole number"),
    ("1.5e0", "not a whole number"), ("abc", "a whole number"), ("", "a whole number"),
    ("1e-3", "a whole number"), ("5x", "a whole number"),
    (str(MAX_EPOCHS + 1), "1 to 1,000,000,000"), ("1e10", "1 to 1,000,000,000"),
    ("9" * 400, "too many"), ("1e400", "too many"), ("1" * 5000 + "e5", "too many"),
])
def test_what_it_refuses_in_one_line(text: str, says: str) -> None:
    reason = parse_epochs(text)
    assert isinstance(reason, str) and says in reason
    assert "\n" not in reason and len(reason) < 100  # a 400-digit paste is not echoed whole


def test_a_letter_is_not_dropped_into_another_number() -> None:
    """'1e9' once became 19 in an integer field (or 1920 before the default 20)."""
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("E")
            await pilot.pause()
            field = app.screen.query_one(Input)
            field.value = "1x9"
            await pilot.press("enter")
            assert isinstance(app.screen, EpochsDialog)  # still asking
            assert "'1x9'" in str(app.screen.query_one("#epochs-error", Label).render())
            assert app.session.cursor.update == 0
            field.value = "9" * 400  # a paste: refused in words, no crash
            await pilot.press("enter")
            assert isinstance(app.screen, EpochsDialog)
            assert "too many" in str(app.screen.query_one("#epochs-error", Label).render())
            field.value = "1e1"
            await pilot.press("enter")
            await wait_for_run(app, pilot)
            assert app.session.cursor.epoch == 10

    asyncio.run(go())


def test_a_long_reason_wraps_inside_the_dialog() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("E")
            await pilot.pause()
            app.screen.query_one(Input).value = "1e400"
            await pilot.press("enter")
            await pilot.pause()
            error = app.screen.query_one("#epochs-error", Label)
            box = app.screen.query_one("#epochs-dialog")
            assert error.size.height == 2  # wrapped, not cut at the border
            assert error.region.right <= box.region.right

    asyncio.run(go())
