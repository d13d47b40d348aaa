"""The follower's side: listen to a teacher, keep the latest state that checks out.

A :class:`Follower` connects to the teacher's websocket from a thread of its own
(aiohttp, its own event loop), checks each message (:func:`.protocol.decode`) and
keeps the newest good one; the app reads :attr:`Follower.latest` when told of a
change (``on_change``, called from that thread) and turns it into its own session
with :meth:`Follower.rebuild`. A refused message is said in words
(:attr:`Follower.refusal`) and changes nothing else: the follower keeps its
place. A dropped connection says "teacher gone", keeps the last state and tries
again with growing pauses; the next message after a reconnect is a whole state,
so following resumes where the teacher is then.

Read-only by construction: nothing here sends a message (the websocket's own
pings, pongs and closing handshake aside), so a follower cannot change the
teacher whatever it is made to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import aiohttp
from aiohttp import WSCloseCode, WSMsgType

from ..core.files.savefile import SessionState
from ..core.limits import Limits
from ..core.run.session import Session
from .codes import normal_code
from .mirror import Mirror
from .protocol import MAX_MESSAGE, Message, ProtocolError, decode

__all__ = ["Follower", "parse_url"]

FOLLOWING, GONE, CONNECTING, CLOSED = "following", "teacher gone", "connecting", "closed"
HEARTBEAT = 20.0  # as the teacher's: a silent network is noticed within a minute
MAX_URL = 2048


def parse_url(url: str, code: str | None = None) -> tuple[str, str]:
    """(``http://host:port``, join code) from what a student types: the address, with
    the code in it (``...?code=ABC234``) or given apart. ValueError in one line."""
    if len(url) > MAX_URL:
        raise ValueError(f"the address is longer than {MAX_URL} characters")
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not the teacher's address (http://HOST:PORT)")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(f"{url!r}: the port is not a number from 1 to 65535") from None
    given = code if code is not None else (parse_qs(parts.query).get("code") or [""])[0]
    given = normal_code(given)
    if not given:
        raise ValueError("no join code: give the code the teacher's screen shows "
                         "(--code CODE, or the address ending in ?code=CODE)")
    return f"{parts.scheme}://{parts.netloc}", given


def _shown(text: object, most: int = 120) -> str:
    """Words from the network, made safe to show: printable, one line, short."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in str(text)).strip()
    return clean[:most] or "no reason given"


class Follower:
    """One connection to a teacher. ``start()``, read :attr:`latest` and :attr:`status`,
    ``rebuild()`` the session, ``close()``."""

    def __init__(self, url: str, code: str | None = None, *, limits: Limits | None = None,
                 on_change: Callable[[Follower], None] | None = None,
                 backoff: tuple[float, float] = (0.5, 10.0), use_local: bool = True) -> None:
        self.base, self.code = parse_url(url, code)
        self.on_change = on_change
        self.backoff = backoff
        self.status = CONNECTING
        self.latest: Message | None = None
        self.refusal: str | None = None  # the last message refused, in words
        self.refused = 0
        self.connects = 0
        self.mirror = Mirror(f"{self.base}/data?code={self.code}", limits, use_local=use_local)
        self._changed = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def teacher(self) -> str | None:
        return None if self.latest is None else self.latest.teacher

    # -- the app's calls --------------------------------------------------------
    def start(self) -> Follower:
        if self._thread is None:
            started = threading.Event()
            self._thread = threading.Thread(target=self._main, args=(started,), daemon=True,
                                            name="backprop-tui-follow")
            self._thread.start()
            started.wait(5.0)
        return self

    def close(self) -> None:
        """Hang up and end the thread (the last state stays readable)."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
        self.mirror.close()
        self._update(status=CLOSED)

    def rebuild(self, state: SessionState | None = None) -> Session:
        """This follower's own session at ``state`` (default: the latest), moved there from
        the one before when it can be. RebuildError (one line) when it cannot be made."""
        if state is None:
            if self.latest is None:
                from .mirror import RebuildError

                raise RebuildError("nothing received from the teacher yet")
            state = self.latest.state
        return self.mirror.apply(state)

    def wait_until(self, test: Callable[[Follower], bool], timeout: float) -> bool:
        """Block until ``test(self)`` holds (checked at each change) or ``timeout`` s pass."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not test(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    # -- inside: the follower's thread ---------------------------------------------
    def _update(self, **changes: object) -> None:
        with self._changed:
            for key, value in changes.items():
                setattr(self, key, value)
            self._changed.notify_all()
        if self.on_change is not None:
            with contextlib.suppress(Exception):  # the app's trouble is not the connection's
                self.on_change(self)

    def _main(self, started: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop, self._stop = loop, asyncio.Event()
        started.set()
        try:
            loop.run_until_complete(self._run())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._loop = None

    async def _run(self) -> None:
        assert self._stop is not None
        first, most = self.backoff
        delay = first
        timeout = aiohttp.ClientTimeout(total=None, connect=10.0, sock_connect=10.0)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            while not self._stop.is_set():
                task = asyncio.ensure_future(self._session(http))
                stopper = asyncio.ensure_future(self._stop.wait())
                await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
                stopper.cancel()
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
                    return
                again, followed = task.result()
                if not again:
                    return
                delay = first if followed else min(delay * 2, most)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay * random.uniform(0.8, 1.2))

    async def _session(self, http: aiohttp.ClientSession) -> tuple[bool, bool]:
        """One connection, to its end: (try again?, did it follow for a while?)."""
        url = self.base.replace("http", "ws", 1) + "/follow"
        try:
            async with http.ws_connect(url, params={"code": self.code}, heartbeat=HEARTBEAT,
                                       max_msg_size=4 * MAX_MESSAGE, compress=0) as ws:
                self.connects += 1
                self._update(status=FOLLOWING)
                got, why = await self._listen(ws)
                code = ws.close_code
        except aiohttp.WSServerHandshakeError as err:
            if err.status == 403:
                self._update(status="refused: wrong join code (ask for the code on the "
                                    "teacher's screen)")
                return False, False
            if err.status == 429:
                self._update(status="refused: too many wrong join codes here; trying again")
            else:
                self._update(status=f"refused: {self.base} is not a teacher (HTTP "
                                    f"{err.status}); trying again")
            return True, False
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as err:
            self._update(status=GONE if self.latest is not None else
                         f"cannot reach the teacher at {self.base}: {_shown(err or 'no answer')}")
            return True, False
        if code in (WSCloseCode.TRY_AGAIN_LATER, WSCloseCode.POLICY_VIOLATION):
            self._update(status=f"refused: {why}")
            return True, False
        self._update(status=GONE)
        return True, got > 0

    async def _listen(self, ws: aiohttp.ClientWebSocketResponse) -> tuple[int, str]:
        """Take messages until the connection ends: (how many were good, the close reason)."""
        last: int | None = None  # a reconnect is a new stream: its numbers start afresh
        good = 0
        while True:
            msg = await ws.receive()
            if msg.type == WSMsgType.TEXT:
                try:
                    message = decode(msg.data, last)
                except ProtocolError as err:
                    self._update(refusal=f"refused a message: {err}", refused=self.refused + 1)
                    continue
                last, good = message.seq, good + 1
                self._update(latest=message, status=FOLLOWING)
            elif msg.type == WSMsgType.BINARY:
                self._update(refusal="refused a message: binary (the teacher sends JSON text)",
                             refused=self.refused + 1)
            elif msg.type == WSMsgType.ERROR:
                why = (f"more than {4 * MAX_MESSAGE:,} bytes" if
                       isinstance(msg.data, aiohttp.WebSocketError) and
                       msg.data.code == WSCloseCode.MESSAGE_TOO_BIG else _shown(msg.data))
                self._update(refusal=f"refused a message: {why}", refused=self.refused + 1)
                return good, why
            else:  # CLOSE, CLOSING, CLOSED
                return good, _shown(msg.extra if msg.type == WSMsgType.CLOSE else "")
