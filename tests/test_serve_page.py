"""The page ``serve`` sends, without a browser: no web font, and the faces it defines.

The real-browser test (tests/browser/test_browser_glyphs.py) skips where there is no
Chromium; this one runs everywhere textual-serve is installed, so a textual-serve
release whose page no longer matches the patch is caught in every CI run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason="textual-serve is not installed (pip install .)")

from backprop_tui import serve_page  # noqa: E402

CONTEXT = {"font_size": 16, "app_websocket_url": "ws://127.0.0.1:8000/ws",
           "config": {"static": {"url": "http://127.0.0.1:8000/static/"}},
           "application": {"name": "backprop-tui"}}


def original_page() -> Path:
    import textual_serve

    return Path(textual_serve.__file__).parent / "templates" / "app_index.html"


@pytest.mark.parametrize("symbol_font_url", ["", "http://127.0.0.1:8000/fonts/DejaVuSansMono.ttf"])
def test_the_page_asks_for_no_web_font_and_defines_its_own(symbol_font_url: str) -> None:
    assert "fonts.googleapis.com" in original_page().read_text()  # what the patch removes
    page = serve_page.page_template(original_page()).render(
        {**CONTEXT, "symbol_font_url": symbol_font_url})
    assert "googleapis" not in page and "https://" not in page
    assert page.count("RobotoMono-") == 2  # regular and italic, from textual-serve's files
    assert page.count(symbol_font_url or "DejaVuSansMono") == (2 if symbol_font_url else 0)
    # The terminal opens after the fonts: the wrapper comes after textual.js sets onload.
    assert page.index("js/textual.js") < page.index("const open = window.onload")
    if symbol_font_url:  # Roboto Mono's faces last: the browser tries them first
        assert page.index(symbol_font_url) < page.index("RobotoMono-")


def test_the_symbol_font_is_found_where_the_machine_has_one() -> None:
    found = serve_page.symbol_font()
    usual = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
    if usual.is_file():
        assert found == usual
    if found is not None:
        assert found.name == "DejaVuSansMono.ttf" and found.is_file()
