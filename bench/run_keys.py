"""Key latency during a long run, early and late: does a key cost the same at the start of
a run and after a million epochs? (Issue: long runs must not make the app sluggish.)

The real app in tmux (the Tmux helper of bench/keys.py): E with 100,000,000 epochs on the
lab data, then `t` (switch plot tab, a key that works while a run goes) is timed from
`tmux send-keys` to a changed screen, R times right after the start and R times once
the title says the run is past --late epochs (1,000,000). The run is cancelled with
escape at the end and the private tmux server killed. Prints median and p90 of both,
side by side, with the epoch each sample was taken at, and the app's memory (RSS) at
both moments.

    python bench/run_keys.py [--late 1000000] [--repeats 20] [--size 120x40]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keys import Tmux, app_command, fail, stats  # noqa: E402

EPOCH = re.compile(r"running: epoch (\d+)")


def epoch_of(screen: str) -> int | None:
    found = EPOCH.search(screen)
    return int(found.group(1)) if found else None


def app_rss_mb(tmux: Tmux) -> float:
    """Resident memory of the app: the process tmux runs in its pane."""
    pid = tmux.tmux("display-message", "-p", "-t", tmux.session, "#{pane_pid}").strip()
    out = subprocess.run(["ps", "-o", "rss=", "--ppid", pid, "-p", pid], capture_output=True,
                         text=True, timeout=10).stdout.split()
    return max((int(v) for v in out), default=0) / 1024


def sample(tmux: Tmux, repeats: int) -> tuple[list[float], list[int]]:
    times, epochs = [], []
    for _ in range(repeats):
        time.sleep(0.05)
        ms = tmux.time_key("t")
        if ms is not None:
            times.append(ms)
        e = epoch_of(tmux.screen())
        if e is not None:
            epochs.append(e)
    return times, epochs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--late", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--limit", type=float, default=600.0, help="seconds to reach --late")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        fail("tmux is not installed (apt-get install tmux)")
    width, height = (int(v) for v in args.size.lower().split("x"))
    tmux = Tmux(app_command(), width, height)
    try:
        tmux.settle(quiet=1.0, limit=60.0)
        tmux.send("E")
        tmux.settle(quiet=0.3, limit=5.0)
        tmux.send(*["BSpace"] * 12)
        tmux.send("-l", "100000000")
        tmux.settle(quiet=0.3, limit=5.0)
        tmux.send("Enter")
        early, early_epochs = sample(tmux, args.repeats)
        early_rss = app_rss_mb(tmux)
        start = time.monotonic()
        while (epoch_of(tmux.screen()) or 0) < args.late:
            if time.monotonic() - start > args.limit:
                fail(f"the run did not reach epoch {args.late} within {args.limit:.0f} s")
            time.sleep(0.5)
        late, late_epochs = sample(tmux, args.repeats)
        late_rss = app_rss_mb(tmux)
        tmux.send("Escape")
    except RuntimeError as error:
        fail(f"{error} (did the app exit?)")
    finally:
        tmux.close()
    (e_med, e_p90), (l_med, l_p90) = stats(early), stats(late)
    print(f"backprop-tui in tmux {width}x{height}, key t during E 100000000 (lab): "
          "key sent -> screen changed, ms")
    print(f"early: epochs {min(early_epochs, default=0)}-{max(early_epochs, default=0)}: "
          f"median {e_med:.1f}, p90 {e_p90:.1f}; app RSS {early_rss:.0f} MB")
    print(f"late:  epochs {min(late_epochs, default=0)}-{max(late_epochs, default=0)}: "
          f"median {l_med:.1f}, p90 {l_p90:.1f}; app RSS {late_rss:.0f} MB")
    print(f"ratio late/early: {l_med / e_med:.2f} (median), memory +{late_rss - early_rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
