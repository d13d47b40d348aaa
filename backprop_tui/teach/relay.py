"""The teacher's server in a process of its own, so that followers cost the teacher's keys
nothing but a pipe write.

In the teacher's process the server's thread and the app share one interpreter
lock: writing a message to 200 sockets (~2 ms of work, each write releasing and
retaking the lock) while the app draws its screen made the teacher's key 5 ms
slower at the median and 25 ms at the 99th percentile (``bench/follow.py``). Here
the app's thread hands the message to a writer thread (a slot holding the latest,
never a queue), which writes it to the child's standard input; the child (this
module's :func:`main`) runs the same :class:`~.routes.Hub` on its own event loop
and interpreter. It reports its port, then its counters, one JSON line at a
time on standard output.

The child is in a session of its own (the terminal's Ctrl-C is the app's, not its)
and ends when its standard input does, telling followers the teacher is gone: the
app quitting, crashing or being killed all end it. It never reads the network for
instructions; only the teacher's pipe drives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import threading

__all__ = ["Relay", "main"]

MAX_LINE = 4096  # a config, header or counters line
MAX_BODY = 1 << 20  # a message is at most 64 KiB; a path 4 KiB: anything bigger is a bug
STATS_SECONDS = 0.2


class Relay:
    """The teacher's end: start the child, hand it messages, read its counters."""

    def __init__(self, config: dict[str, object]) -> None:
        self.config = config
        self.port = 0
        self.stats: dict[str, int] = {"followers": 0}
        self.problem: str | None = None
        self.proc: subprocess.Popen | None = None
        self._slot: bytes | None = None
        self._closing = False
        self._cond = threading.Condition()
        self._ready = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self, timeout: float) -> int:
        """Start the child and wait until it listens; returns the port. RuntimeError (one
        line) when it cannot listen or does not start."""
        with tempfile.TemporaryFile() as errors:
            self.proc = subprocess.Popen([sys.executable, "-m", "backprop_tui.teach.relay"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=errors, start_new_session=True, close_fds=True)
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(self.config).encode() + b"\n")
            self.proc.stdin.flush()
            for target in (self._write, self._read):
                thread = threading.Thread(target=target, daemon=True,
                                          name="backprop-tui-relay")
                thread.start()
                self._threads.append(thread)
            if self._ready.wait(timeout) and self.port:
                return self.port
            self.stop(1.0)
            errors.seek(0)
            said = errors.read()[-2000:].decode(errors="replace").splitlines()
        last = [line for line in said if line.strip()][-1:]
        raise RuntimeError(self.problem or (last[0] if last else
                                            "the server process did not start"))

    def send(self, seq: int, text: str, data_path: str | None) -> None:
        """Hand a message to the writer thread; a newer one replaces one not yet written."""
        body, path = text.encode("utf-8"), (data_path or "").encode("utf-8", "surrogateescape")
        record = b"%d %d %d\n" % (seq, len(body), len(path)) + body + path
        with self._cond:
            self._slot = record
            self._cond.notify()

    def stop(self, grace: float) -> None:
        """Close the pipe (the child tells followers and ends), then wait for it."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        proc = self.proc
        if proc is None:
            return
        for thread in self._threads:
            thread.join(grace)
        try:
            proc.wait(grace + 1.0)
        except subprocess.TimeoutExpired:
            proc.kill()  # our own child, by its PID
            proc.wait(2.0)
        with contextlib.suppress(OSError):
            if proc.stdout is not None:
                proc.stdout.close()

    def _write(self) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        stdin = self.proc.stdin
        try:
            while True:
                with self._cond:
                    while self._slot is None and not self._closing:
                        self._cond.wait()
                    record, self._slot = self._slot, None
                    closing = self._closing
                if record is not None:
                    stdin.write(record)
                    stdin.flush()
                if closing:
                    break
        except OSError:
            self.problem = "the teacher's server process stopped"
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        try:
            while line := self.proc.stdout.readline(MAX_LINE):
                try:
                    doc = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(doc, dict):
                    continue
                if "port" in doc or "error" in doc:
                    self.port = int(doc.get("port") or 0)
                    self.problem = doc.get("error")
                    self._ready.set()
                elif isinstance(doc.get("stats"), dict):
                    self.stats = doc["stats"]
        except (OSError, ValueError):
            pass
        finally:
            self.stats = {**self.stats, "followers": 0}
            self._ready.set()


# -- the child ----------------------------------------------------------------------
def _emit(doc: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(doc) + "\n")
    sys.stdout.flush()


async def _serve() -> int:
    from ..core.limits import Limits
    from .codes import CodeGate
    from .routes import Hub, ws_frame

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    config = json.loads(await reader.readline())
    hub = Hub(int(config["max_followers"]), CodeGate(str(config["code"])).check,
              Limits(max_size_mb=float(config["max_size_mb"])))
    try:
        port = await hub.open(str(config["host"]), int(config["port"]))
    except OSError as err:
        _emit({"error": f"cannot listen on {config['host']} port {config['port']}: "
                        f"{err.strerror or err}"})
        return 2
    _emit({"port": port})

    async def report() -> None:
        said: dict[str, int] = {}
        while True:
            await asyncio.sleep(STATS_SECONDS)
            now = hub.stats()
            if now != said:
                _emit({"stats": now})
                said = now

    reporter = asyncio.create_task(report())
    try:
        while header := await reader.readline():
            seq, size, path_size = (int(w) for w in header.split())
            if not (0 <= size <= MAX_BODY and 0 <= path_size <= MAX_BODY):
                break
            body = await reader.readexactly(size)
            path = (await reader.readexactly(path_size)).decode("utf-8", "surrogateescape")
            hub.set_latest(seq, body.decode("utf-8"), ws_frame(body), path or None)
    except (ValueError, asyncio.IncompleteReadError):
        pass  # the teacher went away mid-record (or wrote nonsense): stop as at the end
    reporter.cancel()
    await hub.shutdown(3.0)
    return 0


def main() -> int:
    return asyncio.run(_serve())


if __name__ == "__main__":
    sys.exit(main())
