"""Live views: `broadcast send|status --follow`, `outbox --watch`, and the bar of `--attach`.

The command runs in a thread on the bot's clock; its pause between two looks (injected, never a
sleep) advances that clock and lets the real outbox sender send the next two messages.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.screen import TERMINAL_ENV
from bot.cli.watch import Pace, Reading, by_reason
from bot.domain.outbox import Failure
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import cli_bot, signed_in

PEOPLE = {
    "An": "0912345678",
    "Bình": "0987654321",
    "Cường": "0905111222",
    "Em": "0338123456",
    "Hoa": "0977123456",
}
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")
Pause = Callable[[float], Awaitable[None]]


@pytest.fixture
async def org(
    tmp_path: Path, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """The sample roster with five people signed in; Cường has blocked the bot."""
    async with cli_bot(tmp_path, api, monkeypatch, ROSTER, "follow.db") as bot:
        chats = {name: await signed_in(bot, name, phone) for name, phone in PEOPLE.items()}
        await bot.drain_outbox()
        api.blocked.add(chats["Cường"].user.id)
        bot.chats = chats  # type: ignore[attr-defined]
        yield bot
        api.calls.clear()  # the 403s were expected


def sending(bot: Harness, per_look: int = 2) -> tuple[Pause, list[float]]:
    """A pause that moves the bot's clock by the seconds asked and has the outbox sender send
    ``per_look`` messages; and the list of the pauses asked for."""
    loop = asyncio.get_running_loop()
    sender = bot.sender()
    asked: list[float] = []

    async def pause(seconds: float) -> None:
        asked.append(seconds)
        bot.clock.advance(timedelta(seconds=seconds))
        done = asyncio.run_coroutine_threadsafe(sender.drain_once(limit=per_look), loop)
        await asyncio.wrap_future(done)

    return pause, asked


async def interrupted(seconds: float) -> None:
    """Ctrl+C during the first pause."""
    raise KeyboardInterrupt


async def run(bot: Harness, pause: Pause | None, *argv: str) -> tuple[int, str]:
    """``chuyende ARGV`` in a thread, on the bot's clock and with ``pause``."""

    def call() -> tuple[int, str]:
        out = io.StringIO()
        return main(list(argv), out=out, clock=bot.clock, pause=pause), out.getvalue()

    return await asyncio.to_thread(call)


def terminal(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    monkeypatch.setenv(TERMINAL_ENV, "1" if on else "0")


async def status_document(bot: Harness, broadcast_id: int = 1) -> dict[str, object]:
    code, out = await run(bot, None, "broadcast", "status", str(broadcast_id), "--json")
    assert code == 0, out
    document = json.loads(out)
    assert isinstance(document, dict)
    return document


async def test_a_followed_broadcast_ends_with_the_counts_of_its_status(
    org: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Off a terminal: one plain line per change with pace and time left on the injected clock,
    the last one with the counts `broadcast status` gives (4 sent, 1 blocked)."""
    terminal(monkeypatch, False)
    pause, asked = sending(org)
    code, out = await run(
        org, pause, "broadcast", "send", "--message", "Chào cả nhà", "--yes", "--follow"
    )
    assert code == 0 and "\x1b" not in out, out
    lines = [line for line in out.splitlines() if line.startswith("Thông báo số 1:")]
    assert lines[0] == (
        "Thông báo số 1: đã gửi 0/5; chờ gửi 5; lỗi 0; đã rút lại 0; tốc độ: chưa đo được; "
        "thời gian còn lại: chưa rõ"
    ), out
    # Two messages a look, a look a second: 120 a minute; 3 left then take 2 seconds.
    assert "tốc độ 120 tin/phút; còn khoảng 0:02" in lines[1], out
    assert lines[-1].startswith(
        "Thông báo số 1: đã gửi 4/5; chờ gửi 0; lỗi 1 (chặn bot 1); đã rút lại 0;"
    ), out
    assert out.rstrip().endswith("Thông báo số 1 đã gửi xong: không còn tin nào chờ gửi."), out
    assert asked and set(asked) == {1.0}
    document = await status_document(org)
    assert (document["sent"], document["failed"], document["queued"]) == (4, 1, 0)


async def test_follow_on_a_terminal_draws_a_live_bar(
    org: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal the bar is drawn (control codes, bar cells) and ends at the same counts."""
    terminal(monkeypatch, True)
    code, _ = await run(org, None, "broadcast", "send", "--message", "Họp chi bộ", "--yes")
    assert code == 0
    pause, _ = sending(org, per_look=1)
    code, out = await run(org, pause, "broadcast", "status", "1", "--follow")
    assert code == 0 and "\x1b[" in out and "━" in out, out
    plain = ANSI.sub("", out)
    assert "5/5" in plain and "đã gửi 4/5; chờ gửi 0; lỗi 1 (chặn bot 1)" in plain, plain
    assert "Thông báo số 1: đã gửi" not in plain  # the bar, not the plain lines
    document = await status_document(org)
    assert (document["sent"], document["failed"]) == (4, 1)


async def test_follow_with_json_prints_the_status_document_when_done(
    org: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--follow --json` draws nothing, waits for the wave, then prints what `--json` prints."""
    terminal(monkeypatch, True)
    await run(org, None, "broadcast", "send", "--message", "Tài liệu", "--yes")
    pause, _ = sending(org)
    code, out = await run(org, pause, "broadcast", "status", "1", "--follow", "--json")
    assert code == 0 and "\x1b" not in out, out
    assert json.loads(out) == await status_document(org)


async def test_ctrl_c_stops_the_watching_and_never_the_broadcast(
    org: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C while following: exit 0, a line saying the sending goes on, every message still
    queued, and the sender then delivers them all."""
    for on in (False, True):
        terminal(monkeypatch, on)
        text = f"Nhắc nộp kế hoạch {on}"
        code, out = await run(
            org, interrupted, "broadcast", "send", "--message", text, "--yes", "--follow"
        )
        assert code == 0 and "Đã thôi theo dõi" in out and "--follow" in out, out
    assert await org.store.outbox.counts() == {"queued": 5 * 2}
    await org.drain_outbox()
    for broadcast_id in (1, 2):
        document = await status_document(org, broadcast_id)
        assert (document["sent"], document["failed"], document["queued"]) == (4, 1, 0)


async def test_outbox_watch_follows_the_whole_outbox(
    org: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`outbox --watch` counts every wave until nothing waits; it ends on `outbox --json`'s."""
    terminal(monkeypatch, False)
    for text in ("Một", "Hai"):
        await run(org, None, "broadcast", "send", "--message", text, "--yes")
    pause, _ = sending(org, per_look=3)
    code, out = await run(org, pause, "outbox", "--watch")
    assert code == 0 and "\x1b" not in out, out
    lines = [line for line in out.splitlines() if line.startswith("Tin gửi đi:")]
    assert "chờ gửi 10" in lines[0] and "chờ gửi 0" in lines[-1], out
    code, plain = await run(org, None, "outbox", "--json")
    counts = json.loads(plain)["counts"]
    assert f"đã gửi {counts['sent']}/" in lines[-1] and counts["queued"] == 0
    assert f"lỗi {counts['failed']} (chặn bot {counts['failed']})" in lines[-1], lines[-1]
    assert out.rstrip().endswith("Hàng đợi không còn tin nào chờ gửi."), out
    await run(org, None, "broadcast", "send", "--message", "Ba", "--yes")
    pause, _ = sending(org, per_look=3)
    code, out = await run(org, pause, "outbox", "--watch", "--json")
    assert code == 0 and json.loads(out)["counts"]["queued"] == 0, out
    assert json.loads(out) == json.loads((await run(org, None, "outbox", "--json"))[1])


async def test_an_unknown_broadcast_cannot_be_followed(org: Harness) -> None:
    """Following a broadcast that does not exist: one line, exit 1, no waiting."""
    code, out = await run(org, interrupted, "broadcast", "status", "99", "--follow")
    assert code == 1 and "99" in out and "Đã thôi" not in out, out


async def test_the_attachment_is_read_with_a_bar(
    org: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is read (not uploaded: the sender does that) with a bar on a terminal and one
    line off it; a file past the largest upload is refused without being read whole."""
    (tmp_path / "poster.png").write_bytes(b"\x89PNG" + b"x" * 3000)
    terminal(monkeypatch, False)
    args = ("broadcast", "send", "--message", "Ảnh", "--attach", "poster.png")
    code, out = await run(org, None, *args)
    assert code == 0 and "Đọc và kiểm tra tệp «poster.png» (KB): 3/3." in out, out
    terminal(monkeypatch, True)
    code, out = await run(org, None, *args)
    assert code == 0 and "━" in out and "3/3" in ANSI.sub("", out), out
    with (tmp_path / "lon.pdf").open("wb") as huge:  # sparse: 60 MB claimed, nothing written
        huge.truncate(60 * 1024 * 1024)
    terminal(monkeypatch, False)
    code, out = await run(org, None, "broadcast", "send", "--message", "x", "--attach", "lon.pdf")
    assert code == 2 and "lon.pdf" in out and "51201/51201" in out, out


def test_pace_and_time_left_are_measured_over_the_last_minute() -> None:
    """The pace is what settled between the first and last look of the window."""
    start = datetime(2022, 4, 1, tzinfo=UTC)
    pace = Pace()
    assert pace.per_minute() is None and pace.left(10) is None and pace.left(0) == timedelta(0)
    for second in range(0, 121, 10):
        pace.add(start + timedelta(seconds=second), 2 * second if second <= 60 else 120)
    assert pace.per_minute() == 0  # nothing moved in the last minute
    assert pace.left(5) is None
    pace.add(start + timedelta(seconds=150), 150)
    assert pace.per_minute() == pytest.approx(30 * 60 / 60)
    assert pace.left(60) == timedelta(minutes=2)


def test_failures_are_counted_by_reason() -> None:
    """Each stored error names its reason; rows beyond those read count as another reason."""
    at = datetime(2022, 4, 1, tzinfo=UTC)
    found = [
        Failure("k1", "failed", "blocked: Forbidden", at),
        Failure("k2", "failed", "400: Bad Request", at),
        Failure("k3", "expired", "expired", at),
        Failure("k4", "failed", "blocked: Forbidden", at),
    ]
    assert by_reason(found, 6) == {"blocked": 2, "rejected": 1, "expired": 1, "other": 2}
    reading = Reading(total=10, sent=3, waiting=1, withdrawn=0, failed=by_reason(found, 4))
    assert (reading.failures, reading.settled) == (4, 7)
