"""Members on Zalo: the same conversation as on Telegram, by typed numbers and words only.

The bot's real services on a SQLite file, the Zalo edge and channel talking HTTP to the offline
Zalo Bot API; each message is handed to the edge as Zalo hands it (an event), and the test waits
until the edge has answered it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from bot.app import build_conversation
from bot.domain.models import Channel
from bot.domain.plans import PlanStatus
from bot.sandbox.fake_zalo import FakeZaloApi, FakeZaloUser
from bot.sandbox.harness import Harness
from bot.services.ports import SeenStore
from bot.services.replies import Attachment
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.client import ZaloClient
from handlers.zalo.events import Event, parse_body
from handlers.zalo.polling import Poller
from handlers.zalo.updates import ZaloEdge
from scheduler.timer import VirtualTimer
from tests.helpers import STUDY

BINH = FakeZaloUser(id="5a1e0c3b9d7f2e4a6c80", display_name="Bình")
PATIENCE = 60.0  # seconds: a safety net for a hung loop, never a pause


class FakeLinks:
    """Download links that name the chat and the file."""

    async def link(self, chat_id: str, attachment: Attachment) -> str:
        """A URL for ``attachment``."""
        return f"https://files.example.test/{chat_id}/{attachment.filename}"


@dataclass
class ZaloBot:
    """The bot's Zalo side beside its Telegram harness."""

    bot: Harness
    zalo: FakeZaloApi
    client: ZaloClient
    edge: ZaloEdge

    def edge_again(self) -> ZaloEdge:
        """A second edge on the same database (another replica)."""
        return make_edge(self.bot, self.client)

    async def hand(self, body: dict[str, object], edge: ZaloEdge | None = None) -> None:
        """Give the edge one event body, as the poller or the webhook would, and wait until
        it has been answered."""
        edge = edge or self.edge
        for event in parse_body(body):
            assert isinstance(event, Event)
            await edge.on_event(event)
        await edge.drain()


def make_edge(bot: Harness, client: ZaloClient) -> ZaloEdge:
    """The Zalo edge on the harness's services and store."""
    catalog = bot.services.catalog
    return ZaloEdge(
        build_conversation(bot.services),
        ZaloChannel(client, FakeLinks(), catalog),
        bot.store.offers,
        bot.store.seen,
        bot.services.presenter,
        bot.clock,
    )


@pytest.fixture
async def zalo_bot(bot: Harness) -> AsyncIterator[ZaloBot]:
    """The bot with 2022 open, reachable on the offline Zalo Bot API."""
    await bot.open_campaign()
    zalo = FakeZaloApi()
    await zalo.start()
    try:
        async with ZaloClient(zalo.token, zalo.url, timeout=10.0) as client:
            yield ZaloBot(bot, zalo, client, make_edge(bot, client))
    finally:
        await zalo.stop()


class ZaloChat:
    """One person writing to the bot on Zalo."""

    def __init__(self, side: ZaloBot, user: FakeZaloUser) -> None:
        self._side = side
        self.user = user

    @property
    def received(self) -> list[str]:
        """Every text the bot sent this person."""
        return [sent.text for sent in self._side.zalo.sent(self.user.id)]

    @property
    def last(self) -> str:
        """The last text received."""
        return self.received[-1]

    async def send(self, text: str) -> list[str]:
        """Type ``text``; the messages it brought back."""
        before = len(self.received)
        await self._side.hand(self._side.zalo.text(self.user, text))
        return self.received[before:]

    async def choose(self, label: str) -> list[str]:
        """Type the number shown before ``label`` in the last message."""
        for line in self.last.splitlines():
            number, _, shown = line.partition(". ")
            if shown == label and number.isdigit():
                return await self.send(number)
        raise AssertionError(f"no numbered choice {label!r} in: {self.last}")


async def invite_code(bot: Harness, person_code: str) -> str:
    batch = await bot.services.roster.issue_invites(None, None)
    return next(row.code for row in batch.open if row.person_code == person_code)


async def test_a_member_signs_in_and_fills_mau_01_on_zalo(zalo_bot: ZaloBot) -> None:
    """Invite code typed, Mẫu 01 by numbers and words, an answer edited, the plan sent."""
    bot, chat = zalo_bot.bot, ZaloChat(zalo_bot, BINH)
    code = await invite_code(bot, "DV002")
    [welcome] = await chat.send(f"/start {code}")
    assert "Trần Thị Bình" in welcome and "<" not in welcome  # plain text: no markup shown
    [first] = await chat.send("ke hoach")  # the command's words, without diacritics
    assert "Câu 1/6" in first and "1. ✅ Thông tin đúng" in first
    await chat.choose("✅ Thông tin đúng")
    await chat.send(STUDY)
    await chat.send("xong")
    await chat.send("Phát biểu trong sinh hoạt chi bộ còn ít.")
    await chat.choose("✅ Xong")
    await chat.send("Việc làm số 1: thăm hộ dân")
    await chat.send("Hằng tháng")
    await chat.send("Nắm chắc tình hình")
    await chat.choose("✅ Xong, sang phần tiếp")
    await chat.send("Báo cáo chi bộ hằng quý, tự kiểm điểm.")
    await chat.choose("✅ Xong")
    [review] = await chat.choose("⏭ Bỏ qua")
    assert "Xem lại kế hoạch" in review
    await chat.send("sua noi dung hoc tap")
    await chat.send("Học chuyên đề tại hội nghị chi bộ")
    await chat.choose("✅ Xong")
    [sent] = await chat.send("gui ke hoach")
    assert "Đã gửi kế hoạch" in sent
    person = await bot.services.signin.whoami(Channel.ZALO, BINH.id)
    campaign = await bot.services.plans.campaign()
    assert person is not None and campaign is not None
    plan = await bot.store.plans.plan_of(person.id, campaign.id)
    assert plan is not None and plan.status is PlanStatus.SUBMITTED
    assert "hội nghị chi bộ" in plan.draft.answers["study"]


async def test_a_redelivered_event_is_taken_once_even_by_another_replica(
    zalo_bot: ZaloBot,
) -> None:
    """The same event handed twice, to this edge and to a second one, is answered once."""
    chat = ZaloChat(zalo_bot, BINH)
    await chat.send(await invite_code(zalo_bot.bot, "DV002"))
    body = zalo_bot.zalo.text(BINH, "/kehoach")
    await zalo_bot.hand(body)
    await zalo_bot.hand(body)
    await zalo_bot.hand(body, zalo_bot.edge_again())
    assert sum("Câu 1/6" in text for text in chat.received) == 1


async def test_words_commands_and_what_zalo_hides(zalo_bot: ZaloBot) -> None:
    """ "tro giup" is help, "huy" cancels, a sticker asks for text, a hidden message says so."""
    chat = ZaloChat(zalo_bot, BINH)
    [guest_help] = await chat.send("Trợ giúp")
    assert guest_help.startswith("Hướng dẫn") and "mã mời" in guest_help
    await chat.send(await invite_code(zalo_bot.bot, "DV002"))
    await chat.send("ke hoach")
    await chat.choose("✅ Thông tin đúng")
    [paused] = await chat.send("huy")
    assert "Đã lưu bản nháp" in paused
    await zalo_bot.hand(zalo_bot.zalo.sticker(BINH))
    assert "chỉ đọc được tin nhắn chữ" in chat.last
    await zalo_bot.hand(zalo_bot.zalo.unsupported(BINH))
    assert "Zalo" in chat.last


async def test_the_poller_brings_messages_to_the_conversation(zalo_bot: ZaloBot) -> None:
    """End to end through getUpdates: a typed invite code signs the person in."""
    zalo, chat = zalo_bot.zalo, ZaloChat(zalo_bot, BINH)
    await zalo.push(zalo.text(BINH, await invite_code(zalo_bot.bot, "DV002")))
    stop = asyncio.Event()
    poller = Poller(zalo_bot.client, zalo_bot.edge.on_event, VirtualTimer(), stop, wait=0)
    polling = asyncio.ensure_future(poller.run())
    try:
        await zalo.until(lambda: any("Trần Thị Bình" in text for text in chat.received))
    finally:
        stop.set()
        async with asyncio.timeout(PATIENCE):
            await polling
        await zalo_bot.edge.drain()
    person = await zalo_bot.bot.services.signin.whoami(Channel.ZALO, BINH.id)
    assert person is not None and person.code == "DV002"


class HeldSeen:
    """The store's record of events, each write held until ``release`` is set."""

    def __init__(self, seen: SeenStore) -> None:
        self._seen = seen
        self.release = asyncio.Event()

    async def first_time(self, channel: Channel, key: str, now: datetime) -> bool:
        """Wait for ``release``, then record as the store does."""
        await self.release.wait()
        return await self._seen.first_time(channel, key, now)


async def test_a_polled_event_is_queued_before_its_record_is_written(zalo_bot: ZaloBot) -> None:
    """``on_polled`` returns while the database still holds the record; the events are then
    answered in order, and the same event polled again is taken once."""
    bot, zalo = zalo_bot.bot, zalo_bot.zalo
    seen = HeldSeen(bot.store.seen)
    edge = ZaloEdge(
        build_conversation(bot.services),
        ZaloChannel(zalo_bot.client, FakeLinks(), bot.services.catalog),
        bot.store.offers,
        seen,
        bot.services.presenter,
        bot.clock,
    )
    code = zalo.text(BINH, await invite_code(bot, "DV002"))
    for body in (code, code, zalo.text(BINH, "ke hoach")):
        for event in parse_body(body):
            assert isinstance(event, Event)
            await edge.on_polled(event)  # returns although every record is held
    assert zalo.sent(BINH.id) == []
    seen.release.set()
    await edge.drain()
    [welcome, first] = [sent.text for sent in zalo.sent(BINH.id)]
    assert "Trần Thị Bình" in welcome and "Câu 1/6" in first
