"""The debugger: conditions, breakpoints, watches, places, edits."""
