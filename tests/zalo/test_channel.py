"""ZaloChannel delivers channel-neutral replies as plain texts of at most 2000 characters:
choices numbered, long texts in numbered parts cut at line breaks, files as links."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.models import Channel
from bot.locales import Catalog, Safe
from bot.sandbox.fake_zalo import FakeZaloApi
from bot.services.channels import RateLimited, TextUnit, typed_press
from bot.services.replies import Attachment, Choice, Reply
from handlers.zalo.channel import ZALO, ZaloChannel, plain_text, split_text
from handlers.zalo.client import ZaloClient
from tests.zalo.conftest import TED

CATALOG = Catalog.load()
PART = re.compile(r"^\((\d+)/(\d+)\)\n")


class FakeLinks:
    """Download links that name the person and the file, recording what was published."""

    def __init__(self) -> None:
        self.published: list[tuple[str, str]] = []

    async def link(self, chat_id: str, attachment: Attachment) -> str:
        """A URL for ``attachment``."""
        self.published.append((chat_id, attachment.filename))
        return f"https://files.example.test/{chat_id}/{attachment.filename}"


@pytest.fixture
def links() -> FakeLinks:
    """The fake download-link publisher."""
    return FakeLinks()


@pytest.fixture
def channel(client: ZaloClient, links: FakeLinks) -> ZaloChannel:
    """The Zalo channel on the fake server."""
    return ZaloChannel(client, links, CATALOG)


def texts(zalo: FakeZaloApi) -> list[str]:
    """What Ted received, as texts (a photo's caption for a photo)."""
    return [message.text for message in zalo.sent(TED.id)]


def test_capabilities_and_chat_ids(channel: ZaloChannel) -> None:
    """2000 code points of plain text, no buttons, documents or contact sharing; ids are
    letters and digits."""
    caps = channel.capabilities
    assert (caps.max_text, caps.unit, caps.buttons, caps.documents, caps.contact_sharing) == (
        2000,
        TextUnit.CHARACTERS,
        False,
        False,
        False,
    )
    assert caps.length("😀") == 1 and channel.channel is Channel.ZALO
    assert channel.addressable("6ede9afa66b88fe6d6a9") and channel.addressable("1234")
    assert not any(channel.addressable(bad) for bad in ("", "-100", "abc.xyz", "a b", "ă"))


def test_html_becomes_plain_text() -> None:
    """Tags are stripped, entities decoded, a link keeps its address."""
    assert plain_text("<b>Câu 3/9</b>: &lt;tên&gt; &amp; <i>họ</i>") == "Câu 3/9: <tên> & họ"
    assert plain_text('<a href="https://x.test/?a=1&amp;b=2">Mẫu</a>') == (
        "Mẫu (https://x.test/?a=1&b=2)"
    )
    assert plain_text("a < b <unknown>") == "a < b "  # not Telegram's HTML: best effort


async def test_a_short_reply_is_one_plain_message(channel: ZaloChannel, zalo: FakeZaloApi) -> None:
    """Text and choices go in one message; the typed number picks the choice."""
    reply = Reply(
        Safe("<b>Chọn</b> một &amp; gửi"),
        choices=((Choice("Bắt đầu", "p:start"), Choice("Để sau", "p:later")),),
        menu=(),
        ask_contact="Chia sẻ số",
    )
    sent = await channel.deliver(TED.id, reply)
    assert texts(zalo) == ["Chọn một & gửi\n\n1. Bắt đầu\n2. Để sau"]
    assert [s.message_id for s in sent] == [zalo.sent(TED.id)[0].message_id]
    assert typed_press("2", reply) == Choice("Để sau", "p:later")


async def test_long_texts_go_in_numbered_parts_cut_at_line_breaks(
    channel: ZaloChannel, zalo: FakeZaloApi
) -> None:
    """Over 2000 characters: parts within the limit, numbered from the catalog, every line whole."""
    lines = [f"Dòng {n}: " + " ".join(["chữ"] * 30) for n in range(60)]  # ~8000 characters
    await channel.deliver(TED.id, Reply(Safe("\n".join(lines))))
    got = texts(zalo)
    assert len(got) > 1 and all(len(part) <= 2000 for part in got)
    numbers = [PART.match(part) for part in got]
    assert [(int(m[1]), int(m[2])) for m in numbers if m] == [
        (n, len(got)) for n in range(1, len(got) + 1)
    ]
    body = [line for part in got for line in PART.sub("", part).split("\n")]
    assert body == lines


async def test_a_long_line_is_cut_between_words(channel: ZaloChannel, zalo: FakeZaloApi) -> None:
    """A paragraph longer than a message is cut at spaces, never inside a word."""
    words = [f"từ{n}" for n in range(900)]
    await channel.deliver(TED.id, Reply(Safe(" ".join(words))))
    got = [PART.sub("", part) for part in texts(zalo)]
    assert len(got) >= 3 and all(len(part) <= 2000 for part in texts(zalo))
    assert " ".join(got).split(" ") == words


async def test_emoji_count_once(channel: ZaloChannel, zalo: FakeZaloApi) -> None:
    """2000 emoji (4000 UTF-16 units) are one message: Zalo's limit is in characters."""
    await channel.deliver(TED.id, Reply(Safe("😀" * 2000)))
    assert texts(zalo) == ["😀" * 2000]


async def test_a_photo_by_url_with_its_caption(
    channel: ZaloChannel, zalo: FakeZaloApi, links: FakeLinks
) -> None:
    """A picture is published and sent by URL, the text as its caption when it fits."""
    chart = Attachment("bieu-do.png", b"\x89PNG")
    await channel.deliver(TED.id, Reply(Safe("Biểu đồ <b>tháng</b>"), photo=chart))
    (photo,) = zalo.sent(TED.id)
    assert (photo.kind, photo.photo, photo.text) == (
        "photo",
        f"https://files.example.test/{TED.id}/bieu-do.png",
        "Biểu đồ tháng",
    )
    assert links.published == [(TED.id, "bieu-do.png")]


async def test_a_photo_with_a_long_text_then_the_text(
    channel: ZaloChannel, zalo: FakeZaloApi
) -> None:
    """A text too long for a caption follows the picture in its own messages."""
    long = "\n".join(["dòng " * 50] * 12)
    await channel.deliver(TED.id, Reply(Safe(long), photo=Attachment("a.png", b"")))
    kinds = [m.kind for m in zalo.sent(TED.id)]
    assert kinds[0] == "photo" and zalo.sent(TED.id)[0].text == "" and kinds[1:] == ["text"] * 2


async def test_a_document_becomes_a_link_in_the_text(
    channel: ZaloChannel, zalo: FakeZaloApi, links: FakeLinks
) -> None:
    """No documents on Zalo: the text ends with a download link from the catalog."""
    plan = Attachment("ke-hoach.docx", b"PK")
    await channel.deliver(TED.id, Reply(Safe("Kế hoạch của đồng chí"), document=plan))
    url = f"https://files.example.test/{TED.id}/ke-hoach.docx"
    line = CATALOG.plain("zalo.document", name="ke-hoach.docx", url=url)
    assert texts(zalo) == [f"Kế hoạch của đồng chí\n\n{line}"]
    await channel.deliver(TED.id, Reply(Safe(""), document=plan))
    assert texts(zalo)[-1] == line and links.published == [(TED.id, "ke-hoach.docx")] * 2


async def test_an_empty_reply_sends_nothing(channel: ZaloChannel, zalo: FakeZaloApi) -> None:
    """Zalo refuses empty texts: a reply with nothing to show sends no message."""
    assert await channel.deliver(TED.id, Reply(Safe("  "))) == []
    assert zalo.calls_of("sendMessage") == []


async def test_zalos_refusals_reach_the_caller(channel: ZaloChannel, zalo: FakeZaloApi) -> None:
    """A 429 on the way is the port's RateLimited."""
    zalo.fail("sendMessage", 429, "Quota exceeded", retry_after=3)
    with pytest.raises(RateLimited):
        await channel.deliver(TED.id, Reply(Safe("x")))


def frame(part: str, index: int, total: int) -> str:
    """The catalog's part frame."""
    return CATALOG.plain("zalo.part", text=part, index=index, total=total)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.text("abcđêơ😀", min_size=1, max_size=40), min_size=0, max_size=30),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=60, max_value=400),
)
def test_splitting_keeps_every_word_within_the_limit(lines: list[list[str]], limit: int) -> None:
    """Whatever the text, parts fit the limit and hold every word, whole and in order."""
    text = "\n".join(" ".join(words) for words in lines)
    parts = split_text(text, limit, ZALO.length, frame)
    assert all(len(part) <= limit for part in parts)
    body = [PART.sub("", part) if len(parts) > 1 else part for part in parts]
    assert " ".join(body).split() == text.split()


async def test_press_becomes_choose_where_there_is_nothing_to_press(
    channel: ZaloChannel, zalo: FakeZaloApi
) -> None:
    """ "Bấm «✅ Xong»" reads "Chọn «✅ Xong»" on Zalo; other words are left alone."""
    reply = Reply(Safe("Đã ghi 61 ký tự. Gửi tiếp nếu còn, hoặc bấm «✅ Xong».\nBấm nút bên dưới."))
    await channel.deliver(TED.id, reply)
    assert texts(zalo) == [
        "Đã ghi 61 ký tự. Gửi tiếp nếu còn, hoặc chọn «✅ Xong».\nGõ số thứ tự của mục bên dưới."
    ]
    assert channel.reworded("bấmx bấm") == "bấmx chọn"
