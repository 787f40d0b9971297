"""``chuyende run``: clear errors before anything starts, then a real polling bot."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.app import serve
from bot.cli import Cli, main
from bot.cli.serving import run
from bot.config import Settings
from bot.locales import Catalog
from bot.sandbox.chat import Chat
from bot.sandbox.fake_api import Call, FakeBotApi, FakeUser
from bot.sandbox.harness import running_bot
from tests.conftest import ROSTER
from tests.waiting import PATIENCE


def settings(api_url: str, token: str, db: Path) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=token,
        telegram_api_url=api_url,
        database_url=f"sqlite+aiosqlite:///{db}",
    )


def test_without_token_explains_botfather(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No token: how to get one from @BotFather, exit status 2."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    out = io.StringIO()
    assert main(["run"], out=out) == 2
    assert "@BotFather" in out.getvalue() and "/newbot" in out.getvalue()


def test_malformed_token_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A token that cannot be one is refused before any network call."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    out = io.StringIO()
    assert main(["run"], out=out) == 2
    assert out.getvalue().count("\n") == 1 and "không đúng dạng" in out.getvalue()


async def test_token_rejected_by_the_server_is_one_line(api: FakeBotApi, tmp_path: Path) -> None:
    """A well-formed token that the Bot API refuses (401) ends with one clear line."""
    out = io.StringIO()
    wrong = "987654321:AAWrongTokenWrongTokenWrongToken12345"
    cli = Cli(Catalog.load(), settings(api.url, wrong, tmp_path / "a.db"), out)
    assert await run(cli) == 1
    assert out.getvalue().strip() == Catalog.load().plain("cli.token_rejected")


async def test_unreachable_api_is_one_line(tmp_path: Path) -> None:
    """A Bot API server that is not there is reported with its address."""
    out = io.StringIO()
    cli = Cli(
        Catalog.load(), settings("http://127.0.0.1:9", FakeBotApi().token, tmp_path / "b.db"), out
    )
    assert await run(cli) == 1
    assert "127.0.0.1:9" in out.getvalue()


async def test_polling_bot_answers_and_warns_about_an_empty_roster(
    api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The real run loop: getUpdates from TELEGRAM_API_URL, a reply, a clean stop."""
    replied = asyncio.Event()

    def on_call(call: Call) -> None:
        if call.method == "sendMessage":
            replied.set()

    api.on_call.append(on_call)
    api.add_user(FakeUser(id=42, first_name="An"))
    stop = asyncio.Event()
    caplog.set_level(logging.INFO)
    task = asyncio.create_task(serve(settings(api.url, api.token, tmp_path / "c.db"), stop))
    update = api.new_update(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 42, "type": "private"},
                "from": FakeUser(id=42, first_name="An").as_json(),
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }
        }
    )
    await api.push_update(update)
    await asyncio.wait_for(replied.wait(), timeout=PATIENCE)
    stop.set()
    await asyncio.wait_for(task, timeout=PATIENCE)
    assert "Chia sẻ số điện thoại" in api.sent(42)[0].plain
    assert "chuyende roster template" in caplog.text
    assert api.token not in caplog.text
    assert api.calls_of("setMyCommands")


async def test_workers_above_one_are_refused_with_what_to_do_instead(tmp_path: Path) -> None:
    """WORKERS=2 is refused before any call: on SQLite it says PostgreSQL, on PostgreSQL it
    says to run that many replicas."""
    for url, words in (
        (f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", ("PostgreSQL", "WORKERS=1")),
        ("postgresql+asyncpg://nobody@127.0.0.1:9/none", ("chuyende@1", "chuyende@2")),
    ):
        out = io.StringIO()
        config = Settings(
            _env_file=None,
            telegram_bot_token=FakeBotApi().token,
            telegram_api_url="http://127.0.0.1:9",
            database_url=url,
            workers=2,
        )
        assert await run(Cli(Catalog.load(), config, out)) == 2
        said = out.getvalue()
        assert "WORKERS=2" in said and all(word in said for word in words), said
    assert not (tmp_path / "bot.db").exists()  # refused before opening anything


def test_workers_setting_is_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """WORKERS=0 or a word is a configuration error naming the setting."""
    monkeypatch.chdir(tmp_path)
    for value in ("0", "hai", "99"):
        monkeypatch.setenv("WORKERS", value)
        out = io.StringIO()
        assert main(["run"], out=out) == 2
        assert "WORKERS" in out.getvalue()


class PollingChat:
    """A person talking to the polling bot: each update waits for the bot's next message."""

    def __init__(self, api: FakeBotApi, user: FakeUser) -> None:
        self.api, self.user = api, user
        self._arrived = asyncio.Event()
        api.on_call.append(self._seen)

    def _seen(self, call: Call) -> None:
        if call.method in ("sendMessage", "editMessageText") and str(
            call.params.get("chat_id")
        ) == str(self.user.id):
            self._arrived.set()

    async def feed(self, update: dict[str, Any]) -> None:
        self._arrived.clear()
        await self.api.push_update(update)
        await asyncio.wait_for(self._arrived.wait(), timeout=20)


async def test_debug_logs_hold_no_phone_number_and_no_answer(
    api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG, PTB's dumps of updates and calls carry neither the shared phone nor answers."""
    db = tmp_path / "p.db"
    async with running_bot(f"sqlite+aiosqlite:///{db}", api) as harness:
        assert (await harness.load_roster(ROSTER)).summary is not None
        await harness.open_campaign()
    user = FakeUser(id=9002, first_name="Bình", phone="0987654321")
    polling = PollingChat(api, user)
    chat = Chat(api, polling.feed, user)
    answer = "Đọc kỹ tài liệu chuyên đề về nêu gương, mỗi tối một giờ"
    caplog.set_level(logging.DEBUG)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings(api.url, api.token, db), stop))
    await chat.share_contact()
    await chat.send("/kehoach")
    await chat.press("✅ Thông tin đúng")
    await chat.send(answer)
    stop.set()
    await asyncio.wait_for(task, timeout=20)
    assert "Trần Thị Bình" in api.sent(9002)[0].plain  # signed in through getUpdates
    assert any("getUpdates" in r.getMessage() for r in caplog.records)  # DEBUG was on
    logged = "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}" for r in caplog.records)
    for secret in ("84987654321", "0987654321", answer, answer[:20]):
        assert secret not in logged


async def test_the_fake_api_cuts_the_older_of_two_long_polls_with_409(api: FakeBotApi) -> None:
    """Like Telegram: a second getUpdates on the token ends the waiting one with 409 Conflict."""
    import aiohttp

    url = f"{api.url}/bot{api.token}/getUpdates"
    async with aiohttp.ClientSession() as session:
        older = asyncio.ensure_future(session.post(url, json={"timeout": 30}))
        await asyncio.wait_for(api.polling.wait(), timeout=20)
        api.polling.clear()
        newer = asyncio.ensure_future(session.post(url, json={"timeout": 30}))
        answer = await asyncio.wait_for(older, timeout=20)
        assert answer.status == 409
        assert "terminated by other getUpdates request" in (await answer.json())["description"]
        await asyncio.wait_for(api.polling.wait(), timeout=20)
        await api.push_update(api.new_update({"message": {}}))
        assert (await asyncio.wait_for(newer, timeout=20)).status == 200


async def test_a_second_instance_on_the_token_stops_itself_with_one_line(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """Two `chuyende run` on one token: the newcomer says so in one line and exits 1; the one
    already serving keeps answering (an accidental second start never takes the bot down)."""
    replies = asyncio.Queue[None]()
    api.on_call.append(
        lambda call: replies.put_nowait(None) if call.method == "sendMessage" else None
    )
    stop = asyncio.Event()
    first = asyncio.create_task(serve(settings(api.url, api.token, tmp_path / "one.db"), stop))
    chat = Chat(api, api.push_update, FakeUser(id=43, first_name="Bình"))
    await chat.send("/start")
    await asyncio.wait_for(replies.get(), PATIENCE)  # the first one has polled and answered
    out = io.StringIO()
    second = Cli(Catalog.load(), settings(api.url, api.token, tmp_path / "two.db"), out)
    assert await asyncio.wait_for(run(second), PATIENCE) == 1
    assert out.getvalue().strip() == Catalog.load().plain("cli.another_instance")
    await chat.send("/start")
    await asyncio.wait_for(replies.get(), PATIENCE)  # the first one still serves
    assert not first.done()
    stop.set()
    await asyncio.wait_for(first, PATIENCE)
    assert not first.exception()


async def test_a_second_run_on_the_same_database_file_refuses_to_start(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """Two `chuyende run` on one SQLite file: the second says so in one line and exits 1."""
    db = tmp_path / "shared.db"
    first_out, second_out = io.StringIO(), io.StringIO()
    first = asyncio.ensure_future(
        run(Cli(Catalog.load(), settings(api.url, api.token, db), first_out))
    )
    await asyncio.wait_for(api.polling.wait(), timeout=20)
    polls = len(api.calls_of("getUpdates"))
    second = Cli(Catalog.load(), settings(api.url, api.token, db), second_out)
    assert await asyncio.wait_for(run(second), timeout=20) == 1
    line = Catalog.load().plain("cli.database_in_use", path=db)
    assert second_out.getvalue() == line + "\n"
    assert len(api.calls_of("getUpdates")) == polls  # it never polled
    assert not first.done()
    first.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await first
