"""``backprop-tui serve`` as a teacher runs it: a real server, a real websocket, real keys.

The server runs as a subprocess in its own process group, killed whole in a
``finally``, so a failing test leaves no app behind. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason="textual-serve is not installed "
                                            "(pip install textual-serve, or pip install .)")
aiohttp = pytest.importorskip("aiohttp", reason="aiohttp comes with textual-serve")

from backprop_tui.serve import child_pids  # noqa: E402 - after the skips above

WAIT = 30.0  # seconds, the most any one wait may take
LINUX_PROC = Path("/proc/self/stat").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "backprop_tui", "serve", *args]


def run_serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(serve_cmd(*args), capture_output=True, text=True, timeout=WAIT)


def children_of(pid: int) -> set[int]:
    return set(child_pids(pid))


@contextmanager
def server(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A running ``serve`` on a free loopback port (unless args say otherwise), page answering."""
    port = free_port()
    out = (tmp_path / "serve.out").open("wb")
    err = (tmp_path / "serve.err").open("wb")
    proc = subprocess.Popen(serve_cmd("--port", str(port), *args), stdout=out, stderr=err,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve exited {proc.returncode}: "
                            f"{(tmp_path / 'serve.err').read_text()}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer in time"
                time.sleep(0.2)
        yield proc, port
    finally:
        with suppress(ProcessLookupError):
            proc.terminate()                     # the server stops its apps ...
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=WAIT)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # ... and whatever is left of the group goes
        proc.wait(timeout=WAIT)
        out.close()
        err.close()


class Terminal:
    """One browser tab, as textual-serve's page speaks to it: JSON up, terminal bytes down."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.stream = b""

    async def read_until(self, *needles: bytes) -> bytes:
        """Everything received until one of the needles appears (the stream is then reset)."""
        deadline = asyncio.get_running_loop().time() + WAIT
        while not any(n in self.stream for n in needles):
            left = deadline - asyncio.get_running_loop().time()
            try:
                msg = await asyncio.wait_for(self.ws.receive(), max(left, 0))
            except asyncio.TimeoutError:
                pytest.fail(f"none of {needles} within {WAIT:g} s; "
                            f"received {len(self.stream)} bytes, last: {self.stream[-300:]!r}")
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.stream += msg.data
            elif msg.type != aiohttp.WSMsgType.TEXT:
                pytest.fail(f"websocket ended: {msg.type} {msg.data!r}")
        seen, self.stream = self.stream, b""
        return seen

    async def key(self, text: str) -> None:
        await self.ws.send_str(json.dumps(["stdin", text]))


async def drive_one_tab(port: int, on_open=None) -> tuple[bytes, bytes]:
    """Open a tab, wait for the first drawing, press n, wait for phase 2; both streams."""
    async with aiohttp.ClientSession() as http, \
            http.ws_connect(f"http://127.0.0.1:{port}/ws?width=120&height=40") as ws:
        term = Terminal(ws)
        first = await term.read_until(b"Parameters", b"Network")
        assert b"phase 2/11" not in first
        if on_open is not None:
            on_open()
        await term.key("n")
        after = await term.read_until(b"phase 2/11")
        return first, after


# ---- bad input: one line, exit 2, no server ---------------------------------------------

@pytest.mark.parametrize(("args", "words"), [
    (["--port", "0"], "0 is not a port number (1-65535)"),
    (["--port", "65536"], "65536 is not a port number"),
    (["--port", "eight"], "'eight' is not a port number"),
    (["--port"], "expected one argument"),
    (["--dataset", "iris"], "the app's options go after '--'"),
    (["--", "--datset", "iris"], "unrecognized arguments: --datset iris"),
    (["--", "--dataset", "no-such-file.csv"], "no-such-file.csv"),
    (["--", "--hidden", "lots"], "--hidden"),
    (["--", "--hidden", "4,,3"], "an empty layer size"),
    (["--", "--activation", "tahn"], "did you mean tanh"),
    (["--", "--output", "softmax"], "needs classes"),
    (["--host", "no-such-host.invalid"], "--host no-such-host.invalid: cannot listen"),
    (["--public-url", "class.example.org"], "--public-url"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], words: str) -> None:
    proc = run_serve(*args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backprop-tui: error: "), proc.stderr
    assert words in lines[0]
    assert proc.stdout == ""


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = run_serve("--port", str(port))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"backprop-tui: error: cannot listen on 127.0.0.1 port {port}: " \
                                  "in use"


def test_help_names_serve_and_its_example() -> None:
    top = subprocess.run([sys.executable, "-m", "backprop_tui", "--help"], capture_output=True,
                         text=True, timeout=WAIT)
    assert "serve" in top.stdout
    own = run_serve("--help")
    assert own.returncode == 0
    assert "serve --port 8000 -- --dataset iris --normalize" in own.stdout


# ---- the server itself -----------------------------------------------------------------

def test_a_tab_draws_the_app_with_its_options_and_a_key_changes_it(tmp_path: Path) -> None:
    with server(tmp_path, "--", "--dataset", "iris", "--normalize") as (proc, port):
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=WAIT).read().decode()
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
        assert "<div>backprop-tui</div>" in page
        first, after = asyncio.run(drive_one_tab(port))
        assert b"iris" in first and b"phase 1/11" in first   # the options reached the app
        # The first drawing is followed by a few more as the layout settles; the last
        # title drawn after the key is the next phase.
        assert re.findall(rb"phase \d+/11", after)[-1] == b"phase 2/11"
        err = (tmp_path / "serve.err").read_text()
        assert "warning" not in err    # loopback: no warning; --normalize: no data warning
        out = (tmp_path / "serve.out").read_text()
        assert f"serving the app at http://127.0.0.1:{port}" in out.splitlines()[0]


def test_a_server_without_files_dir_says_its_fresh_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with server(tmp_path):
        lines = (tmp_path / "serve.out").read_text().splitlines()
    assert lines[0].startswith("backprop-tui: serving the app at")
    fresh = re.search(r"files the tabs save go to (\S+) ", lines[1])
    assert fresh and Path(fresh.group(1)).parent == tmp_path, lines


def test_two_tabs_get_two_apps_and_sigterm_stops_the_server_and_both(tmp_path: Path) -> None:
    apps: set[int] = set()

    async def two_tabs(port: int) -> None:
        record = (lambda: apps.update(children_of(proc.pid))) if LINUX_PROC else None
        await asyncio.gather(drive_one_tab(port, record), drive_one_tab(port, record))

    async def hold_tab_then_stop(port: int) -> None:
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(f"http://127.0.0.1:{port}/ws?width=100&height=30") as ws:
            await Terminal(ws).read_until(b"Parameters", b"Network")
            if LINUX_PROC:
                apps.update(children_of(proc.pid))
            proc.send_signal(signal.SIGTERM)     # the server alone, not its process group
            msg = await asyncio.wait_for(ws.receive(), WAIT)
            while msg.type == aiohttp.WSMsgType.BINARY:
                msg = await asyncio.wait_for(ws.receive(), WAIT)
            assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                aiohttp.WSMsgType.CLOSING)

    with server(tmp_path) as (proc, port):
        asyncio.run(two_tabs(port))
        if LINUX_PROC:   # a closed tab's app ends with it
            deadline = time.monotonic() + WAIT
            while children_of(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert children_of(proc.pid) == set()
        asyncio.run(hold_tab_then_stop(port))
        assert proc.wait(timeout=WAIT) == 0
    if LINUX_PROC:
        assert len(apps) >= 2
        alive = [pid for pid in apps if Path(f"/proc/{pid}").exists()
                 and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
        assert alive == []


def test_ctrl_c_stops_the_server_and_its_apps(tmp_path: Path) -> None:
    """Ctrl+C in a terminal signals the whole foreground group: server and apps together."""
    async def open_tab(port: int) -> None:
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(f"http://127.0.0.1:{port}/ws?width=100&height=30") as ws:
            await Terminal(ws).read_until(b"Parameters", b"Network")
            os.killpg(proc.pid, signal.SIGINT)
            async for _ in ws:    # a browser answers the server's close; so does this
                pass
            await asyncio.wait_for(proc_exit(), WAIT)

    async def proc_exit() -> None:
        while proc.poll() is None:
            await asyncio.sleep(0.05)

    with server(tmp_path) as (proc, port):
        asyncio.run(open_tab(port))
        assert proc.returncode == 0
        # Nothing of the group is left: killpg finds no process.
        with pytest.raises(ProcessLookupError):
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                os.killpg(proc.pid, 0)
                time.sleep(0.1)


def test_another_host_warns_and_the_page_points_at_the_address_the_browser_used(
        tmp_path: Path) -> None:
    with server(tmp_path, "--host", "0.0.0.0") as (_, port):
        err = (tmp_path / "serve.err").read_text().strip().splitlines()
        assert len(err) == 1 and err[0].startswith("backprop-tui: warning: listening on 0.0.0.0")
        assert "anyone who can reach this address can drive the app" in err[0]
        for host, expected in [(f"10.1.2.3:{port}", f"ws://10.1.2.3:{port}/ws"),
                               ('evil"><script>x', f"ws://127.0.0.1:{port}/ws")]:
            with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
                sock.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                             .encode())
                reply = b""
                while chunk := sock.recv(65536):
                    reply += chunk
            assert b"<script>x" not in reply
            if reply.startswith(b"HTTP/1.1 200"):
                assert f'data-session-websocket-url="{expected}"'.encode() in reply


def test_a_public_url_is_used_as_given(tmp_path: Path) -> None:
    with server(tmp_path, "--public-url", "https://class.example.org") as (_, port):
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=WAIT).read().decode()
        assert 'data-session-websocket-url="wss://class.example.org/ws"' in page
        out = (tmp_path / "serve.out").read_text()
        assert "serving the app at https://class.example.org" in out


@pytest.mark.skipif(not LINUX_PROC, reason="child processes are found through Linux /proc")
def test_stop_children_kills_a_child_that_ignores_sigterm() -> None:
    """The last resort at shutdown, run in a process of its own so no other child is hit."""
    code = (
        "import subprocess, sys, time\n"
        "from backprop_tui.serve import child_pids, stop_children\n"
        "ignore = 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print(1, flush=True); time.sleep(120)'\n"
        "kids = [subprocess.Popen([sys.executable, '-c', ignore], stdout=subprocess.PIPE) "
        "for _ in range(2)]\n"
        "[k.stdout.readline() for k in kids]\n"
        "assert sorted(child_pids()) == sorted(k.pid for k in kids), child_pids()\n"
        "start = time.monotonic(); stop_children(1.0)\n"
        "assert [k.wait(5) for k in kids] == [-9, -9]\n"
        "assert child_pids() == [] and time.monotonic() - start < 5\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=WAIT)
    assert done.returncode == 0, done.stderr


def test_app_options_reach_each_tab_unmangled_by_the_shell(tmp_path: Path) -> None:
    """textual-serve runs a shell command per tab: spaces, quotes and $ must survive it."""
    csv = tmp_path / "it's my $HOME data.csv"
    csv.write_text("a,b,c,t\n" + "".join(f"{i % 7 / 7},{i % 5 / 5},{i % 3 / 3},{i % 4 / 4}\n"
                                         for i in range(30)))
    async def first_drawing(port: int) -> bytes:
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(f"http://127.0.0.1:{port}/ws?width=200&height=40") as ws:
            return await Terminal(ws).read_until(b"Parameters", b"Network")

    with server(tmp_path, "--", "--dataset", str(csv), "--lr", "0.25") as (_, port):
        first = asyncio.run(first_drawing(port))
    assert csv.name.encode() in first
    assert b"1/24" in first            # 30 rows, 20 % held out by default
    assert b"0.25" in first


# ---- a class's worth of tabs ---------------------------------------------------------------

def test_past_max_sessions_the_next_visitor_reads_that_the_server_is_full(
        tmp_path: Path) -> None:
    """--max-sessions 1: a second tab starts no app; its page, or the terminal of a page
    loaded before, says why; once the first tab closes, a tab gets an app again."""
    full = b"this server is full: it runs at most 1 app at once, one per browser tab " \
           b"(serve --max-sessions 1)"

    async def second_is_refused(port: int) -> bytes:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width=100&height=30") as one:
                await Terminal(one).read_until(b"Parameters", b"Network")
                async with http.get(f"http://127.0.0.1:{port}/") as page:
                    assert page.status == 503 and page.headers["Retry-After"] == "60"
                    assert full.decode() in (await page.text())
                async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width=100&height=30"
                                           ) as two:
                    said = await Terminal(two).read_until(b"in a minute.")
                    assert len(children_of(proc.pid) if LINUX_PROC else {0}) == 1
            deadline = time.monotonic() + WAIT  # the first tab's app ends with its socket
            while LINUX_PROC and children_of(proc.pid) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width=100&height=30"
                                       ) as three:
                await Terminal(three).read_until(b"Parameters", b"Network")
            return said

    with server(tmp_path, "--max-sessions", "1") as (proc, port):
        said = asyncio.run(second_is_refused(port))
    assert full in said and b"\r\n" in said
    assert "Traceback" not in (tmp_path / "serve.out").read_text()
    assert "Traceback" not in (tmp_path / "serve.err").read_text()


@pytest.mark.parametrize("args", [["--max-sessions", "0"], ["--max-sessions", "many"],
                                  ["--max-sessions", "10001"]])
def test_a_bad_max_sessions_is_one_line(args: list[str]) -> None:
    proc = run_serve(*args)
    assert proc.returncode == 2
    assert proc.stderr.startswith("backprop-tui: error: argument --max-sessions: ")
    assert len(proc.stderr.splitlines()) == 1


@pytest.mark.skipif(not LINUX_PROC, reason="child processes are found through Linux /proc")
def test_a_busy_tabs_app_ends_within_seconds_when_its_socket_is_cut(tmp_path: Path) -> None:
    """A browser that vanishes (killed, network gone) sends no close: the app ends anyway,
    even in the middle of a long run, so its slot and memory come back."""
    client = (
        "import asyncio, json, sys, aiohttp\n"
        "async def main():\n"
        "    async with aiohttp.ClientSession() as http, http.ws_connect(sys.argv[1]) as ws:\n"
        "        seen = b''\n"
        "        while b'Parameters' not in seen and b'Network' not in seen:\n"
        "            msg = await ws.receive()\n"
        "            seen += msg.data if isinstance(msg.data, bytes) else b''\n"
        "        for key in ('E', '1000000', '\\r'):\n"
        "            await ws.send_str(json.dumps(['stdin', key]))\n"
        "            await asyncio.sleep(0.5)\n"
        "        print('running', flush=True)\n"
        "        await asyncio.sleep(120)\n"
        "asyncio.run(main())\n")
    with server(tmp_path) as (proc, port):
        tab = subprocess.Popen([sys.executable, "-c", client,
                                f"http://127.0.0.1:{port}/ws?width=100&height=30"],
                               stdout=subprocess.PIPE)
        try:
            assert tab.stdout is not None and tab.stdout.readline() == b"running\n"
            assert len(children_of(proc.pid)) == 1
        finally:
            tab.kill()
            tab.wait(timeout=WAIT)
        cut = time.monotonic()
        while children_of(proc.pid) and time.monotonic() - cut < WAIT:
            time.sleep(0.05)
        assert children_of(proc.pid) == set()
        assert time.monotonic() - cut < 10
