"""``serve --max-sessions``: how many tabs get an app at once, and what the next one reads.

Each browser tab of ``serve`` is a Python process of its own (about 40 MiB idle, 95
once it has run the compiled kernel: ``bench/serve_memory.py``), so a class of a
hundred tabs, or one visitor opening tabs in a loop, could take the machine's memory.
Past the cap no process is started: a page load gets an HTML page saying so (HTTP
503), and a websocket opened from a page loaded earlier gets the same words written
into its terminal. Nothing here imports aiohttp until a tab is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html

from .options import PROG

DEFAULT_MAX_SESSIONS = 40  # a class
MOST_SESSIONS = 10_000
SHOW_SECONDS = 60.0  # a refused tab shows the words this long, then "Session ended"
HELD = 100  # refused sockets kept open to show them; past this many they close at once


def session_count(text: str) -> int:
    """--max-sessions: a whole number in 1..MOST_SESSIONS."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= count <= MOST_SESSIONS:
        raise argparse.ArgumentTypeError(f"{count} is not in 1..{MOST_SESSIONS:,}")
    return count


def full_message(most: int) -> str:
    """What the visitor past the cap reads, on the page or in the tab's terminal."""
    return (f"{PROG}: this server is full: it runs at most {most} app{'s' * (most != 1)} "
            f"at once, one per browser tab (serve --max-sessions {most}), and all are in "
            "use. Close a tab you no longer need, or reload this page in a minute.")


def full_page(most: int) -> str:
    """The page a visitor past the cap gets instead of a terminal."""
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
            f"{PROG}: full</title></head>\n<body style=\"font-family: monospace; margin: 3em; "
            f"max-width: 45em\"><h1>{PROG}</h1>\n<p>{html.escape(full_message(most))}</p>\n"
            "<p><a href=\"/\">Try again</a></p></body></html>\n")


def page_response(most: int):
    from aiohttp import web

    return web.Response(status=503, text=full_page(most), content_type="text/html",
                        headers={"Retry-After": "60"})


async def refuse(request, most: int, held: int):
    """Answer a websocket past the cap: the words go into the page's terminal, which shows
    them while the socket is open (on close the page covers them with "Session ended"), so
    it stays open a while unless ``held`` refused sockets are open already."""
    from aiohttp import WSCloseCode, WSMsgType, web

    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_bytes(f"\r\n {full_message(most)}\r\n".encode())

    async def until_closed() -> None:
        async for message in ws:
            if message.type == WSMsgType.CLOSE:
                break

    if held <= HELD:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(until_closed(), SHOW_SECONDS)
    await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"server full")
    return ws
