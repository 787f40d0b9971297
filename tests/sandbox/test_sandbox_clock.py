"""The sandbox's clock jumps follow the scheduler's own occasions, and what falls due goes out."""

from __future__ import annotations

import aiohttp

from bot.sandbox.server import Sandbox
from tests.sandbox.conftest import origin
from tests.waiting import until as until_called


async def test_jump_to_the_next_meeting_reminder_sends_it(box: Sandbox) -> None:
    an, binh = box.seats["DV001"].chat, box.seats["DV002"].chat

    async def until(check) -> None:  # type: ignore[no-untyped-def]
        await until_called(box.api, check)

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
        jump = {"jump": "meeting"}
        async with session.post(box.url + "api/clock", json=jump, headers=origin(box)) as answer:
            assert answer.status == 200
        assert (await state())["clock"].endswith("07/04/2022")
        await until(lambda: any("Hội trường thôn" in m.plain for m in binh.messages[2:]))
        jump = {"jump": "nowhere"}
        async with session.post(box.url + "api/clock", json=jump, headers=origin(box)) as answer:
            assert answer.status == 400


async def test_after_the_deadline_the_reminder_jump_goes_to_the_late_reminder(box: Sandbox) -> None:
    """Past the deadline the next reminder is the first late one, and it arrives with the days."""
    binh = box.seats["DV002"].chat

    async def until(check) -> None:  # type: ignore[no-untyped-def]
        await until_called(box.api, check)

    await binh.share_contact()
    await until(lambda: len(binh.messages) >= 1)
    async with aiohttp.ClientSession() as session:

        async def jumps() -> dict[str, str]:
            async with session.get(box.url + "api/state") as answer:
                return {j["id"]: j["when"] for j in (await answer.json())["jumps"]}

        jump = {"jump": "deadline"}
        async with session.post(box.url + "api/clock", json=jump, headers=origin(box)) as answer:
            assert answer.status == 200
        assert (await jumps())["reminder"] == "07/05/2022 08:01"  # 7 days after 30/04
        jump = {"jump": "reminder"}
        async with session.post(box.url + "api/clock", json=jump, headers=origin(box)) as answer:
            assert answer.status == 200
        await until(lambda: any("hạn đã qua ngày 30/04/2022" in m.plain for m in binh.messages))
        late = next(m.plain for m in binh.messages if "hạn đã qua ngày" in m.plain)
        assert "(7 ngày trước)" in late


async def test_the_clock_reaches_mid_year_and_the_year_end(box: Sandbox) -> None:
    """Two jumps lead to the progress prompts: mid-year (30/06) and before the year-end review
    (08/12, 7 days before 15/12); once passed, a jump is no longer offered."""
    async with aiohttp.ClientSession() as session:

        async def state() -> dict:  # type: ignore[type-arg]
            async with session.get(box.url + "api/state") as answer:
                return await answer.json()

        jumps = {j["id"]: j["when"] for j in (await state())["jumps"]}
        assert jumps["midyear"] == "30/06/2022 08:01"
        assert jumps["yearend"] == "08/12/2022 08:01"
        jump = {"jump": "midyear"}
        async with session.post(box.url + "api/clock", json=jump, headers=origin(box)) as answer:
            assert answer.status == 200
        found = await state()
        assert found["clock"] == "08:01 30/06/2022"
        assert "midyear" not in {j["id"] for j in found["jumps"]}
        jump = {"jump": "yearend"}
        async with session.post(box.url + "api/clock", json=jump, headers=origin(box)) as answer:
            assert answer.status == 200
        found = await state()
        assert found["clock"] == "08:01 08/12/2022"
        assert "yearend" not in {j["id"] for j in found["jumps"]}


async def test_the_sandbox_campaign_has_the_mid_year_self_check_on(box: Sandbox) -> None:
    """So that the mid-year jump's prompt, and the plan, offer it to try."""
    assert box.running is not None
    campaign = await box.running.services.plans.campaign()
    assert campaign is not None and campaign.schedule.midyear_check
