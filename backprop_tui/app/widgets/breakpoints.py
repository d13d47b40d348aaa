"""The breakpoint list (key B): enable, disable, delete, add, as in a debugger's own.

The list is the core's :class:`~backprop_tui.core.debugger.breakpoints.Breakpoints`; this
screen shows it as a table and maps keys to its methods. The built-in
breakpoint (the first non-finite value) is listed first and is always on.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ...core.debugger.breakpoints import Breakpoints
from ...core.debugger.watches import Watches

BUILT_IN = "a value becomes nan or inf (built in, always on)"


class ListScreen(ModalScreen[None]):
    """What both lists share: a table, a line of keys, add and close. No bindings here:
    each list binds only the keys it has actions for (Textual merges a subclass's
    bindings with its parent's, and the watches list once got a space that crashed)."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, items: Breakpoints | Watches, add: Callable[[], None]) -> None:
        super().__init__()
        self.items = items  # the core's list: breakpoints or watches
        self._add = add  # the app's own dialog for a new one

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*self.COLUMNS)
        self.refill()
        table.focus()

    def refill(self, row: int | None = None) -> None:
        """Rebuild the table from the list."""
        raise NotImplementedError

    def _say(self, message: str) -> None:
        self.query_one("#breakpoints-keys", Label).update(message)

    def action_add(self) -> None:
        self._add()

    def action_close(self) -> None:
        self.dismiss(None)


class BreakpointsScreen(ListScreen):
    """The breakpoints in a table; space/enter toggles, d deletes, b adds, escape closes."""

    BINDINGS = [
        Binding("space", "toggle", "Enable/disable", id="bp_toggle"),
        Binding("d,delete", "delete", "Delete", id="bp_delete"),
        Binding("b", "add", "Add", id="bp_add"),
        Binding("escape,B,q", "close", "Close", id="bp_close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="breakpoints-body"):
            yield Label("Breakpoints: c continues until one holds; e and E stop at them too",
                        id="breakpoints-title")
            yield DataTable(id="breakpoints-table", cursor_type="row", zebra_stripes=True)
            yield Label("space/enter: enable or disable · d: delete · b: add · escape: close",
                        id="breakpoints-keys")

    COLUMNS = ("#", "on", "condition", "stopped")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """enter (or a click) on a row: the table binds enter to "select" before the
        screen sees it, so a selected row is where enter toggles."""
        event.stop()
        self.action_toggle()

    def refill(self, row: int | None = None) -> None:
        """Rebuild the table from the list (row 0 is the built-in one)."""
        table = self.query_one(DataTable)
        keep = table.cursor_row if row is None else row
        table.clear()
        table.add_row("-", "✓", BUILT_IN, "")
        for i, bp in enumerate(self.items, 1):
            table.add_row(str(i), "✓" if bp.enabled else "·", Text(bp.text),
                          f"{bp.hits}×" if bp.hits else "")
        table.move_cursor(row=min(max(keep, 0), len(self.items)))

    def _selected(self) -> int | None:
        """The index in the list of the row under the cursor (None: the built-in one)."""
        row = self.query_one(DataTable).cursor_row
        return row - 1 if 1 <= row <= len(self.items) else None

    def action_toggle(self) -> None:
        i = self._selected()
        if i is None:
            self._say("the built-in breakpoint is always on: a run stops at nan or inf")
            return
        self.items.toggle(i)
        self.refill()

    def action_delete(self) -> None:
        i = self._selected()
        if i is None:
            self._say("the built-in breakpoint cannot be deleted")
            return
        self.items.delete(i)
        self.refill()


class WatchesScreen(ListScreen):
    """The watch list: d deletes, w adds, escape closes."""

    BINDINGS = [
        Binding("d,delete", "delete", "Delete", id="watch_delete"),
        Binding("w", "add", "Add", id="watch_add"),
        Binding("escape,W,q", "close", "Close", id="watch_close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="breakpoints-body"):
            yield Label("Watches: values on the line above the status; history: t (tab)",
                        id="breakpoints-title")
            yield DataTable(id="breakpoints-table", cursor_type="row", zebra_stripes=True)
            yield Label("d: delete · w: add · escape: close", id="breakpoints-keys")

    COLUMNS = ("#", "expression", "plotted as")

    def refill(self, row: int | None = None) -> None:
        from ...core.debugger.watches import label

        table = self.query_one(DataTable)
        keep = table.cursor_row if row is None else row
        table.clear()
        for i, watch in enumerate(self.items, 1):
            table.add_row(str(i), Text(watch.text), Text(label(watch)))
        if not len(self.items):
            table.add_row("-", "no watch yet: w adds one", "")
        table.move_cursor(row=min(max(keep, 0), max(len(self.items) - 1, 0)))

    def _selected(self) -> int | None:
        row = self.query_one(DataTable).cursor_row
        return row if 0 <= row < len(self.items) else None

    def action_delete(self) -> None:
        i = self._selected()
        if i is None:
            self._say("nothing to delete")
            return
        self.items.delete(i)
        self.refill()
