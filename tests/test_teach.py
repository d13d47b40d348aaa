"""Teaching: a teacher's Publisher and Followers on 127.0.0.1, in-process.

What a class relies on: every follower's session is the teacher's, bit for bit, at
every stop of a scripted lesson (steps, an edit, a run of epochs); a CSV dataset a
follower lacks is downloaded from the teacher and its hash checked; the class has
at most ``max_followers``; a wrong join code is refused; a teacher who quits
leaves followers where they were, saying so, and one who comes back is followed
again. Every wait is bounded (a few seconds), every server on a free port.
"""

from __future__ import annotations

import json
import struct
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from backprop_tui.core.run.session import Session, TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session
from backprop_tui.teach.client import Follower, parse_url
from backprop_tui.teach.mirror import RebuildError
from backprop_tui.teach.protocol import Ui
from backprop_tui.teach.server import Publisher

WAIT = 10.0  # seconds any one wait may take; each returns as soon as it holds
FAST = (0.05, 0.3)  # reconnect pauses for tests
CSV = "a,b,t\n" + "".join(f"{i % 7 / 7},{i % 5 / 5},{i % 4 / 4}\n" for i in range(40))


def same_bits(teacher: Session, follower: Session) -> None:
    """The follower's session is the teacher's: place, η, parameters, every value."""
    assert follower.cursor == teacher.cursor
    assert struct.pack("<d", follower.lr) == struct.pack("<d", teacher.lr)
    mine, theirs = teacher.values, follower.values
    assert mine.keys() == theirs.keys()
    for key, value in mine.items():
        a, b = np.asarray(value), np.asarray(theirs[key])
        assert a.shape == b.shape and a.dtype == b.dtype, key
        assert a.tobytes() == b.tobytes(), key
    assert [struct.pack("<d", r.train_loss_sum) for r in teacher.epoch_records] == \
        [struct.pack("<d", r.train_loss_sum) for r in follower.epoch_records]
    assert [(e.update, e.text) for e in teacher.edits] == \
        [(e.update, e.text) for e in follower.edits]


def until(test, timeout: float = WAIT) -> bool:
    """Poll ``test()`` (the publisher's counters come from its server, 0.2 s late)."""
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture(params=["process", "thread"])
def lab(request):
    data = DataOptions("lab")
    publisher = Publisher(port=0, teacher_name="Ms Ada", data=data,
                          in_process=request.param == "thread")
    url, code = publisher.start()
    followers: list[Follower] = []

    def follow(**kw) -> Follower:
        f = Follower(url, code, backoff=FAST, **kw).start()
        followers.append(f)
        return f

    yield publisher, build_session(data, TrainConfig()), follow
    for f in followers:
        f.close()
    publisher.stop()


def caught_up(publisher: Publisher, followers: list[Follower]) -> None:
    for f in followers:
        assert f.wait_until(lambda f: f.latest is not None and f.latest.seq == publisher.seq,
                            WAIT), f.status


def test_three_followers_match_the_teacher_bit_for_bit_at_every_stop(lab) -> None:
    publisher, teacher, follow = lab
    followers = [follow() for _ in range(3)]
    marks = [("L < 0.01", True), ("epoch == 3", False)]
    script = [
        ("n", lambda: teacher.step_forward()), ("n", lambda: teacher.step_forward()),
        ("n", lambda: teacher.step_forward()),
        ("edit", lambda: teacher.edit("W1[0,1] = 0.5")),
        ("N", lambda: teacher.next_sample()), ("u", lambda: teacher.apply_update()),
        ("E 2", lambda: teacher.run_epochs(2)),
        ("edit lr", lambda: teacher.edit("lr = 0.1")),
        ("p", lambda: teacher.step_back()), ("p", lambda: teacher.step_back()),
        ("go to", lambda: teacher.goto(5, 7)),  # before both edits: one goes
        ("edit again", lambda: teacher.edit("b2 = 0.25")),
        ("E 1", lambda: teacher.run_epochs(1)),
        ("r", lambda: teacher.reset()),
    ]
    for i, (key, act) in enumerate(script):
        act()
        ui = Ui(ask=i % 3 == 0, tab=("loss", "fit")[i % 2], note=f"stop {i}: {key}")
        assert publisher.publish(teacher, ui, breakpoints=marks, watches=["L"]) is None
        caught_up(publisher, followers)
        for f in followers:
            same_bits(teacher, f.rebuild())
            assert f.latest.ui == ui and f.teacher == "Ms Ada" and f.status == "following"
            assert [b.text for b in f.latest.state.breakpoints] == ["L < 0.01", "epoch == 3"]
        if key == "E 2":  # one who joins late gets the whole state at once
            followers.append(follow())
    assert len(teacher.edits) == 2  # the go-to's edit at update 5 discarded the later one


def test_a_csv_the_follower_lacks_is_downloaded_and_its_hash_checked(tmp_path: Path) -> None:
    path = tmp_path / "class.csv"
    path.write_text(CSV)
    data = DataOptions(str(path), test_fraction=0.25)
    teacher = build_session(data, TrainConfig(hidden=3))
    teacher.goto(33, 4)
    publisher = Publisher(port=0, data=data)
    url, code = publisher.start()
    follower = Follower(url, code, backoff=FAST, use_local=False).start()
    try:
        assert publisher.publish(teacher) is None
        caught_up(publisher, [follower])
        same_bits(teacher, follower.rebuild())
        with urllib.request.urlopen(f"{url}/data?code={code}", timeout=WAIT) as got:
            assert got.read() == CSV.encode()
        path.write_text(CSV.replace("0.25", "0.5"))  # the teacher's file changes under it
        other = Follower(url, code, backoff=FAST, use_local=False).start()
        try:
            caught_up(publisher, [other])
            with pytest.raises(RebuildError) as err:
                other.rebuild()
            assert "does not match the hash the teacher announced" in str(err.value)
            assert "\n" not in str(err.value) and other.status == "following"
        finally:
            other.close()
    finally:
        follower.close()
        publisher.stop()


def test_the_routes_want_the_join_code(lab) -> None:
    publisher, teacher, _ = lab
    publisher.publish(teacher)
    base, code = publisher.url, publisher.code
    with urllib.request.urlopen(f"{base}/session?code={code.lower()}", timeout=WAIT) as got:
        doc = json.loads(got.read())
    assert doc["v"] == 1 and doc["seq"] == 1 and doc["teacher"] == "Ms Ada"
    assert doc["state"]["cursor"] == {"update": 0, "phase": 0}
    for route, status in (("session?code=AAAAAA", 403), ("data", 403),
                          (f"data?code={code}", 404)):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{base}/{route}", timeout=WAIT)
        assert err.value.code == status
    statuses = []
    for _ in range(25):  # guessing fast is slowed to a guess a second for everyone
        try:
            urllib.request.urlopen(f"{base}/session?code=ZZZZZZ", timeout=WAIT)
        except urllib.error.HTTPError as err:
            statuses.append(err.code)
    assert 429 in statuses


def test_a_wrong_code_is_refused_in_words_and_not_retried(lab) -> None:
    publisher, teacher, follow = lab
    publisher.publish(teacher)
    f = Follower(publisher.url, "WRONG2", backoff=FAST).start()
    try:
        assert f.wait_until(lambda f: f.status.startswith("refused"), WAIT)
        assert f.status.startswith("refused: wrong join code") and f.latest is None
        assert until(lambda: publisher.stats.get("refused_code", 0) == 1)
        assert publisher.followers == 0
    finally:
        f.close()


def test_at_most_max_followers_and_the_next_one_is_told() -> None:
    data = DataOptions("lab")
    publisher = Publisher(port=0, max_followers=2, data=data)
    url, code = publisher.start()
    teacher = build_session(data, TrainConfig())
    publisher.publish(teacher)
    fs = [Follower(url, code, backoff=FAST).start() for _ in range(2)]
    late = None
    try:
        caught_up(publisher, fs)
        late = Follower(url, code, backoff=FAST).start()
        assert late.wait_until(lambda f: "full" in f.status, WAIT)
        assert late.status == "refused: the class is full: at most 2 followers; trying again"
        assert until(lambda: publisher.stats.get("refused_full", 0) >= 1)
        assert publisher.followers == 2
        fs[0].close()  # a place frees: the next attempt gets in
        assert late.wait_until(lambda f: f.latest is not None, WAIT), late.status
        assert late.status == "following"
    finally:
        for f in [*fs, *([late] if late else [])]:
            f.close()
        publisher.stop()


def test_teacher_gone_keeps_the_place_and_a_returning_teacher_is_followed(lab) -> None:
    publisher, teacher, follow = lab
    fs = [follow(), follow()]
    teacher.goto(3, 6)
    publisher.publish(teacher, Ui(note="before the break"))
    caught_up(publisher, fs)
    port, code = publisher.port, publisher.code
    publisher.stop()
    for f in fs:
        assert f.wait_until(lambda f: f.status == "teacher gone", WAIT)
        assert f.latest.ui.note == "before the break"
        same_bits(teacher, f.rebuild())  # still where the teacher was
    back = Publisher(port=port, code=code, data=DataOptions("lab"),
                     in_process=publisher.in_process)
    back.start()
    try:
        teacher.goto(7, 2)
        back.publish(teacher, Ui(note="after the break"))  # its numbering starts again
        for f in fs:
            assert f.wait_until(lambda f: f.latest.ui.note == "after the break", WAIT)
            assert f.status == "following" and f.connects == 2
            same_bits(teacher, f.rebuild())
    finally:
        back.stop()


def test_followers_send_nothing_the_teacher_acts_on(lab) -> None:
    import asyncio

    import aiohttp

    publisher, teacher, _ = lab
    publisher.publish(teacher)

    async def chatter() -> str:
        async with aiohttp.ClientSession() as http, http.ws_connect(
                f"{publisher.url}/follow?code={publisher.code}") as ws:
            first = await asyncio.wait_for(ws.receive(), WAIT)
            for i in range(150):
                await ws.send_str(json.dumps({"v": 1, "seq": 99 + i, "edit": "lr = 9"}))
            while True:  # the teacher hangs up on a chatterbox
                msg = await asyncio.wait_for(ws.receive(), WAIT)
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    return f"{first.data[:8]} {ws.close_code}"

    said = asyncio.run(chatter())
    assert said.startswith('{"v":1,') and said.endswith(" 1008")
    assert until(lambda: publisher.stats.get("ignored", 0) > 100) and publisher.seq == 1
    assert teacher.config.lr == 0.5 and not teacher.edits


def test_publishing_is_cheap_and_refuses_a_state_over_the_message_limit(lab) -> None:
    import time

    publisher, teacher, follow = lab
    follow()
    costs = []
    for _ in range(200):
        teacher.step_forward()
        start = time.perf_counter()
        assert publisher.publish(teacher, Ui(tab="loss")) is None
        costs.append(time.perf_counter() - start)
    assert sorted(costs)[len(costs) // 2] < 0.005  # 5 ms; about 0.1 ms here
    before = publisher.seq
    why = publisher.publish(teacher, watches=["W1[0,0] + " * 90 + "L"] * 80)
    assert why is not None and "more than a message's 65,536" in why and "\n" not in why
    assert publisher.seq == before and publisher.problem == why


def test_addresses_as_typed() -> None:
    assert parse_url("127.0.0.1:8000/?code=abc-234") == ("http://127.0.0.1:8000", "ABC234")
    assert parse_url("http://[::1]:9000", "q7rt9x") == ("http://[::1]:9000", "Q7RT9X")
    for bad in ("ftp://x:1", "http://:80", "http://h:99999"):
        with pytest.raises(ValueError):
            parse_url(bad, "ABCDEF")
    with pytest.raises(ValueError, match="no join code"):
        parse_url("http://127.0.0.1:8000")


def test_an_address_with_no_teacher_is_said_and_tried_again() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on (closed again at once)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    f = Follower(f"127.0.0.1:{port}", "ABCDEF", backoff=FAST).start()
    try:
        assert f.wait_until(lambda f: f.status.startswith("cannot reach"), WAIT)
        assert f.status.startswith(f"cannot reach the teacher at http://127.0.0.1:{port}: ")
        with pytest.raises(RebuildError, match="nothing received"):
            f.rebuild()
    finally:
        f.close()
    assert f.status == "closed"


def test_the_teaching_core_never_imports_textual() -> None:
    import subprocess
    import sys

    code = ("import sys, backprop_tui.teach.server, backprop_tui.teach.client, "
            "backprop_tui.teach.relay, backprop_tui.teach.lessonfile; assert not any("
            "m.startswith('textual') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
