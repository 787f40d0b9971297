"""Transcript steps shared by the test modules: sign in, fill Mẫu 01, read a person's plan."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.models import Channel
from bot.sandbox.chat import Chat
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness, running_bot

STUDY = "Nghiên cứu chuyên đề năm 2022 qua tài liệu của Ban Tuyên giáo"
EXTRA = """
CB002,Đinh Văn Phú,03/03/1992,0355000111,"Cán bộ, công chức, viên chức",,Đảng bộ xã Phú Lạc / UBND xã,,
CN001,Mai Thị Lan,,0355000222,Cá nhân,,Đảng bộ xã Phú Lạc / Khu phố 1,,
CN002,Tô Văn Khải,,0355000333,Cá nhân,,Đảng bộ xã Phú Lạc / Khu phố 1,,Thủ trưởng
"""


async def signed_in(bot: Harness, name: str, phone: str) -> Chat:
    chat = bot.chat(name, phone=phone)
    await chat.share_contact()
    return chat


async def plan_of(bot: Harness, chat: Chat):  # type: ignore[no-untyped-def]
    person = await bot.services.signin.whoami(Channel.TELEGRAM, str(chat.user.id))
    assert person is not None
    campaign = await bot.services.plans.campaign()
    assert campaign is not None
    return await bot.store.plans.plan_of(person.id, campaign.id)


async def fill_mau_01(chat: Chat, actions: int = 2, open_first: bool = True) -> None:
    """Answer every question of Mẫu 01 the simple way (``open_first``: from the menu)."""
    if open_first:
        await chat.press("📝 Kế hoạch của tôi")
    await chat.press("✅ Thông tin đúng")
    await chat.send(STUDY)
    await fill_after_study(chat, actions)


async def fill_after_study(chat: Chat, actions: int = 2) -> None:
    """The rest of Mẫu 01 once the study answer has been typed."""
    await chat.press("✅ Xong")
    await chat.send("Phát biểu trong sinh hoạt chi bộ còn ít.")
    await chat.press("✅ Xong")
    for n in range(1, actions + 1):
        if n > 1:
            await chat.press("➕ Thêm Việc")
        await chat.send(f"Việc làm số {n}: thăm hộ dân")
        await chat.send("Hằng tháng")
        await chat.send("Nắm chắc tình hình")
    await chat.press("✅ Xong, sang phần tiếp")
    await chat.send("Báo cáo chi bộ hằng quý, tự kiểm điểm.")
    await chat.press("✅ Xong")
    await chat.press("⏭ Bỏ qua")


async def fill_mau_2a(staff: Chat) -> None:
    """From the identity check of an opened Mẫu 2A to its review: one short plan of staff."""
    await staff.press("✅ Thông tin đúng")
    await staff.send("Nghiên cứu chuyên đề do cơ quan phổ biến, dự học tập trung")
    await staff.press("✅ Xong")
    await staff.send("Giải quyết hồ sơ có lúc còn chậm.")
    await staff.press("✅ Xong")
    await staff.send("Trả hồ sơ đúng hẹn")
    await staff.send("Cả năm")
    await staff.send("100% đúng hẹn")
    await staff.press("✅ Xong, sang phần tiếp")
    await staff.send("Lập sổ theo dõi hồ sơ hằng ngày")
    await staff.press("✅ Xong")


@contextlib.asynccontextmanager
async def cli_bot(
    tmp_path: Path, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch, roster: str, name: str
) -> AsyncIterator[Harness]:
    """The bot on ``tmp_path/name``, the file the command line of the test opens too (its
    DATABASE_URL, no token, run in ``tmp_path``), with ``roster`` loaded and 2022 open."""
    url = f"sqlite+aiosqlite:///{tmp_path / name}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    async with running_bot(url, api) as bot:
        await bot.load_roster(roster)
        await bot.open_campaign()
        yield bot


def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str = "cli.db") -> Path:
    """Every command of a test on one fresh SQLite file ``tmp_path/name``, run in ``tmp_path``
    with no token and no .env around; the file's path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / name}")
    return tmp_path / name


def run_cli(*argv: str) -> tuple[int, str]:
    """``chuyende ARGV`` in this process: its exit status and everything it printed."""
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()
