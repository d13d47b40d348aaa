"""The page ``serve`` sends: textual-serve's, with fonts from this server and none from the web.

textual-serve's page asks Google Fonts for "Roboto Mono" (which a classroom without
internet cannot load) and its xterm.js draws with ``'Roboto Mono', Monaco, 'Courier
New', monospace``. Any character that font lacks (the diagram's ▶ and ◀, braille
edges, σ) then comes from whatever font the *browser's* machine falls back to, and
xterm.js draws it from its cell's left edge at that font's width: a proportional
▶ ran over the next cell and covered the minus of ``▶-0.0530``. So the page defines
"Roboto Mono" itself, as one family of faces served from here: Roboto Mono (the
files textual-serve ships) for what it has, then DejaVu Sans Mono (from this
machine's fonts, when it has them) for the rest, whose glyphs are one cell wide.
The terminal is opened only once the fonts are loaded (at most a few seconds), so
xterm.js measures its cells in them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

# DejaVu Sans Mono: the usual places (Debian/Ubuntu, Fedora, Arch, Homebrew), then fontconfig.
SYMBOL_FONT_NAME = "DejaVuSansMono.ttf"
SYMBOL_FONT_PLACES = (
    "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu-sans-mono-fonts",
    "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF", "/usr/local/share/fonts",
    "/opt/homebrew/share/fonts", "/Library/Fonts")
SYMBOL_FONT_ROUTE = "/fonts/" + SYMBOL_FONT_NAME
FONTS_WAIT_MS = 3000  # the page opens the terminal anyway after this long
WEB_FONT_LINK = re.compile(r"\s*<link[^>]*fonts\.googleapis\.com[^>]*>", re.S)
TEXTUAL_JS = re.compile(r'(<script src="[^"]*js/textual\.js"></script>)')

# The faces of the one family textual.js asks for, each pair with the same weights and
# styles: the browser tries the last rule first and moves back to an earlier one for a
# character that face has no glyph of (faces that differ in them would not combine).
FONT_FACES = """
    <style>
{%- if symbol_font_url %}
      @font-face { font-family: "Roboto Mono"; font-weight: 100 700;
                   src: url("{{ symbol_font_url }}"); }
      @font-face { font-family: "Roboto Mono"; font-weight: 100 700; font-style: italic;
                   src: url("{{ symbol_font_url }}"); }
{%- endif %}
      @font-face { font-family: "Roboto Mono"; font-weight: 100 700;
                   src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf"); }
      @font-face { font-family: "Roboto Mono"; font-weight: 100 700; font-style: italic;
                   src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf");
      }
    </style>"""
# textual.js opens the terminal in window.onload: the same, once the faces have loaded.
OPEN_AFTER_FONTS = """
    <script>
      (() => {
        const open = window.onload;
        window.onload = (event) => {  // (the faces below are parsed by now)
          const faces = ["400", "700", "italic 400"].map((style) =>
            document.fonts.load(style + ' 16px "Roboto Mono"', "W\u25b6\u25c0\u03c3\u28ff"));
          const late = new Promise((done) => setTimeout(done, WAIT_MS));
          Promise.race([Promise.allSettled(faces), late]).then(() => open(event));
        };
      })();
    </script>""".replace("WAIT_MS", str(FONTS_WAIT_MS))


def symbol_font() -> Path | None:
    """This machine's DejaVu Sans Mono, if it has one (none: Roboto Mono and the browser's
    own fallback fonts, as before)."""
    for place in SYMBOL_FONT_PLACES:
        if (path := Path(place) / SYMBOL_FONT_NAME).is_file():
            return path
    if fc_match := shutil.which("fc-match"):
        try:
            found = subprocess.run([fc_match, "--format=%{file}", "DejaVu Sans Mono:style=Book"],
                                   capture_output=True, text=True, timeout=5).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        if Path(found).name == SYMBOL_FONT_NAME and Path(found).is_file():
            return Path(found)
    return None


@lru_cache(maxsize=1)
def page_template(original: Path) -> Any:
    """textual-serve's page (``original``) without the web font, with ours and the wait."""
    import jinja2

    text = WEB_FONT_LINK.sub("", original.read_text(encoding="utf-8"))
    text = TEXTUAL_JS.sub(lambda m: m.group(1) + OPEN_AFTER_FONTS, text, count=1)
    text = text.replace("</head>", FONT_FACES + "\n  </head>", 1)
    return jinja2.Environment(autoescape=True).from_string(text)


class PageMixin:
    """For textual-serve's Server: the page above, and the symbol font at SYMBOL_FONT_ROUTE."""

    templates_path: Path
    public_url: str
    symbol_font_path: Path | None = None

    async def _make_app(self) -> Any:  # textual-serve's routes, and one for the font
        app = await super()._make_app()  # type: ignore[misc]
        self.symbol_font_path = symbol_font()
        if self.symbol_font_path is not None:
            app.router.add_get(SYMBOL_FONT_ROUTE, self.handle_symbol_font)
        return app

    async def handle_symbol_font(self, request: Any) -> Any:
        """The font file, cached a day: every tab of a class loads it."""
        from aiohttp import web

        assert self.symbol_font_path is not None
        return web.FileResponse(self.symbol_font_path, headers={
            "Content-Type": "font/ttf", "Cache-Control": "max-age=86400"})

    async def render_page(self, request: Any) -> Any:
        """The page for ``request``: textual-serve's values in our template."""
        from aiohttp import web
        from textual_serve.server import Server

        context = await Server.handle_index.__wrapped__(self, request)  # undecorated
        context["symbol_font_url"] = (f"{self.public_url}{SYMBOL_FONT_ROUTE}"
                                      if self.symbol_font_path is not None else "")
        page = page_template(Path(self.templates_path) / "app_index.html").render(context)
        return web.Response(text=page, content_type="text/html")
