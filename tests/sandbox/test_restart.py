"""The sandbox stopped and started again on the same database carries on where it was."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.sandbox.server import Sandbox
from tests.sandbox.conftest import origin, running
from tests.waiting import until

STUDY = "Nghiên cứu chuyên đề năm 2022 qua tài liệu của Ban Tuyên giáo"
WEAKNESS = "Phát biểu trong sinh hoạt chi bộ còn ít."


async def typed(box: Sandbox, code: str, text: str) -> None:
    """Type ``text`` on the page as ``code`` and wait for the bot's answer."""
    seat = box.seats[code]
    before = len(seat.chat.messages)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{box.url}api/chat/{code}/send", json={"text": text}, headers=origin(box)
        ) as answer,
    ):
        assert answer.status == 200
    await until(box.api, lambda: len(seat.chat.messages) > before)


async def pressed(box: Sandbox, code: str, label: str) -> None:
    """Press a button as ``code`` and wait for the bot's answer (or its edit)."""
    chat = box.seats[code].chat
    before = (len(chat.messages), sum(m.edits for m in chat.messages))
    await chat.press(label)
    await until(
        box.api, lambda: (len(chat.messages), sum(m.edits for m in chat.messages)) != before
    )


async def draft_of(box: Sandbox, code: str) -> tuple[dict[str, object], str]:
    assert box.running is not None
    services, store = box.running.services, box.running.store
    campaign = await services.plans.campaign()
    person_id = box.seats[code].person.id
    assert campaign is not None and person_id is not None
    plan = await store.plans.plan_of(person_id, campaign.id)
    assert plan is not None
    return dict(plan.draft.answers), plan.draft.buffer


async def test_an_answer_typed_after_a_restart_is_taken(tmp_path: Path) -> None:
    """Typed answers, the chat, the moved clock and the menu all survive stop and start."""
    database = tmp_path / "sandbox.db"
    async with running(database) as box:
        chat = box.seats["DV002"].chat
        await chat.share_contact()
        await until(box.api, lambda: bool(chat.messages))
        await pressed(box, "DV002", "📝 Kế hoạch của tôi")
        await pressed(box, "DV002", "✅ Thông tin đúng")
        await typed(box, "DV002", STUDY)
        await pressed(box, "DV002", "✅ Xong")
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                box.url + "api/clock", json={"jump": "day"}, headers=origin(box)
            ) as answer,
        ):
            assert answer.status == 200
        seen = [(m.message_id, m.plain) for m in chat.messages]
        menu = box.api.commands_for_chat(chat.user.id)
        assert menu
    async with running(database) as box:
        chat = box.seats["DV002"].chat
        assert [(m.message_id, m.plain) for m in chat.messages] == seen  # the chat came back
        assert [s.text for s in box.seats["DV002"].said][-1] == STUDY
        assert box.api.commands_for_chat(chat.user.id) == menu
        async with aiohttp.ClientSession() as session:
            async with session.get(box.url + "api/state") as answer:
                assert (await answer.json())["clock"].endswith("02/04/2022")  # the moved clock
            async with session.get(box.url + "api/chat/DV002") as answer:
                page = await answer.json()
        assert "📝 Kế hoạch của tôi" in str(page["keyboard"])  # the menu is still on screen
        await typed(box, "DV002", WEAKNESS)
        answers, buffer = await draft_of(box, "DV002")
        assert answers["study"] == STUDY
        assert WEAKNESS in buffer  # taken, not mistaken for a message delivered twice
