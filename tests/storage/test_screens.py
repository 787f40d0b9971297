"""The message of each chat's current screen, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, event

from bot.domain.models import Channel
from bot.domain.screens import ShownScreen
from bot.services.clock import ManualClock
from bot.services.screens import Screens
from storage.store import Store

NOW = datetime(2022, 3, 25, 1, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)


async def test_a_chats_screen_is_kept_per_chat_and_swapped(any_store: Store) -> None:
    """A new screen replaces the chat's last one and hands it back; None leaves the chat
    without one; other chats and channels keep theirs."""
    screens = any_store.screens
    first = ShownScreen("7", "✓ Câu 1/6", NOW)
    assert await screens.swap(Channel.TELEGRAM, "42", first) is None
    assert await screens.swap(Channel.ZALO, "42", ShownScreen("z9", "", NOW)) is None
    second = ShownScreen("8", "✓ Câu 2/6", LATER)
    assert await screens.swap(Channel.TELEGRAM, "42", second) == first
    assert await screens.current(Channel.TELEGRAM, "42") == second
    assert await screens.current(Channel.TELEGRAM, "43") is None
    assert await screens.swap(Channel.TELEGRAM, "42", None) == second
    assert await screens.current(Channel.TELEGRAM, "42") is None
    assert await screens.current(Channel.ZALO, "42") == ShownScreen("z9", "", NOW)


async def test_a_screen_past_telegrams_edit_window_is_not_folded(any_store: Store) -> None:
    """Shown 47 hours before the next: folded; 48 hours before: left as it is."""
    clock = ManualClock(NOW)
    screens = Screens(any_store.screens, clock)
    assert await screens.shown(Channel.TELEGRAM, "42", "7", "✓ Câu 1/6") is None
    clock.advance(timedelta(hours=47))
    before = await screens.shown(Channel.TELEGRAM, "42", "8", "✓ Câu 2/6")
    assert before is not None and before.message_id == "7"
    clock.advance(timedelta(hours=48))
    assert await screens.shown(Channel.TELEGRAM, "42", "9", "✓ Câu 3/6") is None
    assert await any_store.screens.current(Channel.TELEGRAM, "42") == ShownScreen(
        "9", "✓ Câu 3/6", NOW + timedelta(hours=95)
    )


async def test_a_swap_reports_only_the_screen_it_replaced(any_store: Store) -> None:
    """Each swap hands back the screen just before it, never an older one kept in the row,
    and none after the chat's screen was cleared."""
    screens = any_store.screens
    first, second, third = (ShownScreen(str(n), f"✓ Câu {n}/6", NOW) for n in (1, 2, 3))
    assert await screens.swap(Channel.TELEGRAM, "42", first) is None
    assert await screens.swap(Channel.TELEGRAM, "42", second) == first
    assert await screens.swap(Channel.TELEGRAM, "42", third) == second
    assert await screens.swap(Channel.TELEGRAM, "42", None) == third
    assert await screens.swap(Channel.TELEGRAM, "42", first) is None
    assert await screens.current(Channel.TELEGRAM, "42") == first


async def test_a_swap_is_one_statement_without_a_transaction(tmp_path: Path) -> None:
    """Recording a chat's new screen sends SQLite one statement (no BEGIN, no SELECT first):
    it runs for every screen shown."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 's.db'}")
    sent: list[str] = []

    def count(conn: object, cursor: object, sql: str, *args: object) -> None:
        sent.append(sql.split(None, 1)[0].upper())

    try:
        await store.screens.swap(Channel.TELEGRAM, "42", ShownScreen("7", "", NOW))
        event.listen(Engine, "before_cursor_execute", count)
        try:
            before = await store.screens.swap(Channel.TELEGRAM, "42", ShownScreen("8", "", LATER))
        finally:
            event.remove(Engine, "before_cursor_execute", count)
    finally:
        await store.close()
    assert before == ShownScreen("7", "", NOW)
    assert sent == ["INSERT"]
