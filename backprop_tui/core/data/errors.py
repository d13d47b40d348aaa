"""The data layer's errors: one line each, whatever the file held.

In a module of their own so that every reader of data (the CSV reader, column
selection, sources) raises them without importing one another.
"""

from __future__ import annotations


class DataError(ValueError):
    """Bad data source; str(err) is ONE line naming the problem (file, line, column where known).

    It is a ValueError so generic callers still catch it; newlines are replaced
    so that a message can never break the one-line status bar or CLI output.
    """

    def __init__(self, message: str) -> None:
        super().__init__(str(message).replace("\r", " ").replace("\n", " "))


class ContentError(DataError):
    """A DataError that quotes the file (column names, a cell): right for the user's own
    ``--dataset``, wrong for a path a session file pointed at (``/etc/passwd``), whose
    caller says the path only (:func:`backprop_tui.core.files.savefile.restore`)."""
