"""Opening a data source within limits: a regular file, or an http(s) download to a temp file.

Reading is where hostile input hurts most: ``/dev/zero`` never ends, a FIFO
with no writer blocks ``open()`` forever, a server can stream without end or
trickle one byte a minute. So a local path is opened without blocking and must
be a regular file no larger than the limit, and a download streams to a
temporary file under a byte cap and one deadline for the whole transfer. Both
are scanned once on the way (NUL bytes, UTF-8, and whether numpy's fast reader
can be trusted with the text), so the parser never sees binary junk.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import socket
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..limits import Limits, format_bytes
from .errors import DataError

if TYPE_CHECKING:  # urllib and http load with the first download, not at start-up
    import urllib.request

URL_TIMEOUT_S = 15.0
"""How long a download may stall before we give up: long enough for a slow
classroom network, short enough that a typo'd host does not look like a hang."""
CHUNK = 1 << 20
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


@dataclass(frozen=True)
class Local:
    """A readable regular file holding the source's bytes, already checked by a ByteScanner."""

    path: str  # what to open (on Linux /dev/fd/N of the very file we checked)
    simple: bool  # no quotes, no lone carriage returns: numpy's reader splits it as csv does


class ByteScanner:
    """Checks bytes as they stream past: NUL, UTF-8, size; notes quotes and lone CRs."""

    def __init__(self, source: str, max_bytes: int, what: str) -> None:
        self.source, self.max_bytes, self.what = source, max_bytes, what
        self.size = 0
        self.simple = True
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._last = b""

    def _lone_cr(self, chunk: bytes) -> bool:
        """A carriage return not followed by a newline: numpy would end a line there, csv not."""
        if b"\r" not in chunk and self._last != b"\r":
            return False
        joined = self._last + chunk
        return joined.count(b"\r") != joined.count(b"\r\n") + joined.endswith(b"\r")

    def feed(self, chunk: bytes, final: bool = False) -> None:
        start = self.size
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise DataError(f"{self.source}: {self.what} is larger than the "
                            f"{format_bytes(self.max_bytes)} limit (raise it with --max-size MB)")
        if b"\x00" in chunk:
            raise DataError(f"{self.source}: binary file (contains NUL bytes), expected CSV text")
        if self.simple and (b'"' in chunk or self._lone_cr(chunk)):
            self.simple = False
        self._last = chunk[-1:]
        if not chunk.isascii() or final:
            try:
                self._decoder.decode(chunk, final)
            except UnicodeDecodeError as err:
                offset = start - (len(err.object) - len(chunk)) + err.start
                raise DataError(
                    f"{self.source}: binary or non-UTF-8 file (byte 0x{err.object[err.start]:02x} "
                    f"at offset {offset}), expected CSV text") from None


def _check_name(source: str) -> None:
    if not source.strip():
        raise DataError("--dataset is empty: give lab, iris, a CSV file's path or an http(s) URL")
    match = SCHEME.match(source)
    if match and match.group(1).lower() not in ("http", "https"):
        raise DataError(f"{source}: {match.group(1)}:// URLs are not supported; give an http(s) "
                        "URL, or a local file by its path")


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


@contextlib.contextmanager
def open_source(source: str, limits: Limits) -> Iterator[Local]:
    """The source as a checked local file, for as long as the ``with`` block lasts."""
    _check_name(source)
    if is_url(source):
        with tempfile.TemporaryDirectory(prefix="backprop-tui-") as folder:
            path = os.path.join(folder, "download.csv")
            simple = _download(source, path, limits)
            yield Local(path, simple)
        return
    fd = _open_regular(source, limits)
    try:
        yield Local(_reopenable(fd, source), _scan_file(fd, source, limits))
    finally:
        os.close(fd)


def _open_regular(source: str, limits: Limits) -> int:
    """A read descriptor of a regular file within the size limit; never blocks (FIFOs)."""
    path = os.path.expanduser(source)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise DataError(f"{source}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{source}: is a directory, not a CSV file") from None
    except OSError as err:
        raise DataError(f"{source}: cannot read: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DataError(f"{source}: is a directory, not a CSV file")
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"{source}: not a regular file (a device, FIFO or socket); "
                            "give a CSV file")
        if info.st_size > limits.max_bytes:
            raise DataError(f"{source}: the file is {format_bytes(info.st_size)}, larger than the "
                            f"{format_bytes(limits.max_bytes)} limit (raise it with --max-size MB)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _reopenable(fd: int, source: str) -> str:
    """A name that opens the very file we checked (Linux), else the path as given."""
    if sys.platform.startswith("linux") and os.path.exists(f"/proc/self/fd/{fd}"):
        return f"/proc/self/fd/{fd}"
    return os.path.expanduser(source)


def _scan_file(fd: int, source: str, limits: Limits) -> bool:
    scanner = ByteScanner(source, limits.max_bytes, "the file")
    while True:
        try:
            chunk = os.read(fd, CHUNK)
        except OSError as err:
            raise DataError(f"{source}: cannot read: {err.strerror or err}") from None
        scanner.feed(chunk, final=not chunk)
        if not chunk:
            return scanner.simple


def _socket_of(response: object) -> socket.socket | None:
    """The connection's socket, to bound each read by the time left (http.client internals)."""
    raw = getattr(getattr(response, "fp", None), "raw", None)
    sock = getattr(raw, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _connect(request: urllib.request.Request, timeout: float, deadline: float) -> Any:
    """urlopen, but given up at ``deadline`` (None then): name lookup and a trickle of headers
    ignore socket timeouts or renew them, so they run in a thread we can stop waiting for.
    An abandoned connection is closed by that thread as soon as it opens, or times out."""
    import urllib.request

    box: dict[str, Any] = {}
    lock = threading.Lock()

    def connect() -> None:
        try:
            response = urllib.request.urlopen(request, timeout=timeout)
        except BaseException as err:  # handed to the caller, below
            box["error"] = err
            return
        with lock:
            if box.get("abandoned"):
                response.close()
            else:
                box["response"] = response

    thread = threading.Thread(target=connect, daemon=True, name="backprop-tui-download")
    thread.start()
    thread.join(max(deadline - time.monotonic(), 0.0))
    with lock:
        if "response" not in box and "error" not in box:
            box["abandoned"] = True
            return None
    if "error" in box:
        raise box["error"]
    return box["response"]


def _download(source: str, path: str, limits: Limits) -> bool:
    """Stream ``source`` to ``path`` under the byte cap and the whole-download deadline."""
    import http.client
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + limits.download_timeout
    scanner = ByteScanner(source, limits.max_bytes, "the download")
    late = DataError(f"{source}: download did not finish within {limits.download_timeout:g} s "
                     "(raise the limit with --download-timeout SECONDS)")
    try:
        request = urllib.request.Request(source, headers={"User-Agent": "backprop-tui"})
        response = _connect(request, min(URL_TIMEOUT_S, limits.download_timeout), deadline)
        if response is None:
            raise late
        with response, open(path, "wb") as out:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limits.max_bytes:
                raise DataError(f"{source}: the download is {format_bytes(int(length))}, larger "
                                f"than the {format_bytes(limits.max_bytes)} limit "
                                "(raise it with --max-size MB)")
            sock = _socket_of(response)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise late
                if sock is not None:
                    sock.settimeout(min(URL_TIMEOUT_S, left))
                chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(
                    CHUNK)
                scanner.feed(chunk, final=not chunk)
                if not chunk:
                    return scanner.simple
                out.write(chunk)
    except DataError:
        raise
    except urllib.error.HTTPError as err:
        raise DataError(f"{source}: download failed: HTTP {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        raise DataError(f"{source}: download failed: {err.reason}") from None
    except (OSError, ValueError, http.client.HTTPException) as err:  # timeouts, resets, bad URLs
        if time.monotonic() >= deadline:
            raise late from None
        raise DataError(f"{source}: download failed: {err or type(err).__name__}") from None
