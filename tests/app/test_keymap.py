"""A keymap moves a key for real: the new key acts, the old one does not, and the Footer,
the help and the palette all name the new key."""

from __future__ import annotations

import asyncio

from backprop_tui.app.app import BackpropApp
from backprop_tui.app.keymap import parse_keymap
from backprop_tui.app.keys import binding_rows
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

KEYMAP = """
[keys]
step_forward = "j"
step_back = "k,ctrl+b"
autoplay = "s"          # Pause follows: one key, two states
help = "h"
"""


def keymapped_app() -> BackpropApp:
    keymap = parse_keymap(KEYMAP, "test.toml")
    return BackpropApp(build_session(DataOptions(), TrainConfig()), keymap=keymap)


def cursor(app: BackpropApp) -> tuple[int, int]:
    return app.session.cursor.update, app.session.cursor.phase


def test_remapped_keys_act_and_old_ones_do_not() -> None:
    async def go():
        app = keymapped_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("n", "right")
            assert cursor(app) == (0, 0)  # the old keys are gone
            await pilot.press("j", "j", "j")
            assert cursor(app) == (0, 3)
            await pilot.press("k")
            assert cursor(app) == (0, 2)
            await pilot.press("ctrl+b", "p", "left")
            assert cursor(app) == (0, 1)
            await pilot.press("s")
            assert app.autoplaying
            await pilot.press("space")  # no longer Pause
            assert app.autoplaying
            await pilot.press("s")  # the partner moved with it
            assert not app.autoplaying
            await pilot.press("h")
            await pilot.pause()
            assert type(app.screen).__name__ == "HelpScreen"

    asyncio.run(go())


def test_footer_help_and_palette_name_the_new_keys() -> None:
    async def go():
        app = keymapped_app()
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            footer = {k.description: k.key for k in app.screen.query("FooterKey")}
            assert footer["Step"] == "j" and footer["Back"] == "k" and footer["Help"] == "h"
            assert footer["Play"] == "s"
            rows = {name: keys for keys, name, _ in binding_rows(app)}
            assert rows["Step"] == "j" and rows["Back"] == "k, ^b"
            assert rows["Play / Pause"] == "s"
            assert rows["Ask / Ask off"] == "a"  # untouched bindings keep their keys
            commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
            assert commands["Step"].endswith("(key j)")
            assert commands["Back"].endswith("(key k)")
            assert commands["Play"].endswith("(key s)")
            assert commands["Update"].endswith("(key u)")

    asyncio.run(go())
