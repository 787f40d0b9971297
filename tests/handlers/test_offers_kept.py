"""A reply showing the very choices already stored in the chat writes nothing; new ones do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.domain.choices import Choice
from bot.locales import Safe
from bot.services.replies import Reply
from handlers.text_turn import ChannelTurn
from storage.store import Store
from storage.tables import offered_choices
from tests.textchat import TextOnlyChannel

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.at = START

    def now(self) -> datetime:
        return self.at


async def offered_at(store: Store, chat_id: str) -> datetime:
    """When the chat's stored choices were last written."""
    query = select(offered_choices.c.offered_at).where(offered_choices.c.chat_id == chat_id)
    return await store.database.read(lambda connection: connection.execute(query).scalar_one())


def screen(*choices: Choice) -> Reply:
    return Reply(Safe("Câu 2/6"), choices=[[choice] for choice in choices])


async def test_the_same_screen_again_leaves_the_stored_choices_alone(db_url: str) -> None:
    """Shown, read back by a typed word, shown again unchanged: one write; then a new screen."""
    store = await Store.open(db_url)
    try:
        channel, clock = TextOnlyChannel(), Clock()
        done, back = Choice("✅ Xong", "p:3:done"), Choice("◀ Quay lại", "p:3:back")
        await ChannelTurn(channel, "c1", store.offers, clock).reply(screen(done, back))
        clock.at += timedelta(minutes=5)
        turn = ChannelTurn(channel, "c1", store.offers, clock)
        assert await turn.press_for("không rõ") is None  # read, names none
        await turn.reply(screen(done, back))  # the same screen again: nothing to write
        assert await offered_at(store, "c1") == START
        assert "1. ✅ Xong" in channel.to("c1")[-1].text
        moved = ChannelTurn(channel, "c1", store.offers, clock)
        assert await moved.press_for("1") == "p:3:done"
        await moved.reply(screen(Choice("✅ Xong", "p:4:done")))
        assert await offered_at(store, "c1") == START + timedelta(minutes=5)
        assert await store.offers.offered(channel.channel, "c1") == [Choice("✅ Xong", "p:4:done")]
    finally:
        await store.close()
