"""`chuyende broadcast`: preview, audiences, sending through the outbox, status and cancel."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness
from bot.services.clock import ManualClock
from tests.conftest import ROSTER
from tests.helpers import cli_bot, fill_mau_01, signed_in

PEOPLE = {
    "An": "0912345678",  # secretary, thôn 1
    "Bình": "0987654321",  # member, thôn 1
    "Cường": "0905111222",  # exempt, thôn 1
    "Em": "0338123456",  # head, UBND xã (staff)
    "Hoa": "0977123456",  # admin, Ban Tuyên giáo
}


@pytest.fixture
async def org(
    tmp_path: Path, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """The sample roster, everyone but Đức signed in, Bình's plan handed in."""
    async with cli_bot(tmp_path, api, monkeypatch, ROSTER, "bc.db") as bot:
        chats = {name: await signed_in(bot, name, phone) for name, phone in PEOPLE.items()}
        await fill_mau_01(chats["Bình"], actions=1)
        await chats["Bình"].press("📨 Gửi kế hoạch")
        await bot.drain_outbox()
        bot.chats = chats  # type: ignore[attr-defined]
        yield bot


def run(clock: ManualClock, *argv: str) -> tuple[int, str]:
    """The command line on the bot's clock: what it queues is due on the clock the outbox uses,
    however long the machine takes."""
    out = io.StringIO()
    return main(list(argv), out=out, clock=clock), out.getvalue()


async def received(bot: Harness, text: str) -> set[str]:
    """Who got a message containing ``text``, after the outbox has been drained."""
    await bot.drain_outbox()
    return {name for name, chat in bot.chats.items() if any(text in m.plain for m in chat.messages)}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("to", "unit", "expected"),
    [
        ("all", "", {"An", "Bình", "Cường", "Em", "Hoa"}),
        ("all", "Đảng bộ xã Phú Lạc / Chi bộ thôn 1", {"An", "Bình", "Cường"}),
        ("all", "Đảng bộ xã Phú Lạc", {"An", "Bình", "Cường", "Em"}),
        ("category:staff", "", {"Em"}),
        ("role:secretary", "", {"An"}),
        ("role:admin", "", {"Hoa"}),
        ("status:not_submitted", "", {"An", "Em", "Hoa"}),
        ("status:submitted", "", {"Bình"}),
        ("chưa nộp", "", {"An", "Em", "Hoa"}),
        ("Đảng Viên", "", {"An", "Bình", "Cường", "Hoa"}),
        ("bi thu", "", {"An"}),
        ("tất cả", "Đảng bộ xã Phú Lạc", {"An", "Bình", "Cường", "Em"}),
    ],
)
async def test_each_audience_reaches_exactly_its_people(
    org: Harness, to: str, unit: str, expected: set[str]
) -> None:
    """The recipients are exactly the intended set; a preview without --yes sends nothing."""
    marker = f"Thông báo {to} {unit}"
    args = ["broadcast", "send", "--message", f"<b>{marker}</b>", "--to", to]
    if unit:
        args += ["--unit", unit]
    status, out = await _run_async(org, *args)
    assert status == 0 and f"tới {len(expected)} người" in out and "--yes" in out
    assert await received(org, marker) == set()
    status, out = await _run_async(org, *args, "--yes")
    assert status == 0 and "Đã xếp hàng" in out, out
    assert await received(org, marker) == expected


async def test_scheduled_broadcast_waits_and_cancel_withdraws_the_rest(org: Harness) -> None:
    """A broadcast set for later is not sent before; cancelled, nobody gets it; status says so."""
    bot = org
    later = (bot.clock.now() + timedelta(hours=2)).astimezone(bot.settings.tz)
    status, out = await _run_async(
        bot,
        "broadcast",
        "send",
        "--message",
        "Họp lúc 14 giờ",
        "--at",
        later.strftime("%d/%m/%Y %H:%M"),
        "--yes",
    )
    assert status == 0
    assert await received(bot, "Họp lúc 14 giờ") == set()
    status, out = await _run_async(bot, "broadcast", "cancel", "1")
    assert status == 0 and "Đã hủy 5 tin" in out
    bot.clock.advance(timedelta(hours=3))
    assert await received(bot, "Họp lúc 14 giờ") == set()
    status, out = await _run_async(bot, "broadcast", "status", "1")
    assert "đã hủy 5" in out and "đã gửi 0" in out


async def test_status_reports_sent_and_blocked(org: Harness) -> None:
    """After sending, the report counts sent and failed, with the reason."""
    bot = org
    bot.api.blocked.add(bot.chats["Cường"].user.id)  # type: ignore[attr-defined]
    await _run_async(bot, "broadcast", "send", "--message", "Chào cả nhà", "--yes")
    await bot.drain_outbox()
    _, out = await _run_async(bot, "broadcast", "status", "1")
    assert "5 người nhận" in out and "đã gửi 4" in out and "lỗi 1" in out and "blocked" in out
    bot.api.calls.clear()  # the 403 was expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--message", "<b>chưa đóng"], "HTML không hợp lệ"),
        (["--message", "   "], "đang trống"),
        (["--message", "x" * 4000], "dài quá"),
        (["--message", "ok", "--to", "role:king"], "Không hiểu nhóm"),
        (["--message", "ok", "--unit", "Không có"], "Không tìm thấy đơn vị"),
        (["--message", "ok", "--at", "01/01/2020 08:00", "--yes"], "đã qua"),
        (["--message", "ok", "--at", "mai"], "dd/mm/yyyy"),
    ],
)
async def test_bad_broadcasts_are_refused_with_the_reason(
    org: Harness, args: list[str], message: str
) -> None:
    """Every mistake gets one clear line and exit 2; nothing is queued."""
    status, out = await _run_async(org, "broadcast", "send", *args)
    assert status == 2 and message in out, out
    assert (await org.store.outbox.counts()).get("queued", 0) == 0


async def test_html_mistakes_are_explained_in_vietnamese(org: Harness) -> None:
    """Each kind of bad Telegram HTML is named in Vietnamese with the piece of text at fault."""
    for text, reason in (
        ("<b>chưa đóng", "thẻ «b» được mở mà chưa đóng"),
        ("<b>đậm</i>", "thẻ đóng «i» không khớp"),
        ("<font>x</font>", "Telegram không nhận thẻ «font»"),
        ("<span>x</span>", "thẻ «<span>» chỉ được dùng với class"),
        ('<a title="x">x</a>', "thiếu địa chỉ"),
        ("Nam &nbsp; Nữ", "«&nbsp;» không phải ký hiệu"),
        ("1 < 2", "dấu «<» ở «< 2» không mở thẻ nào"),
    ):
        status, out = await _run_async(org, "broadcast", "send", "--message", text)
        assert status == 2 and reason in out and "parse" not in out, out
    assert (await org.store.outbox.counts()).get("queued", 0) == 0


async def _run_async(bot: Harness, *argv: str) -> tuple[int, str]:
    import asyncio

    return await asyncio.to_thread(run, bot.clock, *argv)


@pytest.mark.parametrize(("name", "kind"), [("ke-hoach.pdf", "document"), ("poster.png", "photo")])
async def test_a_file_goes_with_the_broadcast_uploaded_once(
    org: Harness, tmp_path: Path, name: str, kind: str
) -> None:
    """Everyone gets the file with the text as its caption; Telegram receives the bytes once and
    later recipients get it by its file id."""
    bot = org
    (tmp_path / name).write_bytes(b"%PDF-1.4 tai lieu" if kind == "document" else b"\x89PNG...")
    status, out = await _run_async(
        bot,
        "broadcast",
        "send",
        "--message",
        "Tài liệu <b>chuyên đề</b>",
        "--attach",
        name,
        "--yes",
    )
    assert status == 0, out
    uploads_before = bot.api.uploads
    assert await received(bot, "Tài liệu chuyên đề") == set(PEOPLE)
    for chat in bot.chats.values():  # type: ignore[attr-defined]
        message = next(m for m in chat.messages if "Tài liệu chuyên đề" in m.plain)
        assert message.kind == kind
        assert message.file_bytes == (tmp_path / name).read_bytes()
    assert bot.api.uploads - uploads_before == 1
    _, out = await _run_async(bot, "broadcast", "status", "1")
    assert "đã gửi 5" in out


async def test_a_bad_attachment_is_refused(org: Harness, tmp_path: Path) -> None:
    """An empty or missing file, or a caption too long for a file, queues nothing."""
    (tmp_path / "rong.pdf").write_bytes(b"")
    (tmp_path / "ok.pdf").write_bytes(b"%PDF")
    for args, message, code in (
        (["--attach", "rong.pdf"], "trống", 2),
        (["--attach", "khong-co.pdf"], "khong-co.pdf", 1),
        (["--attach", "ok.pdf", "--message", "x" * 1000], "Chú thích", 2),
    ):
        status, out = await _run_async(org, "broadcast", "send", *args, "--yes")
        assert status == code and message in out, out
    assert (await org.store.outbox.counts()).get("queued", 0) == 0


async def test_cancel_mid_way_stops_the_rest_of_a_wave(org: Harness) -> None:
    """Two recipients served, then cancelled: the other three never get it; status adds up."""
    bot = org
    await _run_async(bot, "broadcast", "send", "--message", "Sóng giữa chừng", "--yes")
    assert await bot.sender().drain_once(limit=2) == 2
    status, out = await _run_async(bot, "broadcast", "cancel", "1")
    assert status == 0 and "Đã hủy 3 tin" in out, out
    got = await received(bot, "Sóng giữa chừng")
    assert len(got) == 2 and got < set(PEOPLE)
    _, out = await _run_async(bot, "broadcast", "status", "1")
    assert "đã gửi 2" in out and "đã hủy 3" in out


async def test_recipients_are_checked_again_when_their_message_is_sent(org: Harness) -> None:
    """A secretary whose role was taken away, and someone who left the roster, after the wave
    was queued, are skipped and counted as no longer in the audience."""
    bot = org
    await _run_async(
        bot, "broadcast", "send", "--message", "Gửi bí thư", "--to", "role:secretary", "--yes"
    )
    await _run_async(bot, "broadcast", "send", "--message", "Gửi mọi người", "--yes")
    revoked = ROSTER.replace(",Bí thư chi bộ,Bí thư\n", ",Bí thư chi bộ,\n")
    without_cuong = "\n".join(line for line in revoked.splitlines() if "DV003" not in line)
    outcome = await bot.load_roster(without_cuong, remove_missing=True)
    assert outcome.summary is not None, outcome.parsed.errors
    assert await received(bot, "Gửi bí thư") == set()
    assert await received(bot, "Gửi mọi người") == set(PEOPLE) - {"Cường"}
    _, out = await _run_async(bot, "broadcast", "status", "1")
    assert "đã gửi 0" in out and "không còn thuộc đối tượng 1" in out, out
    _, out = await _run_async(bot, "broadcast", "status", "2")
    assert "đã gửi 4" in out and "lỗi 0" in out and "không còn thuộc đối tượng 1" in out, out


async def test_the_same_text_to_the_same_people_twice_in_a_day_needs_again(org: Harness) -> None:
    """The second identical broadcast is refused with when the first went out; --again sends."""
    bot = org
    args = ("broadcast", "send", "--message", "Nhắc nộp kế hoạch", "--to", "role:secretary")
    status, _ = await _run_async(bot, *args, "--yes")
    assert status == 0
    first = await bot.services.broadcasts.status(1)
    assert first is not None
    when = first[0].not_before.astimezone(bot.settings.tz).strftime("%d/%m/%Y %H:%M")
    status, out = await _run_async(bot, *args, "--yes")
    assert status == 2 and f"lúc {when}" in out and "--again" in out, out
    assert await bot.services.broadcasts.status(2) is None  # nothing queued
    status, out = await _run_async(bot, *args, "--to", "all", "--yes")  # another audience: fine
    assert status == 0, out
    status, out = await _run_async(bot, *args, "--yes", "--again")
    assert status == 0 and "Đã xếp hàng" in out, out
    assert [m.plain for m in bot.chats["An"].messages].count("Nhắc nộp kế hoạch") == 0  # type: ignore[attr-defined]
    await bot.drain_outbox()
    got = [m.plain for m in bot.chats["An"].messages]  # type: ignore[attr-defined]
    assert got.count("Nhắc nộp kế hoạch") == 3
