"""The student's process's parent: it absorbs signals meant for us and buries every descendant.

Run as ``python -S guard.py WORKER-ARGV...`` by :mod:`.sandbox`, in a session of
its own (so the terminal's Ctrl-C and job control do not reach the student's
code, and the whole tree is one process group). It starts the worker and waits.

Why a separate parent: student code may call ``os.kill(os.getppid(), SIGINT)``
or fork children that linger. With this guard, "the parent" is a process that
ignores such signals, so ``check`` and the app are not taken down; and as a
Linux child subreaper it inherits every orphan of the tree, even ones that
called ``setsid()``, and kills them all when the worker ends, when the sandbox
asks (SIGTERM), or when its own parent dies. Standard library only, and no
import of our package: it starts in milliseconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time

# Signals the student's code might aim at its parent; the guard ignores them.
SHIELDED = ("SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGTSTP",
            "SIGTTIN", "SIGTTOU", "SIGPIPE", "SIGXCPU", "SIGVTALRM", "SIGPROF")
PR_SET_CHILD_SUBREAPER = 36
POLL = 0.05
stop = False


def _on_term(signum: int, frame: object) -> None:
    global stop
    stop = True


def become_subreaper() -> None:
    """Orphans of the tree become our children instead of init's (Linux only; else no-op)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def children() -> list[int]:
    """Our live child processes, from /proc (empty where there is no /proc)."""
    me = os.getpid()
    found = []
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rfind(b")") + 2:].split()
            if len(fields) > 1 and int(fields[1]) == me and fields[0] != b"Z":
                found.append(int(name))
    return found


def reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def bury_all() -> None:
    """Kill every descendant, repeatedly, until none is left.

    Killing a process hands its children to us (the subreaper), so each round
    reaches one generation deeper; a killed process cannot fork any more.
    """
    for _ in range(200):
        kids = children()
        if not kids:
            break
        for pid in kids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)
        reap()
    reap()


def end_like(status: int) -> None:
    """Exit as the worker did: the same exit code, or death by the same signal."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        with contextlib.suppress(OSError, ValueError):
            signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def main(argv: list[str]) -> None:
    parent = os.getppid()
    shielded = [getattr(signal, name) for name in SHIELDED if hasattr(signal, name)]
    for sig in shielded:
        signal.signal(sig, signal.SIG_IGN)
    # SIGTERM is the sandbox's cue to bury the tree; the student's code can send it too
    # (os.kill(os.getppid(), SIGTERM)). Where the sender can be read, it is held pending
    # and taken with sigtimedwait, and only the sandbox's own counts.
    sender_known = hasattr(signal, "sigtimedwait") and hasattr(signal, "pthread_sigmask")
    if sender_known:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    else:
        signal.signal(signal.SIGTERM, _on_term)
    become_subreaper()
    pid = os.fork()
    if pid == 0:  # the worker: default signal handling again, then the real program
        for sig in (*shielded, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        if sender_known:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    status = None
    while status is None and not stop and os.getppid() == parent:
        try:
            done, code = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            break
        if done == pid:
            status = code
        elif sender_known:
            info = signal.sigtimedwait({signal.SIGTERM}, POLL)
            if info is not None and info.si_pid == parent:
                break  # the sandbox asks: bury the tree
        else:
            time.sleep(POLL)
    if status is None:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    bury_all()
    end_like(status if status is not None else signal.SIGKILL)  # raw status 9: "killed by 9"


if __name__ == "__main__":
    main(sys.argv[1:])
