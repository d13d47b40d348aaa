"""A follower that cannot keep up gets the latest state, not a queue; one that stops
reading is dropped; and neither holds up the rest of the class.

The server runs in-process here so the test can shorten how long a stuck follower
is kept (``routes.SEND_SECONDS``); the child-process server runs the same code.
"""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp

from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session
from backprop_tui.teach import routes
from backprop_tui.teach.client import Follower
from backprop_tui.teach.server import Publisher

WAIT = 10.0
TEXT = "W1[0,0] + " * 94 + "L"
BIG = {"watches": [TEXT] * 16, "breakpoints": [(TEXT + " > 0", True)] * 32}  # a 48 KiB state


def test_a_follower_that_stops_reading_skips_to_the_latest_then_is_dropped(
        monkeypatch) -> None:
    monkeypatch.setattr(routes, "SEND_SECONDS", 1.0)
    data = DataOptions("lab")
    teacher = build_session(data, TrainConfig())
    publisher = Publisher(port=0, data=data, in_process=True)
    url, code = publisher.start()
    brisk = Follower(url, code, backoff=(0.05, 0.3)).start()

    async def laggard() -> tuple[list[int], int | None]:
        """Reads nothing for a while (its socket fills), then reads what is there."""
        got: list[int] = []
        async with aiohttp.ClientSession() as http, http.ws_connect(
                f"{url}/follow?code={code}", max_msg_size=1 << 20) as ws:
            await asyncio.sleep(0.2)
            for _ in range(150):  # ~7 MB published while it does not read
                teacher.step_forward()
                assert publisher.publish(teacher, **BIG) is None
                await asyncio.sleep(0.002)
            await asyncio.sleep(0.5)
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                msg = await ws.receive(timeout=WAIT)
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                got.append(json.loads(msg.data)["seq"])
                if got[-1] == publisher.seq:
                    break
            await asyncio.sleep(0)
            return got, ws.close_code

    try:
        got, _ = asyncio.run(laggard())
        assert got[-1] == publisher.seq == 150  # it ends with the latest state ...
        assert len(got) < 150 and got == sorted(got)  # ... having skipped, in order
        assert publisher.stats["skipped"] > 0
        # the one who kept reading was not held up: it has the latest too
        assert brisk.wait_until(lambda f: f.latest is not None and f.latest.seq == 150, WAIT)

        async def stuck() -> int | None:
            """Never reads again: dropped after SEND_SECONDS, its place freed."""
            async with aiohttp.ClientSession() as http, http.ws_connect(
                    f"{url}/follow?code={code}", max_msg_size=1 << 20):
                for _ in range(150):
                    teacher.step_forward()
                    publisher.publish(teacher, **BIG)
                    await asyncio.sleep(0.002)
                deadline = time.monotonic() + WAIT
                while publisher.stats["dropped_slow"] == 0 and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
                return publisher.stats["dropped_slow"]

        assert asyncio.run(stuck()) == 1
        assert brisk.status == "following"
    finally:
        brisk.close()
        publisher.stop()
