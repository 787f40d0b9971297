"""The sandbox's Zalo side without a browser: the channel switch, the chat, the download route."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.domain.models import Channel
from bot.sandbox.server import Sandbox
from tests.helpers import STUDY
from tests.sandbox.conftest import origin, running
from tests.waiting import until


async def post(box: Sandbox, path: str, body: dict[str, Any], **headers: str) -> int:
    """POST ``body`` to the page's API as the page does; the status."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(box.url + path, json=body, headers={**origin(box), **headers}) as answer,
    ):
        return answer.status


async def get(box: Sandbox, path: str, **headers: str) -> tuple[int, bytes, Any]:
    """GET a path of the page; its status, body and headers."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(box.url + path, headers=headers) as a,
    ):
        return a.status, await a.read(), a.headers


async def chat(box: Sandbox, code: str) -> dict[str, Any]:
    """The chat as the page reads it."""
    async with aiohttp.ClientSession() as session, session.get(box.url + f"api/chat/{code}") as a:
        assert a.status == 200
        data: dict[str, Any] = await a.json()
        return data


async def typed(box: Sandbox, code: str, text: str, expect: str) -> None:
    """Type on the page as ``code`` (on Zalo) and wait until a bot message has ``expect``."""
    seat = box.seats[code]
    before = len(seat.zalo.messages)
    assert await post(box, f"api/chat/{code}/send", {"text": text}) == 200
    await box.zalo.until(
        lambda: any(expect in m.text for m in seat.zalo.messages[before:]),
    )


async def chosen(box: Sandbox, code: str, label: str, expect: str) -> None:
    """Type the number the bot gave ``label`` and wait for ``expect``."""
    number = box.seats[code].zalo.choices()[label]
    await typed(box, code, number, expect)


async def test_switching_to_zalo_shows_the_invite_and_no_buttons(box: Sandbox) -> None:
    """A person switched to Zalo sees an empty Zalo chat with their invite code; the typed code
    signs them in and the plan's choices come numbered, without buttons."""
    assert (await chat(box, "DV002"))["channel"] == "telegram"
    assert await post(box, "api/chat/DV002/channel", {"channel": "zalo"}) == 200
    assert await post(box, "api/chat/DV002/channel", {"channel": "fax"}) == 400
    first = await chat(box, "DV002")
    assert first["channel"] == "zalo" and first["messages"] == [] and first["keyboard"] is None
    invite = first["invite"]
    assert isinstance(invite, str) and invite
    await typed(box, "DV002", invite, "Trần Thị Bình")
    await typed(box, "DV002", "ke hoach", "Câu 1/6")
    data = await chat(box, "DV002")
    assert data["invite"] is None  # used
    assert [m["from"] for m in data["messages"]][:2] == ["me", "bot"]
    assert "buttons" not in data["messages"][-1]
    assert "1. ✅ Thông tin đúng" in data["messages"][-1]["text"]
    assert box.seats["DV002"].zalo.buttons()[0] == "✅ Thông tin đúng"
    assert box.seats["DV002"].said == []  # nothing went to the Telegram chat
    state = await get(box, "api/state")
    assert b'"channel": "zalo"' in state[1]


async def test_a_submitted_plan_downloads_from_the_page(box: Sandbox) -> None:
    """Mẫu 01 by typed numbers; the document's link, rewritten to this page, downloads the
    DOCX, but only through the page's own host; a forged token is a bare 404."""
    assert await post(box, "api/chat/DV002/channel", {"channel": "zalo"}) == 200
    await typed(box, "DV002", (await chat(box, "DV002"))["invite"], "Trần Thị Bình")
    await typed(box, "DV002", "ke hoach", "Câu 1/6")
    await chosen(box, "DV002", "✅ Thông tin đúng", "Câu 2/6")
    await typed(box, "DV002", STUDY, "Đã ghi")
    await chosen(box, "DV002", "✅ Xong", "Câu 3/6")
    await typed(box, "DV002", "Phát biểu trong sinh hoạt chi bộ còn ít.", "Đã ghi")
    await chosen(box, "DV002", "✅ Xong", "Câu 4/6")
    await typed(box, "DV002", "Việc làm số 1: thăm hộ dân", "Thời gian")
    await typed(box, "DV002", "Hằng tháng", "Kết quả")
    await typed(box, "DV002", "Nắm chắc tình hình", "Thêm")
    await chosen(box, "DV002", "✅ Xong, sang phần tiếp", "Câu 5/6")
    await typed(box, "DV002", "Báo cáo chi bộ hằng quý, tự kiểm điểm.", "Đã ghi")
    await chosen(box, "DV002", "✅ Xong", "Câu 6/6")
    await chosen(box, "DV002", "⏭ Bỏ qua", "Xem lại")
    await typed(box, "DV002", "gui ke hoach", "Đã gửi kế hoạch")
    # The DOCX the outbox sends after a submission is queued for Telegram (where Bình is not
    # signed in); the plan's own choice brings it on Zalo.
    await chosen(box, "DV002", "📄 Tải văn bản kế hoạch", "/d/")
    links = [link for m in (await chat(box, "DV002"))["messages"] for link in m.get("links", [])]
    href = links[-1]["href"]
    assert href.startswith("/d/") and links[-1]["url"].endswith(href)
    status, body, headers = await get(box, href.lstrip("/"))
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    with zipfile.ZipFile(BytesIO(body)) as docx:
        assert "Trần Thị Bình" in docx.read("word/document.xml").decode("utf-8")
    port = box.url.rsplit(":", 1)[1].rstrip("/")
    assert (await get(box, href.lstrip("/"), Host=f"evil.example:{port}"))[0] == 403
    assert (await get(box, "d/" + "A" * 43))[0] == 404
    assert (await get(box, "d/short"))[0] == 404


async def test_the_zalo_chat_and_channel_survive_a_restart(tmp_path: Path) -> None:
    """Stopped and started again: still on Zalo, the chat as it was, signed in, and a new
    message is taken (its number is not one the bot has seen)."""
    database = tmp_path / "sandbox.db"
    async with running(database) as box:
        assert await post(box, "api/chat/DV003/channel", {"channel": "zalo"}) == 200
        name = box.seats["DV003"].person.full_name
        await typed(box, "DV003", (await chat(box, "DV003"))["invite"], name)
        before = (await chat(box, "DV003"))["messages"]
    async with running(database) as again:
        after = await chat(again, "DV003")
        assert after["channel"] == "zalo"
        assert after["messages"] == before
        await typed(again, "DV003", "/toi", name)
        now = (await chat(again, "DV003"))["messages"]
        assert now[: len(before)] == before
        assert [m["text"] for m in now[len(before) :] if m["from"] == "me"] == ["/toi"]


async def test_signed_in_on_telegram_then_on_zalo_with_a_new_code(box: Sandbox) -> None:
    """Someone who signed in on Telegram (their code used) gets a new code on Zalo; typing it
    signs them in there too, and the driver answers a numbered choice by its label."""
    seat = box.seats["DV002"]
    await seat.chat.share_contact()
    await until(box.api, lambda: bool(seat.chat.messages))
    assert await post(box, "api/chat/DV002/channel", {"channel": "zalo"}) == 200
    invite = (await chat(box, "DV002"))["invite"]
    assert isinstance(invite, str) and invite
    await typed(box, "DV002", invite, "Trần Thị Bình")
    assert (await chat(box, "DV002"))["invite"] is None
    assert box.running is not None
    assert await box.running.services.signin.whoami(Channel.TELEGRAM, str(seat.user.id)) is not None
    await typed(box, "DV002", "/kehoach", "Câu 1/6")
    before = len(seat.zalo.messages)
    await seat.zalo.press("✅ Thông tin đúng")
    await box.zalo.until(lambda: any("Câu 2/6" in m.text for m in seat.zalo.messages[before:]))
    with pytest.raises(AssertionError, match="no numbered choice"):
        await seat.zalo.press("🚀 Không có")


async def test_the_channel_route_keeps_the_origin_check(box: Sandbox) -> None:
    """A POST to switch channels from another site is refused, and nothing changes."""
    assert (
        await post(box, "api/chat/DV002/channel", {"channel": "zalo"}, Origin="http://x.y") == 403
    )
    assert box.seats["DV002"].channel == "telegram"
