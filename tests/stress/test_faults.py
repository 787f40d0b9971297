"""Faults of the Bot API while members fill their plans: the bot stays up and loses nothing.

429 storms and slow answers are waited out (replies go out late, once); 5xx, a body that is
not JSON, and a dropped connection lose at most that one reply, never the member's answer.
The outbox's own fault handling (429, 5xx, time-outs, 403) is in tests/scheduler/test_sender.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from telegram.error import NetworkError, TelegramError

from bot.domain.plans import PlanStatus
from bot.sandbox.fake_api import FakeBotApi, FakeUser, Fault
from bot.sandbox.harness import running_bot
from tests.helpers import fill_mau_01, plan_of, signed_in
from tests.waiting import PATIENCE, until

MEMBERS = "\n".join(
    f"F{n:03},Người số {n},01/01/1980,08{n:08},Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 5,,"
    for n in range(12)
)
HEADER = "Mã,Họ và tên,Ngày sinh,Số điện thoại,Đối tượng,Miễn,Đơn vị,Chức vụ đảng,Vai trò\n"


async def test_members_finish_through_a_429_storm_and_a_slow_api(
    db_url: str, api: FakeBotApi
) -> None:
    """Twelve members at once; replies are refused with 429 or answered slowly: every plan is
    handed in with exactly what was typed, and every refused reply went out again."""
    async with running_bot(db_url, api) as bot:
        await bot.load_roster(HEADER + MEMBERS)
        await bot.open_campaign()
        chats = [await signed_in(bot, f"N{n}", f"08{n:08}") for n in range(12)]
        api.faults += [
            Fault(
                method="sendMessage",
                status=429,
                description="Too Many Requests: retry after 1",
                retry_after=1,
                times=8,
            ),
            Fault(method="sendMessage", status=200, delay=0.3, times=10),
        ]

        async def member(chat):  # type: ignore[no-untyped-def]
            await fill_mau_01(chat, actions=1)
            await chat.press("📨 Gửi kế hoạch")

        await asyncio.gather(*(member(c) for c in chats))
        for chat in chats:
            plan = await plan_of(bot, chat)
            assert plan.status is PlanStatus.SUBMITTED
            assert plan.draft.answers["actions"][0]["action"] == "Việc làm số 1: thăm hộ dân"
        assert bot.errors == []
        assert {c.status for c in api.rejected()} == {429}
        assert len(api.rejected()) == 8


async def test_answers_are_kept_when_their_replies_are_lost(db_url: str, api: FakeBotApi) -> None:
    """A 500, a body that is not JSON and a dropped connection each lose one reply; the answer
    typed is stored all the same, the bot says something went wrong, and carries on."""
    async with running_bot(db_url, api) as bot:
        await bot.load_roster(HEADER + MEMBERS)
        await bot.open_campaign()
        chats = [await signed_in(bot, f"N{n}", f"08{n:08}") for n in range(3)]
        for chat in chats:
            await chat.press("📝 Kế hoạch của tôi")
            await chat.press("✅ Thông tin đúng")
        for chat, kind in zip(chats, ("error", "malformed", "drop"), strict=True):
            api.faults.append(Fault(method="sendMessage", kind=kind, chat_id=chat.user.id))
        texts = [f"Nội dung học tập của người số {n}: Quy định 08 nêu gương." for n in range(3)]
        await asyncio.gather(*(c.send(t) for c, t in zip(chats, texts, strict=True)))
        for chat, text in zip(chats, texts, strict=True):
            assert "có lỗi" in chat.last.plain.lower()  # told, once the API answers again
            plan = await plan_of(bot, chat)
            assert plan.draft.buffer == text  # the answer is kept
            [step] = await chat.press("📝 Kế hoạch của tôi")
            assert "Câu 2/6" in step.plain and f"Đã ghi {len(text)} ký tự" in step.plain
        assert len(bot.errors) == 3
        assert all(isinstance(e, NetworkError | TelegramError) for e in bot.errors)


async def test_the_token_never_reaches_the_log_even_in_tracebacks(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """A real `python -m bot run` at DEBUG through 500s, broken JSON and dropped connections."""
    api.faults += [
        Fault(method="getUpdates", status=500),
        Fault(method="getUpdates", kind="drop"),
        Fault(method="sendMessage", kind="malformed"),  # the reply below: a logged traceback
    ]
    stranger = FakeUser(id=555, first_name="Khách")
    api.add_user(stranger)
    message = {
        "message_id": 1,
        "date": 0,
        "text": "xin chào",
        "chat": {"id": 555, "type": "private"},
        "from": stranger.as_json(),
    }
    await api.push_update(api.new_update({"message": message}))
    env = os.environ | {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'log.db'}",
        "LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )

    def polled_through() -> bool:  # every fault, then once more successfully
        polls = api.calls_of("getUpdates")
        return all(f.times <= 0 for f in api.faults) and bool(polls) and polls[-1].status == 200

    try:
        await until(api, polled_through)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), PATIENCE)
    log = output.decode("utf-8", "replace")
    assert all(f.times <= 0 for f in api.faults), log[-2000:]
    assert process.returncode == 0, log[-2000:]
    assert api.token not in log
    secret = api.token.split(":", 1)[1]
    assert secret not in log
    assert "Traceback" in log  # the failed reply was logged with its traceback


async def test_a_broadcast_with_a_third_of_members_blocking_the_bot(
    db_url: str, api: FakeBotApi
) -> None:
    """The others all get it once; the blocked are failed with the reason, marked unreachable,
    and counted as such in the report."""
    async with running_bot(db_url, api) as bot:
        await bot.load_roster(HEADER + MEMBERS)
        await bot.open_campaign()
        chats = [await signed_in(bot, f"N{n}", f"08{n:08}") for n in range(12)]
        blocked = {c.user.id for c in chats[::3]}
        api.blocked |= blocked
        broadcast_id, preview = await bot.services.broadcasts.send("Thông báo chung", "all")
        assert len(preview.people) == 12
        await bot.drain_outbox()
        for chat in chats:
            got = [m for m in chat.messages if m.plain == "Thông báo chung"]
            assert len(got) == (0 if chat.user.id in blocked else 1)
        found = await bot.services.broadcasts.status(broadcast_id)
        assert found is not None
        row, failures = found
        assert row.counts == {"sent": 8, "failed": 4}
        assert all(f.error.startswith("blocked") for f in failures)
        standings = await bot.store.schedule.standings((await bot.services.plans.campaign()).id)  # type: ignore[union-attr]
        assert sum(s.unreachable for s in standings) == 4
        assert bot.errors == []
