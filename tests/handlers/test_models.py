"""Exemplary models (gương điển hình) in the bot: a secretary nominates, the admin returns it
with a comment, the secretary edits, the admin approves, a member browses it; every press is
checked (a member, the secretary of another unit, forged ids); an erased person leaves the list."""

from __future__ import annotations

from bot.domain.audit import AuditAction
from bot.domain.exemplars import ModelStatus
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import fill_mau_01, signed_in

MODELS = "🌟 Gương điển hình"
GIANG = (
    "DV005,Đỗ Văn Giang,01/02/1970,0355000444,Đảng viên,,"
    "Đảng bộ xã Phú Lạc / Chi bộ thôn 2,Bí thư chi bộ,Bí thư"
)
NOMINATION = """Trần Thị Bình
Vận động 12 hộ hiến đất mở đường liên thôn
Con đường 1,2 km hoàn thành trước hạn"""
EDITED = """Trần Thị Bình
Vận động 15 hộ hiến đất mở đường liên thôn, tự nguyện đóng góp ngày công
Con đường 1,5 km hoàn thành trước hạn hai tháng"""


async def nominated(bot: Harness, an: Chat, text: str = NOMINATION) -> int:
    """An nominates from the list; the id of the stored nomination."""
    await an.press(MODELS)
    [ask] = await an.press("✍️ Đề cử gương điển hình")
    assert "mỗi ý một dòng" in ask.plain
    [saved] = await an.send(text)
    assert "đang chờ quản trị viên duyệt" in saved.plain, saved.plain
    waiting = await bot.store.models.listed(ModelStatus.PENDING)
    return waiting[0].id


async def test_nominate_return_edit_approve_browse(bot: Harness) -> None:
    """The whole path of a nomination, and the audit of who nominated and who approved."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    hoa = await signed_in(bot, "Hoa", "0977123456")
    binh = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(binh)
    await binh.press("📨 Gửi kế hoạch")
    [empty] = await binh.press(MODELS)
    assert "Chưa có gương điển hình" in empty.plain
    assert "✍️ Đề cử gương điển hình" not in binh.buttons()
    await an.press(MODELS)
    await an.press("✍️ Đề cử gương điển hình")
    [again] = await an.send("Chỉ một dòng")
    assert "đủ ba dòng" in again.plain
    [saved] = await an.send(NOMINATION)
    assert "đang chờ quản trị viên duyệt" in saved.plain
    [waiting] = await bot.store.models.listed(ModelStatus.PENDING)
    assert waiting.person_id is not None and waiting.unit_path.endswith("Chi bộ thôn 1")
    # Not yet published: Bình does not see it.
    [listing] = await binh.press(MODELS)
    assert "Trần Thị Bình" not in listing.plain
    # Hoa returns it with a comment.
    [listing] = await hoa.press(MODELS)
    [queue] = await hoa.press("📥 Đề cử chờ duyệt (1)")
    assert "Trần Thị Bình" in queue.plain
    [card] = await hoa.press("🌟 Trần Thị Bình")
    assert "Vận động 12 hộ" in card.plain and "chờ duyệt" in card.plain
    assert "Việc làm số 2: thăm hộ dân" in card.plain  # linked to Bình's plan
    await bot.drain_outbox()  # what was queued before (Bình's plan handed in ...)
    [ask] = await hoa.press("↩️ Trả lại đề cử")
    assert "ý kiến" in ask.plain
    [back] = await hoa.send("Đề nghị ghi rõ số hộ và số ngày công")
    assert "Đã trả lại đề cử «Trần Thị Bình»" in back.plain
    assert await bot.drain_outbox() == 1  # An is told, with a button to the nomination
    assert "đã được trả lại để sửa. Ý kiến: Đề nghị ghi rõ số hộ" in an.last.plain
    [card] = await an.press("🌟 Xem đề cử")
    assert "Đề nghị ghi rõ số hộ" in card.plain
    # An sees the comment and edits.
    await an.press(MODELS)
    [mine] = await an.press("📝 Đề cử của đơn vị")
    assert "đã trả lại để sửa" in mine.plain
    [card] = await an.press("🌟 Trần Thị Bình")
    assert "Đề nghị ghi rõ số hộ" in card.plain
    [ask] = await an.press("✏️ Sửa đề cử")
    assert "Vận động 12 hộ" in ask.plain  # what it says now
    [saved] = await an.send(EDITED)
    assert "đang chờ quản trị viên duyệt" in saved.plain
    # Hoa approves.
    await hoa.press(MODELS)
    await hoa.press("📥 Đề cử chờ duyệt (1)")
    [card] = await hoa.press("🌟 Trần Thị Bình")
    assert "15 hộ" in card.plain
    [done] = await hoa.press("✅ Duyệt, công bố")
    assert "Đã duyệt và công bố" in done.plain
    assert await bot.drain_outbox() == 1
    assert "đã được duyệt và công bố" in an.last.plain
    # Bình browses it.
    [listing] = await binh.press(MODELS)
    assert "Trần Thị Bình" in listing.plain and "Chi bộ thôn 1" in listing.plain
    [card] = await binh.press("🌟 Trần Thị Bình")
    assert "15 hộ" in card.plain and "Công bố ngày" in card.plain
    assert "thăm hộ dân" not in card.plain  # her plan is not shown to everyone
    assert "✏️ Sửa đề cử" not in binh.buttons() and "📢 Báo cho mọi người" not in binh.buttons()
    await binh.press("↩️ Danh sách gương điển hình")
    await binh.press("🏠 Chỉ đơn vị của tôi")
    assert "Trần Thị Bình" in binh.last.plain
    entries = await bot.services.audit.entries()
    actions = [(e.actor.split(" (")[0], e.action) for e in entries]
    assert ("Nguyễn Văn An", AuditAction.MODEL_NOMINATE) in actions
    assert ("Hồ Thị Hoa", AuditAction.MODEL_RETURN) in actions
    assert ("Hồ Thị Hoa", AuditAction.MODEL_APPROVE) in actions


async def test_admin_broadcasts_a_published_model(bot: Harness) -> None:
    """The admin previews the broadcast of a published model, then queues it to everyone."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    hoa = await signed_in(bot, "Hoa", "0977123456")
    await signed_in(bot, "Bình", "0987654321")
    model_id = await nominated(bot, an)
    await hoa.press_data(f"e:op:{model_id}")
    await hoa.press("✏️ Sửa đề cử")  # the admin edits before approving
    [saved] = await hoa.send(EDITED)
    assert "đang chờ quản trị viên duyệt" in saved.plain
    await hoa.press("🌟 Trần Thị Bình")
    await hoa.press("✅ Duyệt, công bố")
    [preview] = await hoa.press("📢 Báo cho mọi người")
    assert "Thông báo sẽ gửi tới" in preview.plain and "Vận động 15 hộ" in preview.plain
    [sent] = await hoa.press("📤 Gửi thông báo gương điển hình")
    assert "Đã xếp thông báo gửi tới" in sent.plain
    assert await bot.drain_outbox() >= 1


async def test_every_press_is_checked(bot: Harness) -> None:
    """A member may not nominate; the secretary of thôn 2 neither sees nor edits thôn 1's
    nomination; only the admin approves or returns; forged ids get the same refusal."""
    outcome = await bot.load_roster(f"{ROSTER.strip()}\n{GIANG}")
    assert outcome.summary is not None, outcome.parsed.errors
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    giang = await signed_in(bot, "Giang", "0355000444")
    model_id = await nominated(bot, an)
    refused = "không còn, hoặc đồng chí không có quyền"
    cases = [
        (binh, "e:new:"),
        (binh, "e:q:"),
        (binh, "e:my:"),
        (binh, f"e:op:{model_id}"),
        (binh, f"e:ed:{model_id}"),
        (binh, f"e:ok:{model_id}"),
        (binh, f"e:rt:{model_id}"),
        (binh, f"e:nt:{model_id}"),
        (giang, f"e:op:{model_id}"),
        (giang, f"e:ed:{model_id}"),
        (giang, f"e:ok:{model_id}"),
        (giang, f"e:rt:{model_id}"),
        (giang, f"e:ns:{model_id}"),
        (an, f"e:ok:{model_id}"),
        (an, f"e:rt:{model_id}"),
        (an, "e:q:"),
        (an, "e:op:999999"),
        (an, "e:ed:-1"),
        (an, "e:op:²"),
        (an, "e:op:1234567890"),
    ]
    for chat, data in cases:
        [reply] = await chat.press_data(data)
        assert refused in reply.plain, data
    [still] = await bot.store.models.listed(ModelStatus.PENDING)
    assert still.id == model_id and still.deed.startswith("Vận động 12 hộ")
    assert await bot.store.models.listed(ModelStatus.APPROVED) == []
    # Giang's own nominations: not An's.
    await giang.press(MODELS)
    [mine] = await giang.press("📝 Đề cử của đơn vị")
    assert "Trần Thị Bình" not in mine.plain
    # A typed nomination naming a member of another unit is a collective's, in Giang's unit.
    await giang.press("↩️ Danh sách gương điển hình")
    await giang.press("✍️ Đề cử gương điển hình")
    await giang.send(NOMINATION)
    [theirs] = [
        m
        for m in await bot.store.models.listed(ModelStatus.PENDING)
        if m.nominated_by == "Đỗ Văn Giang"
    ]
    assert theirs.person_id is None and theirs.unit_path.endswith("Chi bộ thôn 2")
    assert await binh.press_data("e:zz:1") == []  # a malformed press: only the stale notice
    await binh.press_data("e:ls:x.y")  # a malformed page: the first one
    assert "trang 1/1" in binh.last.plain


async def test_a_forgotten_person_leaves_the_list(bot: Harness) -> None:
    """Bình's published model goes when she is erased; a collective's stays."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    hoa = await signed_in(bot, "Hoa", "0977123456")
    binh_id = await nominated(bot, an)
    await hoa.press_data(f"e:ok:{binh_id}")
    team = "Chi hội phụ nữ thôn 1\nMô hình tuyến đường hoa\nTrồng 2 km hoa hai bên đường"
    team_id = await nominated(bot, an, team)
    await hoa.press_data(f"e:ok:{team_id}")
    [listing] = await hoa.press(MODELS)
    assert "Trần Thị Bình" in listing.plain and "Chi hội phụ nữ thôn 1" in listing.plain
    assert await bot.services.audit.forget("DV002") is not None
    [listing] = await hoa.press(MODELS)
    assert "Trần Thị Bình" not in listing.plain and "Chi hội phụ nữ thôn 1" in listing.plain
    [refused] = await hoa.press_data(f"e:op:{binh_id}")
    assert "không còn" in refused.plain


async def test_a_nomination_with_a_photo(bot: Harness) -> None:
    """The nomination sent as a photo's caption keeps the photo; the card sends it by its id."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    hoa = await signed_in(bot, "Hoa", "0977123456")
    await an.press(MODELS)
    await an.press("✍️ Đề cử gương điển hình")
    [saved] = await an.send_other("photo", caption=NOMINATION)
    assert "đang chờ quản trị viên duyệt" in saved.plain
    [model] = await bot.store.models.listed(ModelStatus.PENDING)
    assert model.photo_id == "telegram:p1"
    uploads = bot.api.uploads
    photo, card = await hoa.press_data(f"e:op:{model.id}")
    assert photo.kind == "photo" and "Trần Thị Bình" in card.plain
    assert bot.api.uploads == uploads  # by its id, not uploaded again


async def test_a_person_removed_from_the_roster_leaves_the_list(bot: Harness) -> None:
    """Bình taken off the roster (remove missing): her model no longer shows; back on, again."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    hoa = await signed_in(bot, "Hoa", "0977123456")
    model_id = await nominated(bot, an)
    await hoa.press_data(f"e:ok:{model_id}")
    without = "\n".join(line for line in ROSTER.strip().splitlines() if "DV002" not in line)
    outcome = await bot.load_roster(without, remove_missing=True)
    assert outcome.summary is not None, outcome.parsed.errors
    [listing] = await hoa.press(MODELS)
    assert "Trần Thị Bình" not in listing.plain
    await bot.load_roster(ROSTER)
    [listing] = await hoa.press(MODELS)
    assert "Trần Thị Bình" in listing.plain
