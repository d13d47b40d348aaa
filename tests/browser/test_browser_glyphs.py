"""The browser shows the terminal's characters: a port's minus sign is not hidden by its arrow.

In ``serve`` the page draws the app with xterm.js, one glyph per cell. A glyph the
page's font lacks comes from whatever font the browser falls back to, and a wider
one (▶ from a proportional font) drew over the next cell: ``▶-0.0530`` read as
``▶0.0530``. Reading xterm.js's buffer alone cannot see that (the buffer holds the
minus either way), so this test finds every ``▶-`` and ``◀-`` in the buffer (a
forward phase, then a backward one) and looks at those cells in a screenshot: the
arrow's ink stays in its cell and the minus is a mark of its own. It does so with
this machine's fonts and with a fontconfig that leaves Chromium only a monospace font
without ▶ and a proportional one with a wide ▶ (textual-serve's own page fails
there, as in the issue's picture). It also checks that the page asked for nothing
but its own server (textual-serve's page asks Google Fonts).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import time
from contextlib import suppress
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason="textual-serve is not installed (pip install .)")
aiohttp = pytest.importorskip("aiohttp", reason="aiohttp comes with textual-serve")

import check_serve as cs  # noqa: E402  (tests/browser is on sys.path, as in test_browser_serve)

CHROMIUM = cs.find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium) and no $CHROMIUM")
ARROWS = ("▶", "◀")
MOST_STEPS = 12  # phases to step through looking for a negative port

# Before the page's scripts run: keep every xterm.js Terminal the page makes (textual.js
# assigns it to `this.terminal`), so the test can read its buffer and size.
KEEP_TERMINAL = """
window.__terminals = [];
Object.defineProperty(Object.prototype, 'terminal', {configurable: true,
  set(value) {
    Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true,
                                             enumerable: true});
    window.__terminals.push(value);
  }});
"""
# Where each arrow followed by a minus is: [row, column, the row's text], and the grid.
FIND_PORTS = """(() => {
  const term = window.__terminals[0], buf = term.buffer.active, hits = [];
  for (let y = 0; y < term.rows; y++) {
    const text = buf.getLine(buf.viewportY + y).translateToString(true);
    for (const arrow of ARROWS) {
      let x = text.indexOf(arrow + '-');
      while (x >= 0) { hits.push([y, x, text]); x = text.indexOf(arrow + '-', x + 1); }
    }
  }
  const box = document.querySelector('.xterm-screen').getBoundingClientRect();
  return {hits, cols: term.cols, rows: term.rows, left: box.left, top: box.top,
          width: box.width, height: box.height};
})()""".replace("ARROWS", json.dumps(ARROWS))
# For each hit, in the arrow's cell and the next: how far the arrow's ink (pixels far from
# the background) reaches past its cell, on any row; and the runs of ink along the row
# with the most, the minus's: the arrow, then the minus, apart.
INK_RUNS = """(async () => {
  const shot = SHOT, grid = GRID;
  const img = new Image(); img.src = 'data:image/png;base64,' + shot; await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
  const cw = grid.width / grid.cols, ch = grid.height / grid.rows, out = [];
  for (const [row, col] of grid.hits) {
    const x0 = Math.round(grid.left + col * cw), x2 = Math.round(grid.left + (col + 2) * cw);
    const y0 = Math.round(grid.top + row * ch), y1 = Math.round(grid.top + (row + 1) * ch);
    const edge = Math.round(grid.left + (col + 1) * cw) - x0;  // the next cell's first x
    const data = ctx.getImageData(x0, y0, x2 - x0, y1 - y0).data, w = x2 - x0;
    const px = (x, y) => data.slice((y * w + x) * 4, (y * w + x) * 4 + 3);
    const bg = px(w - 1, 0);
    const ink = (x, y) => px(x, y).reduce((s, v, i) => s + Math.abs(v - bg[i]), 0) > 200;
    let best = null, reach = 0;
    for (let y = 0; y < y1 - y0; y++) {
      let marks = '';
      for (let x = 0; x < w; x++) marks += ink(x, y) ? '#' : '.';
      const first = marks.indexOf('#');
      if (first >= 0 && first < edge) {
        const end = marks.indexOf('.', first);
        reach = Math.max(reach, (end < 0 ? w : end) - edge);
      }
      const count = marks.split('#').length - 1;
      if (!best || count > best.count) best = {count, marks};
    }
    const runs = best.marks.split(/\\.+/).filter(Boolean);
    out.push({row, col, reach, runs: runs.length, minus: runs[runs.length - 1].length,
              marks: best.marks, cell: edge});
  }
  return out;
})()"""
FONT_SIZE = 32  # twice textual-serve's 16 (and a window twice as large): pixels to look at
REACH_PX = 2
WINDOW = f"--window-size={1280 * FONT_SIZE // 16},{900 * FONT_SIZE // 16}"


async def look(chromium: str, work: Path, out: Path,
               env: dict[str, str] | None = None) -> tuple[list[dict], set[str], list[str]]:
    """Serve, open the page, step to phases with negative ports (▶ forward, then ◀
    backward; a screenshot of each): the ink at every such port, the arrows seen."""
    server = browser = None
    try:
        port = cs.free_port()
        url = f"http://127.0.0.1:{port}/?fontsize={FONT_SIZE}"
        server = cs.start_server(port, work)
        await cs.wait_http(url, server, work)
        profile = work / "profile"
        browser = subprocess.Popen(
            [chromium, *[WINDOW if f.startswith("--window-size") else f for f in cs.FLAGS],
             f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=(work / "chromium.err").open("wb"),
            start_new_session=True, env=env)
        endpoint = await cs.devtools_url(profile, browser)
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(endpoint, max_msg_size=0) as ws:
            cdp = Browser(ws)
            target = (await cdp.call("Target.createTarget", url="about:blank"))["targetId"]
            tab = (await cdp.call("Target.attachToTarget", targetId=target,
                                  flatten=True))["sessionId"]
            await cdp.call("Network.enable", tab)
            await cdp.call("Page.enable", tab)
            await cdp.call("Page.addScriptToEvaluateOnNewDocument", tab, source=KEEP_TERMINAL)
            await cdp.call("Page.navigate", tab, url=url)
            await cdp.until("the app drawing in the page", lambda: b"Parameters" in cdp.received)

            async def page(expr: str):
                res = await cdp.call("Runtime.evaluate", tab, expression=expr,
                                     returnByValue=True, awaitPromise=True)
                if "exceptionDetails" in res:
                    raise cs.CheckFailed(f"in the page: {res['exceptionDetails']}")
                return res["result"].get("value")

            await cdp.settle()
            await page("document.querySelector('.xterm-helper-textarea').focus()")
            found: list[dict] = []
            seen: set[str] = set()  # arrows looked at: ▶ forward, ◀ backward
            for step in range(MOST_STEPS):
                grid = await page(FIND_PORTS)
                if arrows := {text[col] for _, col, text in grid["hits"]} - seen:
                    seen |= arrows
                    shot = (await cdp.call("Page.captureScreenshot", tab))["data"]
                    out.with_name(f"{out.stem}-{step + 1}.png").write_bytes(
                        base64.b64decode(shot))
                    found += await page(INK_RUNS.replace("GRID", json.dumps(grid), 1)
                                        .replace("SHOT", json.dumps(shot), 1))
                if seen == set(ARROWS):
                    break
                cdp.received = b""
                for kind in ("keyDown", "keyUp"):
                    await cdp.call("Input.dispatchKeyEvent", tab, type=kind, key="n",
                                   code="KeyN", text="n" if kind == "keyDown" else "",
                                   windowsVirtualKeyCode=78)
                await cdp.until("the next phase", lambda: cs.PHASE.search(cdp.received))
                await cdp.settle()
            with suppress(Exception):
                await cdp.call("Browser.close")
            cdp.reader.cancel()
        with suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(browser.wait, 10)
        return found, seen, cdp.requested
    finally:
        cs.kill_group(browser)
        cs.kill_group(server)


class Browser(cs.DevTools):
    """check_serve's DevTools client, also keeping every URL the page requested."""

    def __init__(self, ws) -> None:
        self.requested: list[str] = []
        super().__init__(ws)

    async def _read(self) -> None:
        async for msg in self.ws:
            data = json.loads(msg.data)
            if data.get("method") == "Network.requestWillBeSent":
                self.requested.append(data["params"]["request"]["url"])
            elif "id" in data:
                fut = self.replies.pop(data["id"], None)
                if fut is not None and not fut.done():
                    fut.set_result(data)
            elif data.get("method") == "Network.webSocketFrameReceived":
                frame = data["params"]["response"]
                if frame["opcode"] == 2:
                    self.received += base64.b64decode(frame["payloadData"])
                    self.last_frame = time.monotonic()


def font_file(pattern: str) -> str | None:
    """The file fontconfig gives for ``pattern`` on this machine, if it is that family."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    found = subprocess.run([fc_match, "--format=%{file}\t%{family}", pattern],
                           capture_output=True, text=True, timeout=10).stdout.split("\t")
    family = pattern.split(":")[0]
    return found[0] if len(found) == 2 and family in found[1] and Path(found[0]).is_file() \
        else None


def wide_arrow_fonts(work: Path) -> dict[str, str]:
    """An environment in which Chromium's only fonts are a monospace font without ▶ and ◀
    and a proportional one whose ▶ is wider than a cell: the browser of the issue (the
    page as textual-serve sent it drew ▶-0.05303 as one mark here)."""
    mono, wide = font_file("Liberation Mono:style=Regular"), font_file("DejaVu Sans:style=Book")
    if mono is None or wide is None:
        pytest.skip("needs Liberation Mono and DejaVu Sans to make a browser that draws ▶ wide")
    fonts = work / "fonts"
    fonts.mkdir()
    for path in (mono, wide):
        (fonts / Path(path).name).symlink_to(path)
    conf = work / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{work / "fc-cache"}</cachedir>
<alias><family>monospace</family><prefer><family>Liberation Mono</family></prefer></alias>
</fontconfig>
""")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.mark.parametrize("fonts", ["this machine's", "a wide arrow"])
def test_a_negative_port_shows_its_minus_after_the_arrow(tmp_path: Path, fonts: str) -> None:
    assert CHROMIUM is not None
    env = wide_arrow_fonts(tmp_path) if fonts == "a wide arrow" else None
    out = tmp_path / "ports.png"  # ports-1.png, ports-N.png: looked at as pictures
    start = time.monotonic()
    found, seen, requested = asyncio.run(asyncio.wait_for(
        look(CHROMIUM, tmp_path, out, env), cs.TOTAL_SECONDS))
    assert time.monotonic() - start < cs.TOTAL_SECONDS
    assert seen == set(ARROWS), f"no phase within reach shows ▶- and ◀- (saw {seen})"
    assert found
    for hit in found:
        where = f"row {hit['row']} col {hit['col']}, {hit['cell']} px cells: {hit['marks']}"
        # The arrow stays in its cell (xterm.js rounds cells down to whole pixels, so a
        # glyph as wide as the font's advance may reach a pixel or two further)...
        assert hit["reach"] <= REACH_PX, f"the arrow runs {hit['reach']} px on ({where})"
        # ...and the next cell shows the minus, a mark of its own.
        assert hit["runs"] >= 2, f"the arrow and the minus are one mark ({where})"
        assert hit["minus"] >= hit["cell"] // 4, f"the minus is cut short ({where})"
    foreign = [u for u in requested if not u.startswith(("http://127.0.0.1", "data:"))]
    assert not foreign, f"the page asked for something off this server: {foreign}"
