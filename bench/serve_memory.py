"""Memory of idle ``serve`` tabs: the PSS and RSS of each tab's app process (Linux).

Why: a class opens 20-40 tabs on one machine, and ``serve --max-sessions`` and the
README's figure per tab must come from a measurement, not a guess (issue 17: 20 tabs
took 1.9 GB). PSS (proportional set size) splits each shared page (Python, numpy and
Textual's code mapped by every tab) among the processes sharing it, so N tabs' PSS
add up to what they really take; RSS counts every shared page in every process, so
its sum overstates (it is what ``top`` and ``ps`` show).

It starts ``backprop-tui serve`` on a free 127.0.0.1 port (its own process group,
killed whole at the end), opens ``--tabs`` websocket sessions as browsers do (aiohttp's
client, the page's own protocol), waits until each has drawn the app, lets them sit
idle ``--idle`` seconds, then reads ``/proc/PID/smaps_rollup`` of every app process.
Every wait is bounded (``--timeout`` for the whole run); at most 40 tabs.

    python bench/serve_memory.py [--tabs N] [--size COLSxROWS] [--run-epochs N] [--idle S]
                                 [--timeout S] [-- APP OPTIONS]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from backprop_tui.serve import child_pids

MAX_TABS = 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory_kib(pid: int) -> dict[str, int]:
    """Pss and Rss of a process, in KiB, from smaps_rollup."""
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Pss", "Rss"):
            found[key] = int(rest.split()[0])
    return found


async def open_tabs(port: int, tabs: int, size: str, keys: list[str], deadline: float
                    ) -> list:
    """``tabs`` sessions, each drawn once; returned open (with their client session)."""
    import aiohttp

    http = aiohttp.ClientSession()
    sockets = []
    for _ in range(tabs):
        width, height = size.split("x")
        ws = await http.ws_connect(f"http://127.0.0.1:{port}/ws?width={width}&height={height}")
        sockets.append(ws)
        seen = b""
        while b"Parameters" not in seen and b"Network" not in seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"tab {len(sockets)} did not draw in time")
            msg = await asyncio.wait_for(ws.receive(), left)
            if msg.type == aiohttp.WSMsgType.BINARY:
                seen += msg.data
            elif msg.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"tab {len(sockets)} ended: {msg.type} {msg.data!r}")
        for text in keys:  # as typed, a pause after each (a dialog opening)
            await ws.send_str(json.dumps(["stdin", text]))
            await asyncio.sleep(0.5)
    return [http, *sockets]


async def measure(port: int, server: int, args: argparse.Namespace, deadline: float
                  ) -> list[dict[str, int]]:
    import aiohttp

    keys = ["E", args.run_epochs, "\r"] if args.run_epochs else []
    held = await open_tabs(port, args.tabs, args.size, keys, deadline)
    http, sockets = held[0], held[1:]
    try:
        end = time.monotonic() + args.idle
        while time.monotonic() < end:  # idle, but answering as a browser's socket does
            for ws in sockets:
                try:
                    msg = await asyncio.wait_for(ws.receive(), 0.05)
                except asyncio.TimeoutError:
                    continue
                if msg.type not in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                    raise RuntimeError(f"a tab ended while idle: {msg.type}")
        return [memory_kib(pid) for pid in child_pids(server)]
    finally:
        for ws in sockets:
            await ws.close()
        await http.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=10, help=f"tabs to open (1..{MAX_TABS})")
    parser.add_argument("--size", default="120x40", help="each tab's terminal, COLSxROWS")
    parser.add_argument("--run-epochs", metavar="N",
                        help="in each tab, run N epochs first (E): a tab that has used the "
                             "compiled kernel (numba loaded) rather than a fresh one")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds idle before reading")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for everything")
    parser.add_argument("app", nargs=argparse.REMAINDER, help="app options after --")
    args = parser.parse_args()
    if not 1 <= args.tabs <= MAX_TABS:
        parser.error(f"--tabs must be in 1..{MAX_TABS}")
    if not Path("/proc/self/smaps_rollup").exists():
        print("skipped: no /proc/PID/smaps_rollup (Linux 4.14+ only)")
        return 0
    app = args.app[1:] if args.app[:1] == ["--"] else args.app
    port = free_port()
    deadline = time.monotonic() + args.timeout
    proc = subprocess.Popen([sys.executable, "-m", "backprop_tui", "serve", "--port", str(port),
                             "--max-sessions", str(args.tabs), "--", *app],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"serve exited with status {proc.returncode}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not answer in time") from None
                time.sleep(0.2)
        apps = asyncio.run(measure(port, proc.pid, args, deadline))
        server = memory_kib(proc.pid)
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    pss = [m["Pss"] / 1024 for m in apps]
    rss = [m["Rss"] / 1024 for m in apps]
    ran = f", after E {args.run_epochs}" if args.run_epochs else ""
    print(f"{len(apps)} idle tabs of {args.size}{ran} (app options: {' '.join(app) or 'none'})"
          ", MiB per tab's app:")
    print(f"  PSS  mean {statistics.mean(pss):6.1f}  min {min(pss):6.1f}  max {max(pss):6.1f}"
          f"  sum {sum(pss):7.1f}")
    print(f"  RSS  mean {statistics.mean(rss):6.1f}  min {min(rss):6.1f}  max {max(rss):6.1f}"
          f"  sum {sum(rss):7.1f}")
    print(f"  server: PSS {server['Pss'] / 1024:.1f}, RSS {server['Rss'] / 1024:.1f}")
    print(f"  total PSS (server + tabs): {sum(pss) + server['Pss'] / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
