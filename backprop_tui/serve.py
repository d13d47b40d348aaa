"""``backprop-tui serve``: the same app in a browser, one app process per browser tab.

textual-serve runs a shell command for every websocket connection and relays the
app's terminal stream to xterm.js in the page. Everything that can be wrong is
checked here before the server starts (the app's options with the app's own
parser and by building the session once; the address by binding to it), so a
typo or a busy port is one line and exit status 2, not a log full of failed
connections. Nothing here imports textual-serve until the checks pass (checking a
keymap reads Textual's key names).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .options import PROG, Parser, UsageError
from .serve_full import DEFAULT_MAX_SESSIONS, page_response, refuse, session_count

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
STOP_SECONDS = 3.0  # for the apps to quit on request at shutdown, then again after SIGTERM
# A Host header we are willing to write into the page as the websocket's address.
HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535)")
    return port


def serve_parser() -> Parser:
    return Parser(
        prog=f"{PROG} serve",
        usage=f"{PROG} serve [--host HOST] [--port PORT] [--public-url URL] [--files-dir DIR] "
              "[--max-sessions N] [-- APP OPTIONS...]",
        description="Serve the app to web browsers (textual-serve): every browser tab gets its "
                    "own app, started with the APP OPTIONS given after '--'.",
        epilog=f"example: {PROG} serve --port 8000 -- --dataset iris --normalize")


def add_serve_options(parser: Parser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: this machine "
                             "only; 0.0.0.0 lets anyone who can reach this machine in)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help=f"TCP port, 1-65535 (default {DEFAULT_PORT})")
    parser.add_argument("--public-url", metavar="URL",
                        help="the address browsers use, when it is not the one they typed "
                             "(behind a proxy: https://class.example.org)")
    parser.add_argument("--files-dir", metavar="DIR",
                        help="every file a tab's user types (save, export, screenshots) "
                             "stays inside DIR (default: a fresh temporary folder)")
    parser.add_argument("--max-sessions", type=session_count, default=DEFAULT_MAX_SESSIONS,
                        metavar="N",
                        help=f"at most N tabs with an app at once (default "
                             f"{DEFAULT_MAX_SESSIONS}; each app takes 40-95 MB); the next "
                             "visitor is told the server is full")


def split_argv(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Serve's own options, and the app's (everything after the first '--')."""
    argv = list(argv)
    if "--" in argv:
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1:]
    return argv, []


def parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str], argparse.Namespace]:
    """Serve options, the app's argv, and the app's parsed options; UsageError if any is bad."""
    from .app_options import app_parser

    own, app_argv = split_argv(argv)
    parser = serve_parser()
    add_serve_options(parser)
    args, extra = parser.parse_known_args(own)
    if extra:
        raise UsageError(f"unrecognized arguments: {' '.join(extra)} (the app's options go "
                         f"after '--': {PROG} serve --port 8000 -- --dataset iris)")
    if args.public_url is not None and not re.match(r"^https?://[^/\s]+$", args.public_url):
        raise UsageError(f"--public-url: {args.public_url!r} is not http(s)://HOST[:PORT] "
                         "(no path)")
    from .app_setup import serve_files_dir

    app_argv = serve_files_dir(args, app_argv)  # given, checked, or a fresh folder
    try:
        app_args = app_parser().parse_args(app_argv)
    except UsageError as err:
        raise UsageError(f"app option after '--': {err}") from None
    return args, app_argv, app_args


def addresses(host: str, port: int) -> list[tuple]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as err:
        raise UsageError(f"--host {host}: cannot listen there ({err})") from None
    return infos


def check_can_listen(host: str, port: int) -> None:
    """Bind every address the server will bind, as it will, so a busy port fails here."""
    for family, kind, proto, _, sockaddr in addresses(host, port):
        with socket.socket(family, kind, proto) as sock:
            if os.name != "nt":  # as aiohttp does: a closed earlier server's port is free
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(sockaddr)
                sock.listen(1)
            except OSError as err:
                why = "in use" if err.errno == errno.EADDRINUSE else err.strerror or str(err)
                raise UsageError(f"cannot listen on {sockaddr[0]} port {port}: {why}") from None


def is_loopback(host: str, port: int) -> bool:
    try:
        return all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback
                   for info in addresses(host, port))
    except ValueError:
        return False


def url_for(host: str, port: int) -> str:
    """The address to open on this machine (a wildcard host is reachable as 127.0.0.1)."""
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def app_command(app_argv: Sequence[str]) -> str:
    """The shell command textual-serve runs per tab; ``exec`` so the app is our direct child."""
    argv = [sys.executable, "-m", "backprop_tui", *app_argv]
    if os.name == "nt":  # cmd.exe: no exec, its own quoting
        return subprocess.list2cmdline(argv)
    return "exec " + shlex.join(argv)


def check_app(app_args: argparse.Namespace, app_argv: Sequence[str] = ()) -> None:
    """Check the app's options and open the data once, as every tab will (a missing file,
    keymap or files folder fails now, not in each tab)."""
    from .app_setup import prepare

    prepare(app_args, app_argv)
    if app_args.student:
        from .app_options import load_student_for_app

        load_student_for_app(app_args.student, app_args.memory).close()


def child_pids(parent: int | None = None) -> list[int]:
    """The live children of ``parent`` (ours by default), from Linux's /proc (elsewhere none
    are found, none killed); the bench and the tests read a server's tabs with it."""
    me = os.getpid() if parent is None else parent
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(me) and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def stop_children(grace: float) -> None:
    """SIGTERM what is left (Textual apps quit on it), then SIGKILL what ignores it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = child_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while pids and child_pids() and time.monotonic() < deadline:
            time.sleep(0.05)


def make_server(command: str, host: str, port: int, public_url: str | None,
                max_sessions: int = DEFAULT_MAX_SESSIONS):
    """A textual-serve Server that shows the address the browser used, runs at most
    ``max_sessions`` apps at once and stops its apps."""
    import asyncio
    import logging

    from textual_serve.server import Server

    from .serve_page import PageMixin

    class ClassroomServer(PageMixin, Server):
        def __init__(self) -> None:
            super().__init__(command, host=host, port=port, title=PROG,
                             public_url=public_url or url_for(host, port))
            self.fixed_url = public_url is not None
            self.default_url = self.public_url
            # A task per tab with an app: textual-serve's handler starts the app and
            # waits for it to end before returning, so these are the live apps.
            self.sessions: set[asyncio.Task] = set()
            self.refused: set[asyncio.Task] = set()

        @property
        def full(self) -> bool:
            return len(self.sessions) >= max_sessions

        def initialize_logging(self) -> None:
            super().initialize_logging()
            logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

        async def on_startup(self, app) -> None:  # textual-serve's banner names the command
            pass

        async def handle_index(self, request):
            if self.full:  # the visitor reads why, rather than a terminal that never opens
                return page_response(max_sessions)
            # The page tells the browser where the websocket is. Listening on 0.0.0.0,
            # the only address a student's browser is sure to reach is the one it typed.
            # (Set and read without an await in between: requests cannot mix.)
            if not self.fixed_url:
                host = request.host or ""
                self.public_url = (f"http://{host}" if HOST_HEADER.match(host)
                                   else self.default_url)
            return await self.render_page(request)  # fonts from here, none from the web

        async def handle_websocket(self, request):
            task = asyncio.current_task()
            assert task is not None
            if self.full:  # checked and counted with no await between: no race past it
                self.refused.add(task)
                try:
                    return await refuse(request, max_sessions, len(self.refused))
                finally:
                    self.refused.discard(task)
            self.sessions.add(task)
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions.discard(task)

        async def on_shutdown(self, app) -> None:
            # Closing a tab's websocket asks its app to quit; one busy in a long run may
            # not, so what is left after STOP_SECONDS is terminated.
            for task in [*self.sessions, *self.refused]:
                task.cancel()
            if self.sessions:
                await asyncio.wait(set(self.sessions), timeout=STOP_SECONDS)
            await asyncio.to_thread(stop_children, STOP_SECONDS)

    return ClassroomServer()


def run_serve(argv: Sequence[str]) -> int:
    args, app_argv, app_args = parse(argv)
    check_app(app_args, app_argv)
    check_can_listen(args.host, args.port)
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        raise UsageError("textual-serve is not installed (pip install textual-serve)") from None
    server = make_server(app_command(app_argv), args.host, args.port, args.public_url,
                         args.max_sessions)
    if not is_loopback(args.host, args.port):
        print(f"{PROG}: warning: listening on {args.host} port {args.port}: anyone who can "
              "reach this address can drive the app (and run epochs on this machine)",
              file=sys.stderr, flush=True)
    where = args.public_url or url_for(args.host, args.port)
    if args.public_url is None and args.host in ("0.0.0.0", "", "::"):
        where += f" (other machines: this machine's address, port {args.port})"
    print(f"{PROG}: serving the app at {where}; each browser tab gets its own app; "
          "Ctrl+C stops", flush=True)
    if args.fresh_files_dir:
        print(f"{PROG}: files the tabs save go to {args.fresh_files_dir} (a fresh folder; "
              "--files-dir DIR chooses one)", flush=True)
    try:
        server.serve()
    except OSError as err:  # the port was taken between the check and the server's bind
        raise UsageError(f"cannot listen on {args.host} port {args.port}: "
                         f"{err.strerror or err}") from None
    finally:
        stop_children(STOP_SECONDS)
    return 0
