"""`chuyende models list | approve | return` (issue 18 §2 at the server): the nominations as a
table and as JSON, approved or returned as the admin does in the chat (audited as the command
line's, the nominator told), and what is not waiting refused."""

from __future__ import annotations

import json

from bot.domain.audit import AuditAction
from bot.domain.exemplars import ModelStatus
from bot.sandbox.harness import Harness
from tests.cli.test_broadcast_cli import _run_async, org, received
from tests.handlers.test_models import nominated

__all__ = ["org"]  # the fixture

TEAM = """Tổ tự quản thôn 1
Giữ đường làng sạch đẹp
Được xã khen thưởng"""


async def test_cli_lists_approves_and_returns_nominations(org: Harness) -> None:
    """Two nominations by An: listed as waiting; one approved, one returned with a comment;
    An is told of both; a second decision, an unknown id, an empty comment are refused."""
    bot = org
    an = bot.chats["An"]  # type: ignore[attr-defined]
    first = await nominated(bot, an)
    second = await nominated(bot, an, TEAM)
    status, out = await _run_async(bot, "models", "list")
    assert status == 0 and "Trần Thị Bình" in out and "Tổ tự quản thôn 1" in out, out
    assert out.count("chờ duyệt") == 2, out
    status, out = await _run_async(bot, "models", "approve", str(first))
    assert status == 0 and f"Đã duyệt và công bố đề cử #{first}: Trần Thị Bình." in out, out
    status, out = await _run_async(
        bot, "models", "return", str(second), "--comment", "Ghi rõ số buổi"
    )
    assert status == 0 and f"Đã trả lại đề cử #{second}" in out, out
    assert "An" in await received(bot, "«Trần Thị Bình» đã được duyệt và công bố")
    assert "An" in await received(bot, "Ý kiến: Ghi rõ số buổi")
    for argv in (("approve", str(first)), ("approve", "99999"), ("return", str(first))):
        extra = ("--comment", "Lại") if argv[0] == "return" else ()
        status, out = await _run_async(bot, "models", *argv, *extra)
        assert status == 1 and "đang chờ duyệt" in out, (argv, out)
    status, out = await _run_async(bot, "models", "return", str(second), "--comment", "  ")
    assert status == 2 and "Cần ghi ý kiến" in out, out
    status, out = await _run_async(bot, "models", "list", "--status", "approved", "--json")
    assert status == 0, out
    [published] = json.loads(out)
    assert (published["id"], published["status"]) == (first, "approved")
    assert published["unit"] == "Đảng bộ xã Phú Lạc / Chi bộ thôn 1"
    returned = await bot.store.models.get(second)
    assert returned is not None and returned.status is ModelStatus.RETURNED
    assert returned.comment == "Ghi rõ số buổi"
    entries = await bot.store.audit.entries(50)
    approvals = [e for e in entries if e.action is AuditAction.MODEL_APPROVE]
    assert [e.actor for e in approvals] == ["command line"]
    status, out = await _run_async(bot, "models", "list", "--year", "2019")
    assert status == 0 and "Chưa có đề cử" in out, out
