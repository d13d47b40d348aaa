"""Time to the first frame, and from a key to the next frame, against a Textual hello-world.

Why: a teacher opens the tool in front of a class; every tenth of a second before
the first frame is noticed. Issue #12's goal: the first frame within 0.15 s of a
Textual hello-world app's, measured the way a person sees it: in a real terminal
(tmux), from launch (or key sent) until the screen shows the expected text.

Each run starts a private tmux server (its own socket, in its own process group)
with a 120x40 window, polls ``capture-pane`` every 5 ms, and kills the server
afterwards; every wait is bounded (``--timeout``). Medians of ``--repeat`` runs,
the two apps alternating so that machine noise hits both alike.

Each checkout's modules are byte-compiled first, as ``pip install`` does (Textual's
are): with PYTHONDONTWRITEBYTECODE set, as on some machines, the app would otherwise
compile its ~40 modules from source at every start (~30 ms) while the hello-world
loads Textual's compiled ones. ``--no-compile`` measures without.

    python bench/first_frame.py [--repeat R] [--timeout S] [--app-args ARGS] [--code DIR ...]
                                [--no-compile]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLL = 0.005
GOAL = 0.15

HELLO = '''\
from textual.app import App
from textual.widgets import Static


class Hello(App):
    BINDINGS = [("n", "next", "next")]

    def compose(self):
        yield Static("Hello, world", id="text")

    def action_next(self):
        self.query_one("#text", Static).update("Hello again")


Hello().run()
'''


class Tmux:
    """A private tmux server running one command; killed (with its process group) on exit."""

    def __init__(self, command: str, cwd: Path) -> None:
        self.socket = f"first_frame_{os.getpid()}_{time.monotonic_ns()}"
        self.cwd = cwd
        self.command = command

    def tmux(self, *args: str, timeout: float = 5.0) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=timeout, cwd=self.cwd,
                              start_new_session=True).stdout

    def start(self) -> float:
        t0 = time.perf_counter()
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d",
                        "-x", "120", "-y", "40", self.command], cwd=self.cwd, check=True,
                       timeout=10, start_new_session=True,
                       env={**os.environ, "TERM": "xterm-256color"})
        return t0

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait_for(self, text: str, t0: float, timeout: float, unlike: str | None = None
                 ) -> float:
        """Seconds from t0 until the screen shows ``text`` (and differs from ``unlike``)."""
        while time.perf_counter() - t0 < timeout:
            shown = self.screen()
            if text in shown and (unlike is None or shown != unlike):
                return time.perf_counter() - t0
            time.sleep(POLL)
        raise TimeoutError(f"{text!r} did not appear within {timeout:g} s:\n{self.screen()}")

    def close(self) -> None:
        pids = self.tmux("list-panes", "-a", "-F", "#{pane_pid}").split()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
                os.killpg(os.getpgid(int(pid)), signal.SIGKILL)  # the pane's own group
        self.tmux("kill-server")


def measure(command: str, first: str, key: str, after: str, timeout: float, cwd: Path
            ) -> tuple[float, float]:
    """(launch -> ``first`` shown, key sent -> ``after`` shown) in seconds."""
    term = Tmux(command, cwd)
    try:
        t0 = term.start()
        launch = term.wait_for(first, t0, timeout)
        time.sleep(0.3)  # let the app settle (the first frame is not the last of the start-up)
        before = term.screen()
        t1 = time.perf_counter()
        term.tmux("send-keys", key)
        return launch, term.wait_for(after, t1, timeout, unlike=before)
    finally:
        term.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--app-args", default="", help="options for backprop-tui")
    parser.add_argument("--code", type=Path, action="append",
                        help="a checkout to run (repeatable: e.g. the code before a change "
                             "and after, measured in turns); default: this one")
    parser.add_argument("--marker", default="Forward",
                        help="text that shows the app's first frame is drawn")
    parser.add_argument("--no-compile", action="store_true",
                        help="do not byte-compile the checkouts first (see above)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or not 0 < args.timeout <= 600:
        parser.error("need --repeat >= 1 and 0 < --timeout <= 600")
    if not args.no_compile:
        for code in args.code or [ROOT]:
            subprocess.run([sys.executable, "-m", "compileall", "-q",
                            str(code / "backprop_tui")], check=True, timeout=120)
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO, encoding="utf-8")
        py = shlex.quote(sys.executable)
        apps = {
            "textual hello-world": (f"{py} {shlex.quote(str(hello))}", "Hello, world", "n",
                                    "Hello again"),
        }
        for code in args.code or [ROOT]:
            apps[f"backprop-tui {code}"] = (
                f"env PYTHONPATH={shlex.quote(str(code))} {py} -m backprop_tui {args.app_args}",
                args.marker, "n", "z1")
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in apps}
        for _ in range(args.repeat):
            for name, (command, first, key, after) in apps.items():
                times[name].append(measure(command, first, key, after, args.timeout, ROOT))
    print(f"first frame in tmux 120x40, median of {args.repeat} (launch -> first frame; "
          f"key n -> next frame){'' if args.no_compile else '; modules byte-compiled'}")
    med = {}
    for name, ts in times.items():
        firsts = [t[0] for t in ts]
        med[name] = (statistics.median(firsts), statistics.median(t[1] for t in ts))
        print(f"  {name:32} first frame {med[name][0]:6.3f} s ({min(firsts):.3f}-"
              f"{max(firsts):.3f})   key -> frame {med[name][1] * 1e3:6.1f} ms")
    hello = med["textual hello-world"][0]
    for name in list(med)[1:]:
        # Runs alternate, so run i of the app and of the hello-world met the same load.
        hello_runs = times["textual hello-world"]
        pairs = [a[0] - h[0] for a, h in zip(times[name], hello_runs, strict=True)]
        print(f"{name} - hello-world: {med[name][0] - hello:+.3f} s (goal <= {GOAL:g} s); "
              f"run by run: median {statistics.median(pairs):+.3f} s, "
              f"{min(pairs):+.3f} to {max(pairs):+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
