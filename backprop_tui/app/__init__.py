"""The Textual front end: renders the core's state and maps keys to core actions."""
