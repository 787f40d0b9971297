"""What the sandbox keeps across a restart, in its own database (one setting, as JSON).

The bot's rows survive a restart by themselves; what only the offline Bot API server held does
not: each chat's messages, what the people typed, the commands menu of each chat, the files, the
moved clock and the message / update numbers; on Zalo (``bot/sandbox/fake_zalo.py``) each chat's
messages, what the people typed there, which channel each person uses and the number of the last
Zalo message a person sent (Zalo's events are taken once by their message id). Telegram never
numbers a chat's message twice, and the bot takes a message number it has seen as a repeat
(``plans.last_input``), so the numbers go on from the highest one used or stored.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from bot.sandbox.fake_api import JSON, FakeBotApi, Message
from bot.sandbox.fake_zalo import FakeZaloApi, FakeZaloUser, Sent

STATE_KEY = "sandbox.state"  # the setting that holds the saved state
MARKER_KEY = "sandbox.sample"  # written when the sandbox seeds its own database
MARKER_VALUE = "sample organisation"


@dataclass
class Typed:
    """Something a sample person sent (the fake server keeps only what the bot sends)."""

    message_id: int
    text: str


@dataclass
class TypedOnZalo:
    """Something a sample person sent on Zalo, after the first ``after`` messages of the bot."""

    after: int
    text: str


@dataclass
class Saved:
    """The sandbox's own state, ready to be written as one setting."""

    clock: datetime | None = None
    last_message_id: int = 0
    last_update_id: int = 0
    messages: dict[str, list[JSON]] = field(default_factory=dict)  # by person code
    said: dict[str, list[JSON]] = field(default_factory=dict)  # by person code
    commands: dict[str, list[JSON]] = field(default_factory=dict)
    files: dict[str, JSON] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)  # by person code: "zalo" or absent
    zalo_messages: dict[str, list[JSON]] = field(default_factory=dict)
    zalo_said: dict[str, list[JSON]] = field(default_factory=dict)
    zalo_last_id: int = 0

    def dumps(self) -> str:
        """The state as JSON text."""
        data = asdict(self)
        data["clock"] = self.clock.isoformat() if self.clock else None
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def loads(cls, text: str | None) -> Saved:
        """The state written by ``dumps`` (an empty one for nothing or something unreadable)."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
            clock = datetime.fromisoformat(data["clock"]) if data.get("clock") else None
            return cls(
                clock=clock if clock is not None and clock.tzinfo is not None else None,
                last_message_id=int(data.get("last_message_id", 0)),
                last_update_id=int(data.get("last_update_id", 0)),
                messages=dict(data.get("messages", {})),
                said=dict(data.get("said", {})),
                commands=dict(data.get("commands", {})),
                files=dict(data.get("files", {})),
                channels={str(k): str(v) for k, v in dict(data.get("channels", {})).items()},
                zalo_messages=dict(data.get("zalo_messages", {})),
                zalo_said=dict(data.get("zalo_said", {})),
                zalo_last_id=int(data.get("zalo_last_id", 0)),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls()


def highest_message_id(sources: list[str]) -> int:
    """The highest message number in stored "chat:message" sources."""
    numbers = [source.partition(":")[2] for source in sources]
    return max((int(n) for n in numbers if n.isdigit()), default=0)


def _file_out(file: JSON) -> JSON:
    out = dict(file)
    if isinstance(out.get("content"), bytes):
        out["content"] = base64.b64encode(out["content"]).decode("ascii")
    return out


def _file_in(file: Any) -> JSON:
    data = dict(file) if isinstance(file, dict) else {}
    if isinstance(data.get("content"), str):
        data["content"] = base64.b64decode(data["content"])
    return data


def _message_out(message: Message) -> JSON:
    data = asdict(message)
    data.pop("file_bytes", None)  # kept once, in the server's files
    return data


def _message_in(data: JSON, chat_id: int, files: dict[str, JSON]) -> Message:
    message = Message(
        message_id=int(data["message_id"]),
        chat_id=chat_id,
        text=str(data.get("text", "")),
        parse_mode=data.get("parse_mode"),
        reply_markup=data.get("reply_markup"),
        kind=str(data.get("kind", "text")),
        file_name=data.get("file_name"),
        edits=int(data.get("edits", 0)),
    )
    if message.kind in ("document", "photo"):
        prefix = "doc" if message.kind == "document" else "ph"
        content = files.get(f"{prefix}{message.message_id}", {}).get("content")
        message.file_bytes = content if isinstance(content, bytes) else None
    return message


def capture(
    api: FakeBotApi, clock: datetime, said: dict[str, list[Typed]], chats: dict[str, int]
) -> Saved:
    """The state of a running sandbox; ``chats`` maps each person's code to their chat id."""
    return Saved(
        clock=clock,
        last_message_id=api.last_message_id,
        last_update_id=api.last_update_id,
        messages={
            code: [_message_out(m) for m in api.sent(chat_id)] for code, chat_id in chats.items()
        },
        said={code: [asdict(t) for t in typed] for code, typed in said.items() if typed},
        commands=dict(api.commands),
        files={file_id: _file_out(file) for file_id, file in api.files.items()},
    )


def restore(saved: Saved, api: FakeBotApi, chats: dict[str, int]) -> dict[str, list[Typed]]:
    """Put the saved chats back into ``api``; return what each person had typed."""
    api.continue_after(saved.last_message_id, saved.last_update_id)
    api.files.update({file_id: _file_in(file) for file_id, file in saved.files.items()})
    api.commands.update(saved.commands)
    said: dict[str, list[Typed]] = {}
    for code, chat_id in chats.items():
        kept = [_message_in(m, chat_id, api.files) for m in saved.messages.get(code, [])]
        if kept:
            api.messages[chat_id] = kept
        said[code] = [Typed(int(t["message_id"]), str(t["text"])) for t in saved.said.get(code, [])]
    return said


def capture_zalo(
    saved: Saved,
    zalo: FakeZaloApi,
    said: dict[str, list[TypedOnZalo]],
    users: dict[str, FakeZaloUser],
    channels: dict[str, str],
    last_id: int,
) -> Saved:
    """``saved`` with the Zalo side added; ``users`` maps each person's code to their user."""
    saved.channels = {code: channel for code, channel in channels.items() if channel != "telegram"}
    saved.zalo_messages = {
        code: [asdict(sent) for sent in zalo.sent(user.id)]
        for code, user in users.items()
        if zalo.sent(user.id)
    }
    saved.zalo_said = {code: [asdict(t) for t in typed] for code, typed in said.items() if typed}
    saved.zalo_last_id = last_id
    return saved


def _sent_in(data: JSON, chat_id: str) -> Sent:
    photo = data.get("photo")
    return Sent(
        message_id=str(data.get("message_id", "")),
        chat_id=chat_id,
        kind=str(data.get("kind", "text")),
        text=str(data.get("text", "")),
        photo=str(photo) if photo is not None else None,
    )


def restore_zalo(
    saved: Saved, zalo: FakeZaloApi, users: dict[str, FakeZaloUser]
) -> dict[str, list[TypedOnZalo]]:
    """Put the saved Zalo chats back into ``zalo``; return what each person had typed there."""
    said: dict[str, list[TypedOnZalo]] = {}
    for code, user in users.items():
        zalo.users[user.id] = user  # the bot may write first (a reminder) after a restart
        kept = [_sent_in(m, user.id) for m in saved.zalo_messages.get(code, [])]
        if kept:
            zalo.messages[user.id] = kept
        said[code] = [
            TypedOnZalo(int(t["after"]), str(t["text"])) for t in saved.zalo_said.get(code, [])
        ]
    return said
