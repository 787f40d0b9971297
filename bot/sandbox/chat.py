"""A chat driver: tests and benchmarks talk to the bot like a person does.

``await chat.send("/start")``, ``await chat.press("Hướng dẫn")``, ``await chat.share_contact()``.
On Zalo (``ZaloChat``) the same ``send`` / ``press`` / ``buttons``: there are no buttons, so
``press`` types the number the bot wrote before the label.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.domain.phone import international_phone
from bot.sandbox.fake_api import JSON, FakeBotApi, FakeUser, Message
from bot.sandbox.fake_zalo import FakeZaloApi, FakeZaloUser, Sent

Feed = Callable[[JSON], Awaitable[None]]
ZaloFeed = Callable[[JSON], Awaitable[object]]
# A numbered choice as the Zalo channel writes it: "2. ✅ Xong".
CHOICE = re.compile(r"^\s*(\d+)\. (.+)$")
# What Telegram marks as a command: "/" then up to 32 Latin letters, digits or "_" (and an
# optional @botname); a lone "/" or "/đi" is plain text.
COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def command_length(text: str) -> int:
    """The length of the command a message starts with, 0 when it starts with none."""
    found = COMMAND.match(text)
    return len(found.group(0)) if found else 0


class Chat:
    """One person's private chat with the bot.

    ``feed`` delivers an update to the bot and returns once it has been handled (in tests:
    ``Application.process_update``); every call returns the bot's new messages in this chat.
    """

    def __init__(self, api: FakeBotApi, feed: Feed, user: FakeUser) -> None:
        self.api = api
        self.user = user
        self._feed = feed
        self.last_update: JSON = {}
        api.add_user(user)

    @property
    def messages(self) -> list[Message]:
        """Everything the bot sent to this chat."""
        return self.api.sent(self.user.id)

    @property
    def last(self) -> Message:
        """The bot's latest message here."""
        if not self.messages:
            raise AssertionError(f"the bot sent nothing to {self.user.first_name}")
        return self.messages[-1]

    def _base(self) -> JSON:
        return {
            "message_id": self.api.new_message_id(),
            "date": int(time.time()),
            "chat": {"id": self.user.id, "type": "private", "first_name": self.user.first_name},
            "from": self.user.as_json(),
        }

    async def _deliver(self, payload: JSON) -> list[Message]:
        before = len(self.messages)
        update = self.api.new_update(payload)
        self.last_update = update
        await self._feed(update)
        return self.messages[before:]

    async def redeliver(self) -> list[Message]:
        """Deliver the last update again, as Telegram does when the bot stopped before
        confirming it."""
        before = len(self.messages)
        await self._feed(dict(self.last_update))
        return self.messages[before:]

    async def send(self, text: str) -> list[Message]:
        """Type and send ``text`` (a leading ``/word`` is a command, as in Telegram)."""
        message: JSON = {**self._base(), "text": text}
        length = command_length(text)
        if length:
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self._deliver({"message": message})

    async def share_contact(self, phone: str | None = None, *, own: bool = True) -> list[Message]:
        """Share a contact: by default this user's own number, as the contact button does.

        Telegram writes the account's number in international form (``84…``); an explicit
        ``phone`` is sent exactly as given.
        """
        own_number = international_phone(self.user.phone) if self.user.phone else None
        number = phone if phone is not None else own_number
        contact: JSON = {"phone_number": number or "", "first_name": self.user.first_name}
        if own:
            contact["user_id"] = self.user.id
        return await self._deliver({"message": {**self._base(), "contact": contact}})

    async def send_other(
        self,
        kind: str,
        caption: str | None = None,
        *,
        name: str | None = None,
        content: bytes | None = None,
    ) -> list[Message]:
        """Send something that is not text: ``photo``, ``sticker``, ``voice``, ``document`` ...

        A photo or document is also kept by the server, so the bot may send it on by its id
        (or fetch it with getFile): ``content`` its bytes, ``name`` a document's file name.
        """
        payloads: dict[str, Any] = {
            "photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}],
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "s1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            },
            "voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 3},
            "document": {"file_id": "d1", "file_unique_id": "d1", "file_name": name or "a.pdf"},
            "location": {"latitude": 11.2, "longitude": 108.7},
        }
        message: JSON = {**self._base(), kind: payloads[kind]}
        if caption is not None:
            message["caption"] = caption
        if kind in ("photo", "document"):
            file_id = (
                payloads[kind][-1]["file_id"] if kind == "photo" else payloads[kind]["file_id"]
            )
            kept = content if content is not None else f"{kind}-bytes".encode()
            name = "anh.jpg" if kind == "photo" else payloads[kind]["file_name"]
            self.api.files[file_id] = {"filename": name, "content": kept}
        return await self._deliver({"message": message})

    def _inline_message(self) -> Message | None:
        """The latest message that carries inline buttons."""
        return next((m for m in reversed(self.messages) if m.inline_buttons()), None)

    def _reply_keyboard(self) -> list[JSON]:
        """The reply keyboard on screen: the last one sent stays until another replaces it."""
        for message in reversed(self.messages):
            markup = message.reply_markup or {}
            if "keyboard" in markup:
                return message.keyboard_buttons()
            if markup.get("remove_keyboard"):
                return []
        return []

    async def press(self, label: str) -> list[Message]:
        """Press a button: inline under the latest message that has them, else the keyboard."""
        inline = self._inline_message()
        if inline is not None:
            for button in inline.inline_buttons():
                if button.get("text") == label:
                    return await self.press_data(str(button["callback_data"]), inline)
        for button in self._reply_keyboard():
            if button.get("text") == label:
                if button.get("request_contact"):
                    return await self.share_contact()
                return await self.send(label)
        raise AssertionError(f"no button {label!r}; on screen: {self.buttons()}")

    async def press_data(self, data: str, message: Message | None = None) -> list[Message]:
        """Press an inline button with raw (possibly forged or stale) callback data."""
        target = message or self.last
        query: JSON = {
            "id": self.api.new_callback_id(),
            "from": self.user.as_json(),
            "chat_instance": str(self.user.id),
            "data": data,
            "message": self.api.message_json(target),
        }
        return await self._deliver({"callback_query": query})

    def buttons(self) -> list[str]:
        """Labels the person can press now: the latest inline buttons, then the keyboard."""
        inline = self._inline_message()
        labels = [b["text"] for b in inline.inline_buttons()] if inline else []
        return labels + [b["text"] for b in self._reply_keyboard()]


class ZaloChat:
    """One person's Zalo chat with the bot: what they type goes to ``feed`` as a Zalo event.

    ``new_id`` numbers their messages (the bot takes an event once by its message id, so the
    numbers must not repeat, even across a restart).
    """

    def __init__(
        self, api: FakeZaloApi, feed: ZaloFeed, user: FakeZaloUser, new_id: Callable[[], str]
    ) -> None:
        self.api = api
        self.user = user
        self._feed = feed
        self._new_id = new_id
        api.users[user.id] = user

    @property
    def messages(self) -> list[Sent]:
        """Everything the bot sent to this chat."""
        return self.api.sent(self.user.id)

    @property
    def last(self) -> Sent:
        """The bot's latest message here."""
        if not self.messages:
            raise AssertionError(f"the bot sent nothing to {self.user.display_name}")
        return self.messages[-1]

    async def send(self, text: str) -> list[Sent]:
        """Type and send ``text``; what the bot has answered by the time ``feed`` returns."""
        before = len(self.messages)
        event = self.api.event("message.text.received", self.user, text=text)
        event["result"]["message"]["message_id"] = self._new_id()
        await self._feed(event)
        return self.messages[before:]

    def choices(self) -> dict[str, str]:
        """The numbered choices of the bot's latest message that has some: label -> number."""
        for message in reversed(self.messages):
            found = [CHOICE.match(line) for line in message.text.splitlines()]
            numbered = {m.group(2): m.group(1) for m in found if m is not None}
            if numbered:
                return numbered
        return {}

    async def press(self, label: str) -> list[Sent]:
        """Type the number the bot wrote before ``label``."""
        number = self.choices().get(label)
        if number is None:
            raise AssertionError(f"no numbered choice {label!r}; on screen: {self.buttons()}")
        return await self.send(number)

    def buttons(self) -> list[str]:
        """Labels the person can choose by number now."""
        return list(self.choices())
