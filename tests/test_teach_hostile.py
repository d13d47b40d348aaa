"""A follower pointed at a hostile teacher: every bad message refused in words, and it
keeps running, with its last good state.

A fake teacher (aiohttp on 127.0.0.1, a free port) sends a script of frames per
connection: a good state, then a wrong version, bad JSON, a message from the past,
edits out of order, an oversized message, a binary frame, a control sequence in a
name, and a good one again; then a frame past the websocket's own limit, which
drops the connection (the follower reconnects). The message checks are also run
directly, and on a few hundred mutations of a good message: nothing but a
one-line ProtocolError ever comes out.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from dataclasses import replace

import pytest
from aiohttp import web

from backprop_tui.core.files.savefile import SavedEdit, state_of
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session
from backprop_tui.teach.client import Follower
from backprop_tui.teach.mirror import Mirror, RebuildError
from backprop_tui.teach.protocol import (
    MAX_MESSAGE,
    ProtocolError,
    Ui,
    decode,
    encode_body,
    frame,
)

WAIT = 10.0


def good_state(update: int = 3, phase: int = 2):
    data = DataOptions("lab")
    session = build_session(data, TrainConfig())
    session.goto(update, phase)
    return state_of(session, data)


def message(number: int, **change) -> str:
    doc = json.loads(frame(number, encode_body("Ms Ada", good_state(), Ui())))
    for key, value in change.items():
        doc[key] = value
    return json.dumps(doc)


def out_of_order() -> str:
    state = replace(good_state(), edits=(SavedEdit(9, "lr = 0.1"), SavedEdit(4, "b2 = 0")))
    return frame(4, encode_body("Ms Ada", state, Ui()))


class FakeTeacher:
    """Sends ``scripts[i]`` on the i-th connection (the last script again after that)."""

    def __init__(self, scripts: list[list[str | bytes]]) -> None:
        self.scripts = scripts
        self.connections = 0
        self.url = ""
        self._done: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)
        self._ready = threading.Event()

    def __enter__(self) -> FakeTeacher:
        self._thread.start()
        assert self._ready.wait(WAIT)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._done.set)
        self._thread.join(WAIT)

    async def follow(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=2**22)
        await ws.prepare(request)
        script = self.scripts[min(self.connections, len(self.scripts) - 1)]
        self.connections += 1
        for item in script:
            if isinstance(item, bytes):
                await ws.send_bytes(item)
            else:
                await ws.send_str(item)
        await self._done.wait()
        await ws.close()
        return ws

    def _main(self) -> None:
        self._loop = asyncio.new_event_loop()

        async def run() -> None:
            self._done = asyncio.Event()
            app = web.Application()
            app.router.add_get("/follow", self.follow)
            runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
            self._ready.set()
            await self._done.wait()
            await runner.cleanup()

        self._loop.run_until_complete(run())
        self._loop.close()


def test_every_hostile_message_is_refused_in_words_and_the_follower_keeps_going() -> None:
    first = [
        message(1),
        message(2, v=2),
        '{"v": 1, "seq": 3, "teacher": ',
        message(1),  # from the past
        out_of_order(),
        message(5, teacher="x" * (MAX_MESSAGE + 10)),
        b'{"v": 1}',
        message(6, teacher="Ms \x1b]0;owned\x07Ada"),
        message(7, ui={"ask": "yes", "tab": "loss", "note": None, "question": None}),
        message(8, ui={"ask": False, "tab": "loss", "note": "a\nb\nc\nd", "question": None}),
        message(9, state={"format": "backprop-tui session", "format_version": 1}),
        message(10, seq=True),
        "[1, 2, 3]",
        '{"v": 1, "seq": 11, "x": NaN}',
        "[" * 30_000 + "]" * 30_000,
        message(20),
        "y" * (5 * MAX_MESSAGE),  # past the websocket's limit: the connection drops
    ]
    seen: list[str] = []
    with FakeTeacher([first, [message(1, teacher="Ms Ada again")]]) as fake:
        f = Follower(fake.url, "ABCDEF", backoff=(0.05, 0.2),
                     on_change=lambda f: seen.append(f.refusal or ""))
        f.start()
        try:
            assert f.wait_until(lambda f: f.teacher == "Ms Ada again", WAIT), f.status
            assert f.status == "following" and f.connects == 2
        finally:
            f.close()
    said = list(dict.fromkeys(s for s in seen if s))
    expected = ["protocol version 2", "not JSON", "message 1 arrived after 1",
                "the edits are out of order", "more than the 65,536-byte limit", "binary",
                "control or invisible character U+001B", "'ask' must be true or false",
                "4 lines, at most 3", "the field 'config' is missing", "'seq' must be a whole",
                "(not a JSON object)", "non-finite number NaN", "nested too deeply",
                f"more than {4 * MAX_MESSAGE:,} bytes"]
    assert len(said) == len(expected), said
    for words, got in zip(expected, said, strict=True):
        assert got.startswith("refused a message: ") and words in got, (words, got)
        assert "\n" not in got and len(got) < 300


def test_a_state_whose_hash_does_not_match_is_refused_in_words() -> None:
    state = good_state()
    mirror = Mirror()
    session = mirror.apply(state)
    bad = replace(state, dataset=replace(state.dataset, sha256="0" * 64),
                  cursor=replace(state.cursor, update=9))
    with pytest.raises(RebuildError) as err:
        mirror.apply(bad)
    assert str(err.value) == ("the dataset lab here does not match the hash the teacher "
                              "announced (its rows, split or scaling differ)")
    assert mirror.session is session and session.cursor.update == 3  # kept as it was
    far = replace(state, cursor=replace(state.cursor, update=10**9))
    with pytest.raises(RebuildError, match="more than 100,000,000 updates"):
        mirror.apply(far)
    unreachable = replace(state, edits=(SavedEdit(5, "W9[0] = 1"),))
    with pytest.raises(RebuildError, match="edit 1"):
        mirror.apply(unreachable)


def test_a_file_the_follower_lacks_without_a_teacher_to_ask_is_said() -> None:
    state = good_state()
    gone = replace(state, dataset=replace(state.dataset, source="/nowhere/class.csv"))
    with pytest.raises(RebuildError, match=r"\(class.csv\) is not on this machine"):
        Mirror().apply(gone)


def test_mutations_of_a_good_message_give_nothing_but_one_line_refusals() -> None:
    good = message(5)
    assert decode(good).seq == 5
    rng = random.Random(20)
    refused = 0
    for _ in range(400):
        chars = list(good)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(chars))
            chars[i] = rng.choice('{}[]",:0123456789-.eE \\azZ\x00\x1b\u202e')
        try:
            decode("".join(chars), 2)
        except ProtocolError as err:
            refused += 1
            assert "\n" not in str(err) and str(err)
    assert refused > 300
