"""The sandbox's clock jumps follow the scheduler's own occasions, and what falls due goes out."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.sandbox.server import Sandbox


async def until(check, seconds: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not in time")


async def test_jump_to_the_next_meeting_reminder_sends_it(box: Sandbox) -> None:
    an, binh = box.seats["DV001"].chat, box.seats["DV002"].chat
    for chat in (an, binh):
        await chat.share_contact()
    await until(lambda: len(binh.messages) >= 1 and len(an.messages) >= 1)
    await an.send("/lichhop")
    await until(lambda: "➕ Quán triệt" in an.buttons())
    await an.press("➕ Quán triệt")
    await until(lambda: "Lên lịch" in an.last.plain)
    await an.send("10/04/2022 08:00; Hội trường thôn")
    async with aiohttp.ClientSession() as session:

        async def state() -> dict:  # type: ignore[type-arg]
            async with session.get(box.url + "api/state") as answer:
                return await answer.json()

        await until(lambda: len(box.api.sent(binh.user.id)) >= 2)  # told of the new meeting
        jumps = {j["id"]: j["when"] for j in (await state())["jumps"]}
        assert jumps["meeting"] == "07/04/2022 08:01"  # 72 h before, the schedule's first
        assert jumps["reminder"] == "16/04/2022 08:01"  # T-14 at 08:00
        async with session.post(box.url + "api/clock", json={"jump": "meeting"}) as answer:
            assert answer.status == 200
        assert (await state())["clock"].endswith("07/04/2022")
        await until(lambda: any("Hội trường thôn" in m.plain for m in binh.messages[2:]))
        async with session.post(box.url + "api/clock", json={"jump": "nowhere"}) as answer:
            assert answer.status == 400


async def test_after_the_deadline_the_reminder_jump_goes_to_the_late_reminder(box: Sandbox) -> None:
    """Past the deadline the next reminder is the first late one, and it arrives with the days."""
    binh = box.seats["DV002"].chat
    await binh.share_contact()
    await until(lambda: len(binh.messages) >= 1)
    async with aiohttp.ClientSession() as session:

        async def jumps() -> dict[str, str]:
            async with session.get(box.url + "api/state") as answer:
                return {j["id"]: j["when"] for j in (await answer.json())["jumps"]}

        async with session.post(box.url + "api/clock", json={"jump": "deadline"}) as answer:
            assert answer.status == 200
        assert (await jumps())["reminder"] == "07/05/2022 08:01"  # 7 days after 30/04
        async with session.post(box.url + "api/clock", json={"jump": "reminder"}) as answer:
            assert answer.status == 200
        await until(lambda: any("hạn đã qua ngày 30/04/2022" in m.plain for m in binh.messages))
        late = next(m.plain for m in binh.messages if "hạn đã qua ngày" in m.plain)
        assert "(7 ngày trước)" in late
