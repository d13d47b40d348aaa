"""A seeded storm of keys: the app must survive any order of them, and time travel stay exact.

5,000 keys in all, one run at each of the sizes 40x12, 80x24 and 200x60 (with a
resize to another size now and then), into the app on the lab's data and on
Iris. The alphabet is every key the README lists (never ``q`` on the main screen,
where it quits), letters, digits and symbols, so the storm opens every screen and
dialog (B and W lists, b w = : ctrl+s ctrl+e prompts, E, ?, g, f) and types into
them; each run asserts it reached them all. Keys arrive in bursts of 1 to 30
(Textual's own key events, posted as a fast typist's would arrive, then one wait
for the app to be idle); in a modal screen, one key at a time, so a key that
closes it is not followed by keys meant for it. After each burst the cursor
must be a valid position and the app still running (an exception in a handler
ends the app and comes out of ``run_test``). Every so often the test saves the
position it stands at with its parameters and values, walks on, then comes back
(by keys when near, by ``session.goto`` when far) and demands bit-identical
numbers, unless an ``=`` edit or R changed the run in between. Written against
public behaviour only: the session's cursor, parameters, values and edits,
``app.running`` and key presses. The command palette (ctrl+p) is left out: its
"Quit" command is one enter away.
"""

from __future__ import annotations

import asyncio
import random
import string
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

from backprop_tui.core.network.phases import PHASES

from .conftest import make_app

# The main screen's keys, weighted toward stepping; q is left out (it would end the test).
STEPS = (["n"] * 10 + ["right"] * 4 + ["p"] * 8 + ["left"] * 3 + ["N"] * 4 + ["shift+right"]
         + ["P"] * 4 + ["shift+left"] + ["u"] * 3)
LETTERS = [c for c in string.ascii_letters if c != "q"]
SYMBOLS = list("+-=:?[],.()<>*/_ ") + ["space", "enter", "escape", "tab", "backspace",
                                        "delete", "up", "down", "pageup", "pagedown",
                                        "home", "end", "ctrl+s", "ctrl+e", "ctrl+c"]
OPENERS = list("wWbB=:E?gf") + ["ctrl+s", "ctrl+e"]  # each opens a screen or dialog
KEYS = STEPS * 3 + OPENERS * 3 + LETTERS + list(string.digits) + SYMBOLS
# One at a time in a screen or dialog: answers, its own keys, and text to type.
MODAL = (["enter"] * 6 + ["escape"] * 5 + ["backspace"] * 3 + ["space", "up", "down", "d",
         "delete", "tab", "b", "w", "B", "W", "q", "L", "1", "0", "<", " "]
         + LETTERS + list(string.digits) + list("=:.[],-"))
SIZES = [(40, 12), (80, 24), (200, 60)]  # one run each
OTHER_SIZES = [(120, 40), (60, 18), (100, 30), (20, 6)]  # visited for a burst now and then
TOTAL_KEYS = 5000
CHECK_EVERY = 48  # bursts between saving a position and coming back to it
DRAW_EVERY = 4  # bursts: draw the screen after every fourth (the timer draws some more)
RESIZE_EVERY = 25  # bursts
# Every screen and dialog a run must reach (a prompt by its question's first words).
SCREENS = {"MainScreen", "BreakpointsScreen", "WatchesScreen", "HelpScreen",
           "GradCheckScreen", "FullValuesScreen", "EpochsDialog", "Break when", "Watch",
           "Set a parameter", "Go to", "Save the session", "Export this sample"}


def key_event(key: str) -> events.Key:
    """The event a terminal sends for ``key`` (as Pilot builds it: "=" is equals_sign)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


def draw_burst(rng: random.Random, modal: bool, room: int) -> list[str]:
    """1 to 30 keys; a key that opens a screen ends its burst, and a screen or dialog
    gets one at a time.

    A dialog answered by a burst (enter twice in one go) crashed the app:
    test_double_enter_in_the_epochs_dialog below, kept apart so the storm still runs.
    """
    if modal:
        return [rng.choice(MODAL)]
    keys: list[str] = []
    for _ in range(min(rng.randint(1, 30), room)):
        keys.append(rng.choice(KEYS))
        if keys[-1] in OPENERS:
            break
    return keys


def screen_name(app) -> str:
    """The screen on top: its class, or for a prompt its question's first words."""
    question = getattr(app.screen, "question", None)
    if question is None:
        return type(app.screen).__name__
    return next((name for name in SCREENS if question.startswith(name)), question)


async def processed(pilot, full: bool) -> None:
    """Wait until the keys are handled; ``full`` also draws the screen, as a frame would.

    Pilot's ``pause()`` waits for the process to go idle, which a run in the worker
    thread delays up to a second per wait: the storm waits for the message queues
    instead, then asks the screen to draw what changed (what ``pause`` does last).
    """
    for _ in range(2):  # the keys' actions may post messages of their own
        await pilot._wait_for_screen()
    if full:
        pilot.app.screen._on_timer_update()
        await pilot._wait_for_screen()


def burst(app, keys: list[str]) -> None:
    """Post the keys as the terminal driver would, all at once."""
    for key in keys:
        app.post_message(key_event(key))


def cursor_ok(app) -> None:
    c = app.session.cursor
    assert 0 <= c.phase < len(PHASES)
    assert c.update >= 0
    assert c.n == app.session.n


def snapshot(app) -> tuple[int, int, bytes, dict[str, bytes], list[tuple[int, str]]]:
    s = app.session
    values = {k: np.asarray(v, dtype=float).tobytes() for k, v in s.values.items()
              if isinstance(v, (np.ndarray, float, int))}
    edits = [(e.update, e.text) for e in s.edits]
    return s.cursor.update, s.cursor.phase, s.params.flat().tobytes(), values, edits


async def settle(app, pilot) -> None:
    """Back to the main screen, no run, no autoplay, no ask mode: a state one can compare."""
    for _ in range(20):
        if len(app.screen_stack) > 1 or app.running:
            key = "escape"
        elif getattr(app, "autoplaying", False):
            key = "space"
        elif app.ask.on:
            key = "a"
        else:
            return
        burst(app, [key])
        await processed(pilot, full=True)
        if app.running:  # escape cancels: the worker stops at its next chunk
            await pilot.pause(0.05)
    await pilot.pause(0.2)
    assert not app.running and len(app.screen_stack) == 1, "the app did not come to rest"


async def come_back(app, pilot, saved) -> None:
    """Return to a saved position, by keys when it is near, then demand the same numbers
    (unless the run's edits changed since: then the numbers may differ, rightly)."""
    update, phase = saved[0], saved[1]
    await settle(app, pilot)
    if snapshot(app)[4] != saved[4]:
        return
    gap = app.session.cursor.update - update
    if abs(gap) <= 20:  # near: P / N to the saved sample's start, then n to its phase
        c = app.session.cursor
        keys = ["P"] * gap if gap > 0 else ["N"] * -gap if gap < 0 else ["p"] * c.phase
        burst(app, keys + ["n"] * phase)
        await processed(pilot, full=True)
    else:  # far: the session's own goto, as a script would
        assert app.session.goto(update, phase)
    assert (app.session.cursor.update, app.session.cursor.phase) == (update, phase)
    assert snapshot(app) == saved, f"time travel to {update, phase} was not bit-exact"


async def storm(source: str, seed: int, size: tuple[int, int], count: int,
                files: Path) -> tuple[int, set[str]]:
    """``count`` keys at ``size``; returns how many were pressed and the screens seen."""
    rng = random.Random(seed)
    app = make_app(source)
    app.files_dir = str(files)  # ctrl+s and ctrl+e write here, not in the working folder
    pressed, seen = 0, set()
    async with app.run_test(size=size) as pilot:
        for opener, text in (("w", "L"), ("b", "sample == 3")):  # the lists have rows
            await pilot.press(opener, *text, "enter")
        assert len(app.watches) == len(app.breakpoints) == 1
        saved = None
        bursts = 0
        while pressed < count:
            if bursts % RESIZE_EVERY == RESIZE_EVERY - 1:
                await pilot.resize_terminal(*rng.choice(OTHER_SIZES))
            elif bursts % RESIZE_EVERY == 0:
                await pilot.resize_terminal(*size)
            keys = draw_burst(rng, modal=len(app.screen_stack) > 1, room=count - pressed)
            burst(app, keys)
            await processed(pilot, full=bursts % DRAW_EVERY == 0)
            pressed += len(keys)
            bursts += 1
            seen.add(screen_name(app))
            assert app.is_running, "a key ended the app"
            cursor_ok(app)
            if bursts % CHECK_EVERY == CHECK_EVERY // 2:
                await settle(app, pilot)
                saved = snapshot(app)
            elif bursts % CHECK_EVERY == 0 and saved is not None:
                await come_back(app, pilot, saved)
        await settle(app, pilot)
        cursor_ok(app)
        assert app.session.timeline.head >= app.session.cursor.update
    return pressed, seen


RUNS = [("lab", 1, SIZES[0]), ("iris", 2, SIZES[1]), ("lab", 3, SIZES[2])]


@pytest.mark.parametrize(("source", "seed", "size"), RUNS)
def test_random_keys(source: str, seed: int, size: tuple[int, int], tmp_path: Path) -> None:
    count = TOTAL_KEYS // len(RUNS) + (seed == 1) * (TOTAL_KEYS % len(RUNS))
    pressed, seen = asyncio.run(storm(source, seed, size, count, tmp_path))
    assert pressed == count
    assert seen >= SCREENS, f"the storm never reached {sorted(SCREENS - seen)}"


def test_double_enter_in_the_epochs_dialog() -> None:
    """Key repeat on enter: two Submitted events for one dialog must not end the app."""
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("E")
            assert len(app.screen_stack) == 2
            burst(app, ["enter", "enter"])
            await pilot.pause()
            await settle(app, pilot)
            assert app.is_running and len(app.screen_stack) == 1

    asyncio.run(go())
