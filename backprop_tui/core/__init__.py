"""The numeric core: network math, phases, datasets, the stepping session, training.

Nothing in this package imports Textual, so the headless trainer, the tests and any
other front end can use it without a terminal.
"""
