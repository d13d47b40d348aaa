"""Real-browser check of ``backprop-tui serve``: headless Chromium opens the page and steps.

    python tests/browser/check_serve.py [--out FILE.png] [--chromium PATH]

Starts the server on a free loopback port, opens it in headless Chromium (driven
over the DevTools protocol, with the aiohttp client textual-serve brings along),
waits for the app to draw, presses ``n`` in the page, and checks that the
browser received the next phase and that its screen changed. Saves the screen
after the key as a PNG and prints a one-line verdict: exit 0 on pass, 1 on fail,
0 with "skipped: no chromium" where no Chromium is installed. Everything it
starts runs in process groups killed on the way out, within about a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from contextlib import suppress
from pathlib import Path

TOTAL_SECONDS = 60.0
STEP_SECONDS = 25.0  # any one wait
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless, no sandbox (containers), and nothing that phones home or waits on the network.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,900", "--remote-debugging-port=0"]
PHASE = re.compile(rb"phase (\d+)/11")


class CheckFailed(Exception):
    """What the browser did not do, in one line."""


def find_chromium(given: str | None = None) -> str | None:
    """The browser named by --chromium (only that one), else $CHROMIUM or the usual names."""
    names = (given,) if given else (os.environ.get("CHROMIUM"), *CHROMIUM_NAMES)
    for name in names:
        if name and (path := shutil.which(name)):
            return path
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kill_group(proc: subprocess.Popen | None) -> None:
    """SIGTERM the leader (the server stops its apps), then SIGKILL whatever is left."""
    if proc is None:
        return
    with suppress(ProcessLookupError):
        proc.terminate()
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def png_facts(png: bytes) -> tuple[int, int, int]:
    """Width, height and how many distinct byte values the pixels use (1-2: a blank page)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise CheckFailed("the screenshot is not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    pos, idat = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        if png[pos + 4:pos + 8] == b"IDAT":
            idat += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


class DevTools:
    """A minimal DevTools-protocol client: commands by id, events kept in arrival order."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.next_id = 0
        self.replies: dict[int, asyncio.Future] = {}
        self.received = b""          # the app's terminal stream, as the page received it
        self.sent: list[str] = []    # what the page sent to the server
        self.last_frame = time.monotonic()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            data = json.loads(msg.data)
            if "id" in data:
                fut = self.replies.pop(data["id"], None)
                if fut is not None and not fut.done():
                    fut.set_result(data)
            elif data.get("method") == "Network.webSocketFrameReceived":
                frame = data["params"]["response"]
                if frame["opcode"] == 2:
                    self.received += base64.b64decode(frame["payloadData"])
                    self.last_frame = time.monotonic()
            elif data.get("method") == "Network.webSocketFrameSent":
                self.sent.append(data["params"]["response"]["payloadData"])

    async def call(self, method: str, session: str | None = None, **params) -> dict:
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.replies[self.next_id] = fut
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        await self.ws.send_str(json.dumps(msg))
        reply = await asyncio.wait_for(fut, STEP_SECONDS)
        if "error" in reply:
            raise CheckFailed(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    async def until(self, what: str, test) -> None:
        deadline = time.monotonic() + STEP_SECONDS
        while not test():
            if time.monotonic() > deadline:
                raise CheckFailed(f"{what}: not within {STEP_SECONDS:g} s")
            await asyncio.sleep(0.05)

    async def settle(self, quiet: float = 1.0) -> None:
        """Until the app has sent nothing for `quiet` seconds from now (its layout settled)."""
        start = time.monotonic()
        await self.until("the screen to settle",
                         lambda: time.monotonic() - max(start, self.last_frame) > quiet)


def start_server(port: int, log_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "backprop_tui", "serve", "--port", str(port)],
        stdout=(log_dir / "serve.out").open("wb"), stderr=(log_dir / "serve.err").open("wb"),
        start_new_session=True)


async def wait_http(url: str, server: subprocess.Popen, log_dir: Path) -> None:
    deadline = time.monotonic() + STEP_SECONDS
    while True:
        if server.poll() is not None:
            raise CheckFailed(f"the server exited: {(log_dir / 'serve.err').read_text()}")
        try:
            await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=2).read())
            return
        except OSError:
            if time.monotonic() > deadline:
                raise CheckFailed(f"{url} did not answer") from None
            await asyncio.sleep(0.2)


async def devtools_url(profile: Path, browser: subprocess.Popen) -> str:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + STEP_SECONDS
    while True:
        lines = port_file.read_text().split() if port_file.exists() else []
        if len(lines) == 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        if browser.poll() is not None:
            raise CheckFailed(f"Chromium exited with status {browser.returncode}")
        if time.monotonic() > deadline:
            raise CheckFailed("Chromium did not open its DevTools port")
        await asyncio.sleep(0.1)


async def drive(chromium: str, out: Path, work: Path) -> str:
    import aiohttp

    server = browser = None
    try:
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        server = start_server(port, work)
        await wait_http(url, server, work)
        profile = work / "profile"
        browser = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=(work / "chromium.err").open("wb"),
            start_new_session=True)
        endpoint = await devtools_url(profile, browser)
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(endpoint, max_msg_size=0) as ws:
            cdp = DevTools(ws)
            version = (await cdp.call("Browser.getVersion"))["product"]
            target = (await cdp.call("Target.createTarget", url="about:blank"))["targetId"]
            tab = (await cdp.call("Target.attachToTarget", targetId=target,
                                  flatten=True))["sessionId"]
            await cdp.call("Network.enable", tab)
            await cdp.call("Page.enable", tab)
            await cdp.call("Page.navigate", tab, url=url)
            await cdp.until("the app drawing in the page",
                            lambda: b"Parameters" in cdp.received or b"Network" in cdp.received)

            async def page_says(expr: str):
                res = await cdp.call("Runtime.evaluate", tab, expression=expr,
                                     returnByValue=True)
                return res["result"].get("value")

            await cdp.settle()
            if not await page_says("document.body.classList.contains('-first-byte')"):
                raise CheckFailed("the page did not show the terminal")
            first = PHASE.findall(cdp.received)
            if not first or first[-1] != b"1":
                raise CheckFailed(f"the app did not start at phase 1/11: {first[-3:]}")
            before = base64.b64decode((await cdp.call("Page.captureScreenshot", tab))["data"])

            cdp.received = b""
            await page_says("document.querySelector('.xterm-helper-textarea').focus()")
            for kind in ("keyDown", "keyUp"):
                await cdp.call("Input.dispatchKeyEvent", tab, type=kind, key="n", code="KeyN",
                               text="n" if kind == "keyDown" else "",
                               windowsVirtualKeyCode=78)
            await cdp.until("the page sending the key", lambda: any(
                json.loads(s) == ["stdin", "n"] for s in cdp.sent if s.startswith("[")))
            await cdp.until("phase 2/11 after the key",
                            lambda: PHASE.findall(cdp.received)[-1:] == [b"2"])
            await cdp.settle()
            after = base64.b64decode((await cdp.call("Page.captureScreenshot", tab))["data"])
            # Closed from inside, Chromium reaps its own helper processes.
            with suppress(Exception):
                await cdp.call("Browser.close")
            cdp.reader.cancel()
        with suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(browser.wait, 10)
        width, height, shades = png_facts(after)
        if shades < 16:
            raise CheckFailed(f"the screenshot is blank ({shades} byte values)")
        if after == before:
            raise CheckFailed("the screen did not change after the key")
        out.write_bytes(after)
        return (f"pass: {version} drew the app at phase 1/11, 'n' pressed in the page took it "
                f"to phase 2/11 and changed the screen; screenshot {out} ({width}x{height})")
    finally:
        kill_group(browser)
        kill_group(server)


def run_check(out: Path, chromium: str | None = None) -> tuple[int, str]:
    """(exit status, verdict line); a missing Chromium is a skip, status 0."""
    path = find_chromium(chromium)
    if path is None and chromium:
        return 1, f"fail: no browser at {chromium}"
    if path is None:
        return 0, "skipped: no chromium (apt-get install chromium, or --chromium PATH)"
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return 1, "fail: aiohttp is missing (pip install . brings it, with textual-serve)"
    with tempfile.TemporaryDirectory(prefix="backprop-tui-browser-") as tmp:
        try:
            return 0, asyncio.run(asyncio.wait_for(drive(path, out, Path(tmp)), TOTAL_SECONDS))
        except (asyncio.TimeoutError, TimeoutError):
            return 1, f"fail: the check did not finish within {TOTAL_SECONDS:g} s"
        except CheckFailed as err:
            return 1, f"fail: {err}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=Path(tempfile.gettempdir()) / "backprop-tui-serve.png",
                        help="where to save the screenshot (default: in the temp directory)")
    parser.add_argument("--chromium", help="the browser to drive (default: chromium on PATH)")
    args = parser.parse_args()
    status, verdict = run_check(args.out, args.chromium)
    print(verdict)
    return status


if __name__ == "__main__":
    sys.exit(main())
