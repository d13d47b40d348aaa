"""The teacher's side: publish the session to followers, without slowing the teacher.

The app calls :meth:`Publisher.publish` on every change; that serialises the state
(a few hundred bytes, some 0.1 ms) and hands the text on, so the teacher's key
never waits for the network. The server (aiohttp, :mod:`.routes`) keeps only the
latest message and writes it to every follower whose socket has room; a follower
that cannot keep up skips to the latest state instead of growing a queue on the
teacher's machine.

By default the server runs in a child process (:mod:`.relay`): in a thread of the
app's process its sends would compete with the app's drawing for the interpreter
lock (measured: 5 ms a key at the median with 200 followers). ``in_process=True``
runs it in a background thread with its own event loop instead: no child process
and its ~40 MB, for a few followers, tests and scripts.

Nothing a follower sends is acted on (see :mod:`.routes`), and the server listens
only on the address it is given (127.0.0.1 unless the teacher says otherwise).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable

from ..core.files.savefile import SavedBreakpoint, SessionState
from ..core.limits import Limits
from ..core.run.session import Session
from ..core.run.training import DataOptions
from .codes import CodeGate, new_code, normal_code
from .protocol import MAX_MESSAGE, MAX_NAME, ProtocolError, Ui, check_text, encode_body, frame
from .routes import Hub, ws_frame
from .state import StateMaker, data_file

__all__ = ["DEFAULT_MAX_FOLLOWERS", "PublishError", "Publisher", "url_for"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_FOLLOWERS = 200
START_SECONDS = 15.0  # a child process imports aiohttp first: about half a second
STOP_SECONDS = 3.0


class PublishError(RuntimeError):
    """The server could not start (a busy port, an address not on this machine); one line."""


def url_for(host: str, port: int) -> str:
    """The address to open on this machine (a wildcard host is reachable as 127.0.0.1)."""
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Thread:
    """The server on an event loop in a background thread of this process."""

    def __init__(self, config: dict) -> None:
        limits = Limits(max_size_mb=config["max_size_mb"])
        self.hub = Hub(config["max_followers"], CodeGate(config["code"]).check, limits)
        self.config = config
        self.problem: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def stats(self) -> dict[str, int]:
        return self.hub.stats()

    def start(self, timeout: float) -> int:
        ready = threading.Event()
        box: dict[str, object] = {}
        self._thread = threading.Thread(target=self._main, args=(ready, box), daemon=True,
                                        name="backprop-tui-teach")
        self._thread.start()
        if not ready.wait(timeout) or "error" in box:
            raise RuntimeError(str(box.get("error", "the server did not start in time")))
        return int(box["port"])  # type: ignore[call-overload]

    def send(self, seq: int, text: str, data_path: str | None) -> None:
        args = (seq, text, ws_frame(text.encode("utf-8")), data_path)
        loop = self._loop
        try:
            if loop is not None:
                loop.call_soon_threadsafe(self.hub.set_latest, *args)
        except RuntimeError:  # the loop closed as we called (stop() in another thread)
            pass

    def stop(self, grace: float) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            asyncio.run_coroutine_threadsafe(self.hub.shutdown(grace), loop)
            thread.join(grace + 2.0)

    def _main(self, ready: threading.Event, box: dict[str, object]) -> None:
        loop = asyncio.new_event_loop()
        host, port = self.config["host"], self.config["port"]
        try:
            asyncio.set_event_loop(loop)
            try:
                box["port"] = loop.run_until_complete(self.hub.open(host, port))
            except OSError as err:
                box["error"] = f"cannot listen on {host} port {port}: {err.strerror or err}"
                return
            self._loop = loop
            ready.set()
            loop.run_until_complete(self.hub.closed.wait())
        finally:
            self._loop = None
            ready.set()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()


class Publisher:
    """The teacher's server. ``start()``, then ``publish(...)`` on each change, ``stop()``."""

    def __init__(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 max_followers: int = DEFAULT_MAX_FOLLOWERS, teacher_name: str = "teacher",
                 *, data: DataOptions | None = None, code: str | None = None,
                 in_process: bool = False) -> None:
        if not 1 <= max_followers <= 100_000:
            raise ValueError(f"max followers must be 1 to 100,000, not {max_followers}")
        try:
            check_text(teacher_name, "the teacher's name", width=MAX_NAME)
        except ProtocolError as err:
            raise ValueError(str(err)) from None
        if not teacher_name.strip():
            raise ValueError("the teacher's name is empty")
        self.host, self.port, self.teacher = host, port, teacher_name
        self.max_followers = max_followers
        self.code = normal_code(code) if code is not None else new_code()
        if len(self.code) < 4:
            raise ValueError("a join code has at least 4 letters or digits")
        self.data = data
        self.in_process = in_process
        self.url = ""
        self.problem: str | None = None  # why the last state was not published
        self._maker = StateMaker()
        self._server: _Thread | object | None = None
        self._seq = 0
        self._body = ""
        self._lock = threading.Lock()

    # -- the app's calls --------------------------------------------------------
    def start(self) -> tuple[str, str]:
        """Listen (only on ``host``); returns (URL, join code). PublishError (one line)
        when the address cannot be listened on."""
        if self._server is not None:
            return self.url, self.code
        config = {"host": self.host, "port": self.port, "max_followers": self.max_followers,
                  "code": self.code,
                  "max_size_mb": (self.data.limits if self.data else Limits()).max_size_mb}
        if self.in_process:
            server = _Thread(config)
        else:
            from .relay import Relay

            server = Relay(config)
        try:
            self.port = server.start(START_SECONDS)
        except RuntimeError as err:
            server.stop(1.0)
            raise PublishError(str(err)) from None
        self._server = server
        self.url = url_for(self.host, self.port)
        return self.url, self.code

    def publish(self, session: Session, ui: Ui | None = None, *,
                data: DataOptions | None = None,
                breakpoints: Iterable[SavedBreakpoint | tuple[str, bool]] = (),
                watches: Iterable[str] = ()) -> str | None:
        """Publish the session as it is now; None when done (or nothing changed), else the
        one-line reason it was not (also kept in :attr:`problem`). Cheap: no network work
        happens in the caller's thread."""
        data = data or self.data
        if data is None:
            return self._refuse("the session has no data reference to publish (it was not "
                                "opened from the command line)")
        state = self._maker.state(session, data, breakpoints, watches)
        return self.publish_state(state, ui or Ui())

    def publish_state(self, state: SessionState, ui: Ui) -> str | None:
        """:meth:`publish` for a state made elsewhere (a lesson's stop, a resumed file)."""
        try:
            for key in ("note", "question"):
                text = getattr(ui, key)
                if text is not None:
                    check_text(text, f"the {key}", lines=3)
            check_text(ui.tab, "the tab", width=32)
            body = encode_body(self.teacher, state, ui)
        except (ProtocolError, ValueError) as err:
            return self._refuse(f"not published: {err}")
        with self._lock:
            if body == self._body:
                self.problem = None
                return None
            text = frame(self._seq + 1, body)
            size = len(text.encode("utf-8"))
            if size > MAX_MESSAGE:
                return self._refuse(f"not published: the state is {size:,} bytes, more than a "
                                    f"message's {MAX_MESSAGE:,} (fewer edits, breakpoints or "
                                    "watches would fit)")
            self._seq += 1
            self._body = body
            self.problem = getattr(self._server, "problem", None)
            if self._server is not None:
                self._server.send(self._seq, text, data_file(state.dataset.source))
        return self.problem

    def stop(self) -> None:
        """Tell every follower the teacher is gone, close the server, end its thread or
        process."""
        server, self._server = self._server, None
        if server is not None:
            server.stop(STOP_SECONDS)

    # -- what the app may show ---------------------------------------------------
    @property
    def followers(self) -> int:
        return self.stats.get("followers", 0)

    @property
    def seq(self) -> int:
        return self._seq

    @property
    def stats(self) -> dict[str, int]:
        """Counters for a status line or a test: followers, sent, skipped, refused, ignored
        (from a child process, up to 0.2 s old)."""
        server = self._server
        return dict(server.stats) if server is not None else {"followers": 0}

    @property
    def server_pid(self) -> int | None:
        """The child process serving the followers (None in-process): for a memory figure."""
        proc = getattr(self._server, "proc", None)
        return None if proc is None else proc.pid

    def _refuse(self, reason: str) -> str:
        self.problem = reason
        return reason
