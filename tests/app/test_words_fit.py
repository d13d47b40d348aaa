"""Words on the screen are never cut: border labels, the Footer, the help's first line and
the full-values heading, read from the rendered screen (the SVG Textual exports) at the
widths a terminal, a projector and a browser tab give."""

from __future__ import annotations

import asyncio
import html
import re
from collections import defaultdict

import pytest

from backprop_tui.app.app import BackpropApp
from backprop_tui.app.keymap import parse_keymap
from backprop_tui.app.widgets.params import legends
from backprop_tui.core.network.phases import UPDATE_PHASE

from .conftest import make_app

WIDTHS = (80, 100, 110, 120, 160)
SPAN = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="([\d.]+)" '
                  r'clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>')


def screen_lines(app: BackpropApp) -> list[str]:
    """The screen as text, one string per row, from the exported SVG."""
    spans: dict[int, list[tuple[float, str]]] = defaultdict(list)
    cell = 0.0
    for x, length, row, text in SPAN.findall(app.export_screenshot()):
        text = html.unescape(text).replace("\xa0", " ").replace("\n", "")
        spans[int(row)].append((float(x), text))
        cell = cell or float(length) / max(len(text), 1)
    lines = []
    for row in range(max(spans) + 1):
        chars: list[str] = []
        for x, text in spans.get(row, []):
            col = round(x / cell)
            chars += [" "] * (col - len(chars))
            chars[col:col + len(text)] = text
        lines.append("".join(chars))
    return lines


def assert_no_cut_label(lines: list[str]) -> None:
    """Textual cuts a border's title with "…" right before the border goes on."""
    for line in lines:
        assert not re.search(r"…\s?─", line), line


async def at_update(app: BackpropApp, pilot) -> None:
    await pilot.press(*["n"] * UPDATE_PHASE)
    await pilot.pause()
    assert app.session.phase.key == "update"


@pytest.mark.parametrize("width", WIDTHS)
def test_footer_and_border_labels_are_whole_at_each_width(width: int) -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(width, 40)) as pilot:
            await at_update(app, pilot)
            params = app.query_one("#params")  # below the numbers when narrow: in view
            app.query_one("#body").scroll_to_widget(params, animate=False, top=False)
            await pilot.pause()
            lines = screen_lines(app)
            assert_no_cut_label(lines)
            footer = lines[-1]
            keys, palette = footer.split("▏")
            words = " ".join(keys.split())
            assert words.endswith("? Help q Quit"), footer  # the last keys, whole
            assert palette.strip() == "^p palette"
            assert "Step" in keys and "Back" in keys
            assert params.border_subtitle.startswith("underlined")
            assert params.border_subtitle in "\n".join(lines)
            params._legends = legends(3)  # changes too small for the digits, worded to fit
            params.fit_legend()
            await pilot.pause()
            lines = screen_lines(app)
            assert_no_cut_label(lines)
            assert "3" in params.border_subtitle and params.border_subtitle in "\n".join(lines)

    asyncio.run(go())


def test_the_footer_refits_on_resize() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            wide = [k.description for k in app.screen.query("FooterKey")]
            await pilot.resize_terminal(80, 40)
            await pilot.pause()
            await pilot.pause()
            narrow = [k.description for k in app.screen.query("FooterKey")]
            assert set(narrow) < set(wide) and {"Step", "Help", "Quit"} <= set(narrow)
            assert " ".join(screen_lines(app)[-1].split("▏")[0].split()).endswith("q Quit")
            await pilot.resize_terminal(160, 40)
            await pilot.pause()
            await pilot.pause()
            assert [k.description for k in app.screen.query("FooterKey")] == wide

    asyncio.run(go())


def test_parameters_legend_names_tiny_changes_in_words_that_fit() -> None:
    tiny = legends(3)
    assert tiny[0] == "underlined = changed; 3 more changed too little to show"
    assert all(len(a) > len(b) for a, b in zip(tiny, tiny[1:], strict=False))
    assert tiny[-2] == "underlined: changed (3 tiny)" and len(tiny[-2]) <= 32
    assert legends(0) == ("underlined = changed",)
    assert not any("digits" in words for words in tiny)


def test_help_says_its_title_and_the_way_out_on_its_first_line() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
            lines = screen_lines(app)
            top = next(i for i, line in enumerate(lines) if "╭" in line)
            first = lines[top + 1]
            assert "Help" in first and "escape, q or ? closes this help" in first, first
            await pilot.press("q")
            assert type(app.screen).__name__ == "MainScreen"

    asyncio.run(go())


@pytest.mark.parametrize("width", (80, 100))
def test_full_values_heading_wraps_whole_words(width: int) -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(width, 40)) as pilot:
            await at_update(app, pilot)
            await pilot.press("f")
            await pilot.pause()
            inside = [line.strip().strip("│").strip() for line in screen_lines(app)[1:6]]
            words = " ".join(inside)
            assert "to 10 significant digits; parameters before this sample's update" in words
            assert "escape, q or f closes" in words
            assert all(len(line) <= width - 4 for line in inside)

    asyncio.run(go())


def test_a_rebound_key_keeps_its_place_in_the_footer() -> None:
    async def go(keymap: dict[str, str]) -> list[str]:
        app = BackpropApp(make_app().session, keymap=keymap)
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            return [f"{k.key} {k.description}" for k in app.screen.query("FooterKey")]

    default = asyncio.run(go({}))
    moved = asyncio.run(go(parse_keymap('[keys]\nstep_forward = "j"\n')))
    assert moved[0] == "j Step" and default[0] == "n Step"
    assert [k.split()[1:] for k in moved] == [k.split()[1:] for k in default]
