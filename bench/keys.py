"""Key to repaint, the way a user sees it: the real app in tmux, key sent -> screen changed.

Why: a key that feels instant at epoch 0 can lag after a long run (the loss plot
once rebuilt its whole picture on every key). Profiling a widget misses what the
terminal shows, so this bench drives the real `backprop-tui` in a private tmux
server and times, for each of the stepping keys n, p, N, P, the interval from
`tmux send-keys` to the first `capture-pane` whose text differs from before the
key. It measures once at epoch 0 (the baseline) and again after running N
epochs (E, N, enter) in the same app, and prints both side by side with their
ratio. Between keys it waits for the screen to settle, so each key starts from a
still screen. Waits are bounded; the tmux server is killed at the end.

The time includes starting one `tmux send-keys` process and the polling interval
(one `capture-pane` process): both are printed as the resolution. Exits 1 if a
median after the run is over --limit-ms (30), 2 with a one-line error if tmux is
missing or the app does not start.

    python bench/keys.py [--epochs 1000] [--repeats 30] [--size 120x40] [--limit-ms 30]
                         [--app-args "--hidden 8,8"]

``--app-args``: options for the app (a deeper network, another dataset), split as a
shell would.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

KEYS = ("n", "p", "N", "P")  # forward then back, so each round ends where it began


def fail(message: str) -> None:
    print(f"keys.py: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def app_command() -> list[str]:
    """The venv's `backprop-tui` beside this Python, else `python -m backprop_tui`."""
    script = Path(sys.executable).parent / "backprop-tui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "backprop_tui"]


class Tmux:
    """One app in a detached session on a private tmux server (-L), so nothing else is
    touched and killing the server at the end removes everything this bench started."""

    def __init__(self, command: list[str], width: int, height: int) -> None:
        self.base = ["tmux", "-L", f"bench-keys-{os.getpid()}"]
        self.session = f"keys{os.getpid()}"
        self.tmux("new-session", "-d", "-s", self.session, "-x", str(width), "-y",
                  str(height), shlex.join(command))
        self.socket = Path(self.tmux("display-message", "-p", "#{socket_path}").strip())

    def tmux(self, *args: str) -> str:
        done = subprocess.run([*self.base, *args], capture_output=True, text=True, timeout=10)
        if done.returncode != 0:
            raise RuntimeError(f"tmux {args[0]}: {done.stderr.strip()}")
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def close(self) -> None:
        """Kill the private server and remove its socket file (tmux may leave it behind)."""
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10)
        self.socket.unlink(missing_ok=True)

    def settle(self, quiet: float, limit: float) -> tuple[str, bool]:
        """Wait until the screen has not changed for ``quiet`` seconds (at most ``limit``)."""
        start = last_change = time.monotonic()
        shown = self.screen()
        while time.monotonic() - start < limit:
            time.sleep(0.02)
            now = self.screen()
            if now != shown:
                shown, last_change = now, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                return shown, True
        return shown, False

    def time_key(self, *keys: str, limit: float = 2.0) -> float | None:
        """Milliseconds from sending ``keys`` to the first different screen (None: unchanged).
        Polls with a 2 ms pause, so the bench leaves the app most of the CPU."""
        before = self.screen()
        start = time.perf_counter()
        self.send(*keys)
        while time.perf_counter() - start < limit:
            if self.screen() != before:
                return (time.perf_counter() - start) * 1000
            time.sleep(0.002)
        return None


def measure(tmux: Tmux, repeats: int) -> dict[str, tuple[list[float], int]]:
    """Per key: the times of the keys that changed the screen, and how many did not."""
    results = {}
    for key in KEYS:
        times, unchanged = [], 0
        for _ in range(repeats):
            tmux.settle(quiet=0.15, limit=3.0)
            ms = tmux.time_key(key)
            if ms is None:
                unchanged += 1
            else:
                times.append(ms)
        results[key] = (times, unchanged)
    return results


def run_epochs(tmux: Tmux, epochs: int, limit: float) -> tuple[float, str]:
    """E, the count, enter; then wait for the screen to stop changing (the run's end)."""
    if tmux.time_key("E", limit=10.0) is None:
        fail("E did not open anything within 10 s")
    tmux.settle(quiet=0.3, limit=5.0)
    tmux.send(*["BSpace"] * 12)
    tmux.time_key("-l", str(epochs), limit=10.0)
    screen, _ = tmux.settle(quiet=0.3, limit=5.0)
    if str(epochs) not in screen:
        fail(f"after E and typing {epochs}, the screen does not show {epochs}")
    start = time.monotonic()
    if tmux.time_key("Enter", limit=10.0) is None:
        fail("enter did not start the run within 10 s")
    screen, still = tmux.settle(quiet=2.0, limit=limit)
    if not still:
        fail(f"the screen was still changing {limit:.0f} s after starting {epochs} epochs")
    return time.monotonic() - start - 2.0, screen


def stats(times: list[float]) -> tuple[float, float]:
    if not times:
        return float("nan"), float("nan")
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
    return statistics.median(times), p90


def overhead(tmux: Tmux, samples: int = 20) -> float:
    """Median ms of one capture-pane: the polling resolution."""
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        tmux.screen()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--size", default="120x40", help="terminal size, COLSxROWS")
    parser.add_argument("--limit-ms", type=float, default=30.0)
    parser.add_argument("--app-args", default="",
                        help="options for the app, e.g. '--hidden 8,8' (split as a shell would)")
    parser.add_argument("--run-limit", type=float, default=600.0,
                        help="seconds to wait for the epochs to run")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        fail("tmux is not installed; this bench drives the app in tmux (apt-get install tmux)")
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        fail(f"--size {args.size!r}: expected COLSxROWS, e.g. 120x40")
    if args.epochs < 1 or args.repeats < 2:
        fail("--epochs must be >= 1 and --repeats >= 2")

    command = app_command() + shlex.split(args.app_args)
    try:
        tmux = Tmux(command, width, height)
    except RuntimeError as error:
        fail(str(error))
    try:
        screen, still = tmux.settle(quiet=1.0, limit=60.0)
        if not screen.strip() or not still:
            fail(f"{shlex.join(command)} did not show a still screen within 60 s")
        resolution = overhead(tmux)
        before = measure(tmux, args.repeats)
        seconds, screen = run_epochs(tmux, args.epochs, args.run_limit)
        after = measure(tmux, args.repeats)
    except RuntimeError as error:  # the session ended: the app exited or crashed
        fail(f"{error} (did {shlex.join(command)} exit?)")
    finally:
        tmux.close()

    print(f"{shlex.join(command[1:]) or 'backprop-tui'} in tmux {width}x{height}: key sent -> "
          f"screen changed, ms "
          f"({args.repeats} presses per key; one capture-pane takes {resolution:.1f} ms; "
          f"{os.cpu_count()} CPUs, shared)")
    print(f"{args.epochs} epochs ran in about {seconds:.1f} s; status line after the run: "
          f"{screen.rstrip().splitlines()[-2].strip()[:70] if screen.strip() else '?'}")
    print(f"{'key':>4} | {'epoch 0 median':>14} {'p90':>6} | "
          f"{f'after {args.epochs} median':>18} {'p90':>6} | {'ratio':>5} | unchanged")
    over = []
    for key in KEYS:
        (b_med, b_p90), (a_med, a_p90) = stats(before[key][0]), stats(after[key][0])
        print(f"{key:>4} | {b_med:14.1f} {b_p90:6.1f} | {a_med:18.1f} {a_p90:6.1f} | "
              f"{a_med / b_med:5.2f} | {before[key][1]} / {after[key][1]}")
        if not a_med <= args.limit_ms:
            over.append(key)
    verdict = f"over {args.limit_ms:g} ms: {' '.join(over)}" if over else "all within"
    print(f"target: median <= {args.limit_ms:g} ms after {args.epochs} epochs; {verdict}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
