"""The teacher's server itself: three GET routes, run on the publisher's event loop.

``GET /session`` is the latest state message, ``GET /data`` the teacher's CSV (when
the dataset is a file), ``GET /follow`` a websocket that sends the latest state on
connect and each newer one after. Everything here runs on one event loop thread;
the publisher's thread only calls :meth:`Hub.set_latest` through the loop.

The teacher's app and this loop share one interpreter lock, so what the loop does
per key is taken from the teacher's key. Sending through aiohttp costs some 50 us
a follower (a task woken, a frame built), 10 ms a key for a class of 200, enough
to be felt. So the websocket frame is built once, in the publisher's thread, and
the loop writes those bytes to each follower's socket in one pass, a few
microseconds each (aiohttp still does the handshake, pings and the close; its
frames are written whole, as these are, so they never interleave).

A follower keeps no queue: one whose socket has :data:`SLOW_BYTES` unsent is
skipped, and when its socket has drained it is sent the newest message, so a
follower that cannot keep up skips to the latest state. One that stays stuck for
:data:`SEND_SECONDS` (it stopped reading) is disconnected, so it cannot hold a
place among ``max_followers`` for ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import WSCloseCode, WSMsgType, web

from ..core.limits import Limits, format_bytes

SLOW_BYTES = 64 * 1024  # unsent bytes that make a follower one that is not keeping up
SWEEP_SECONDS = 0.2  # how often the followers that were skipped are looked at again
HEARTBEAT = 20.0  # seconds between pings: a vanished follower is noticed within ~2 of them
SEND_SECONDS = 15.0  # a send blocked this long: the follower stopped reading; dropped
MAX_FROM_FOLLOWER = 1024  # bytes of a frame a follower may send (it has nothing to say)
MAX_IGNORED = 100  # frames a follower may send before it is disconnected
DATA_AT_ONCE = 4  # downloads of the data served at the same time


def ws_frame(payload: bytes) -> bytes:
    """A final, unmasked websocket text frame holding ``payload`` (RFC 6455, 5.2)."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 1 << 16:
        return bytes((0x81, 126)) + n.to_bytes(2, "big") + payload
    return bytes((0x81, 127)) + n.to_bytes(8, "big") + payload


@dataclass(eq=False)
class Conn:
    """One follower's connection: the last message it was sent, and since when its
    socket has been too full to send to (None: it is not)."""

    request: web.Request
    ws: web.WebSocketResponse
    ready: bool = False  # the handshake is done
    sent: int = 0
    since: float | None = None
    ignored: int = 0


class Hub:
    """The latest message and the followers' connections; an aiohttp app serving them."""

    def __init__(self, max_followers: int, code_ok: Callable[[str], bool | None],
                 limits: Limits | None = None) -> None:
        self.max_followers = max_followers
        self.code_ok = code_ok
        self.limits = limits or Limits()
        self.latest: tuple[int, str, bytes] = (0, "", b"")  # seq, message, its frame
        self.data_path: str | None = None  # the file GET /data serves, from the state
        self.conns: set[Conn] = set()
        self.closed = asyncio.Event()
        self.counts = {"sent": 0, "skipped": 0, "refused_full": 0, "refused_code": 0,
                       "ignored": 0, "dropped_slow": 0}
        self._runner: web.AppRunner | None = None
        self._sweeper: asyncio.Task | None = None
        self._data: tuple[tuple[str, int, int], bytes] | None = None
        self._data_gate: asyncio.Semaphore | None = None

    @property
    def count(self) -> int:
        return len(self.conns)

    def stats(self) -> dict[str, int]:
        return {"followers": len(self.conns), **self.counts}

    def set_latest(self, seq: int, text: str, frame: bytes,
                   data_path: str | None = None) -> None:
        """A newer message (its websocket frame, the data file it names): sent now to
        every follower whose socket has room, later to the others."""
        if seq <= self.latest[0]:
            return
        self.latest = (seq, text, frame)
        self.data_path = data_path
        for conn in self.conns:
            self._offer(conn)

    def _offer(self, conn: Conn) -> None:
        """Send the latest message to ``conn`` if it lacks it and its socket has room."""
        seq, _, frame = self.latest
        if not conn.ready or conn.sent >= seq or not frame or conn.ws.closed:
            return
        transport = conn.request.transport
        if transport is None or transport.is_closing():
            return
        if transport.get_write_buffer_size() > SLOW_BYTES:
            if conn.since is None:
                conn.since = asyncio.get_running_loop().time()
            self.counts["skipped"] += 1  # it gets this one or a newer one once drained
            return
        transport.write(frame)
        conn.sent, conn.since = seq, None
        self.counts["sent"] += 1

    # -- starting and stopping ---------------------------------------------------
    async def open(self, host: str, port: int) -> int:
        """Listen on ``host``:``port`` (0: any free port); returns the port."""
        app = web.Application(client_max_size=4096)
        app.router.add_get("/session", self.session)
        app.router.add_get("/data", self.data)
        app.router.add_get("/follow", self.follow)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._data_gate = asyncio.Semaphore(DATA_AT_ONCE)
        self._sweeper = asyncio.create_task(self._sweep())
        return int(runner.addresses[0][1])

    async def shutdown(self, grace: float) -> None:
        """Close every follower's socket saying the teacher is gone, then the server."""
        try:
            if self._sweeper is not None:
                self._sweeper.cancel()
            closing = [asyncio.ensure_future(self._close(c)) for c in list(self.conns)]
            if closing:
                await asyncio.wait(closing, timeout=grace)
            for conn in list(self.conns):  # what would not close in time
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
            if self._runner is not None:
                await asyncio.wait_for(self._runner.cleanup(), grace)
        except (asyncio.TimeoutError, OSError):
            pass
        finally:
            self.closed.set()

    async def _close(self, conn: Conn) -> None:
        conn.ready = False  # nothing more after the close frame
        with contextlib.suppress(RuntimeError, ConnectionError):  # not yet open, or gone
            await conn.ws.close(code=WSCloseCode.GOING_AWAY, message=b"teacher gone")

    async def _sweep(self) -> None:
        """Send the latest message to followers that were skipped and have drained since;
        drop those stuck for SEND_SECONDS (they stopped reading)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            now = loop.time()
            for conn in list(self.conns):
                if conn.since is not None and now - conn.since > SEND_SECONDS:
                    self.counts["dropped_slow"] += 1
                    conn.ready, conn.since = False, None
                    transport = conn.request.transport
                    if transport is not None:
                        transport.abort()
                elif conn.sent < self.latest[0]:
                    self._offer(conn)

    # -- the routes ----------------------------------------------------------------
    def _gate(self, request: web.Request) -> web.Response | None:
        """None for a request with the right join code, else the refusal to send."""
        ok = self.code_ok(request.query.get("code", "")[:64])
        if ok:
            return None
        self.counts["refused_code"] += 1
        if ok is None:
            return web.Response(status=429, text="too many wrong join codes; try again in a "
                                                 "minute")
        return web.Response(status=403, text="wrong join code (ask the teacher for the code "
                                             "on the screen)")

    async def session(self, request: web.Request) -> web.Response:
        refusal = self._gate(request)
        if refusal is not None:
            return refusal
        if not self.latest[1]:
            return web.Response(status=503, text="the teacher has published nothing yet")
        return web.Response(text=self.latest[1], content_type="application/json")

    async def data(self, request: web.Request) -> web.Response:
        refusal = self._gate(request)
        if refusal is not None:
            return refusal
        path = self.data_path
        if path is None:
            return web.Response(status=404, text="the teacher's dataset is not a file (the lab "
                                                 "and Iris come with backprop-tui; a URL is "
                                                 "fetched from the URL)")
        assert self._data_gate is not None
        async with self._data_gate:
            loop = asyncio.get_running_loop()
            try:
                body = await loop.run_in_executor(None, self._read, path)
            except ValueError as err:
                return web.Response(status=500, text=str(err))
        return web.Response(body=body, content_type="text/csv")

    def _read(self, path: str) -> bytes:
        """The file's bytes (a regular file under the size limit), read once per version."""
        limit = self.limits.max_bytes
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as err:
            raise ValueError(f"the teacher cannot read its data file: {err.strerror}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise ValueError("the teacher's data is not a regular file")
            if info.st_size > limit:
                raise ValueError(f"the teacher's data is larger than {format_bytes(limit)}")
            key = (path, info.st_size, info.st_mtime_ns)
            if self._data is not None and self._data[0] == key:
                return self._data[1]
            os.set_blocking(fd, True)
            with os.fdopen(os.dup(fd), "rb") as stream:
                body = stream.read(limit + 1)
        finally:
            os.close(fd)
        if len(body) > limit:
            raise ValueError(f"the teacher's data is larger than {format_bytes(limit)}")
        self._data = (key, body)
        return body

    async def follow(self, request: web.Request) -> web.StreamResponse:
        refusal = self._gate(request)
        if refusal is not None:
            return refusal
        ws = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MAX_FROM_FOLLOWER,
                                   compress=False)
        if len(self.conns) >= self.max_followers:  # counted and added with no await between
            self.counts["refused_full"] += 1
            await ws.prepare(request)
            await ws.close(code=WSCloseCode.TRY_AGAIN_LATER,
                           message=f"the class is full: at most {self.max_followers} "
                                   "followers; trying again".encode())
            return ws
        conn = Conn(request, ws)
        self.conns.add(conn)
        try:
            await ws.prepare(request)
            conn.ready = not self.closed.is_set()
            self._offer(conn)
            await self._ignore(ws, conn)
        finally:
            conn.ready = False
            self.conns.discard(conn)
        return ws

    async def _ignore(self, ws: web.WebSocketResponse, conn: Conn) -> None:
        """Read (so pings, pongs and the close are handled) and drop what a follower
        sends, until the connection ends."""
        with contextlib.suppress(ConnectionError, asyncio.TimeoutError):
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    conn.ignored += 1
                    self.counts["ignored"] += 1
                    if conn.ignored > MAX_IGNORED:
                        conn.ready = False
                        await ws.close(code=WSCloseCode.POLICY_VIOLATION,
                                       message=b"a follower sends nothing")
                        break
