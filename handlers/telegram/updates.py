"""The Telegram edge: a PTB update becomes an ``Inbound``, the conversation answers through a
``TelegramTurn`` (buttons, toasts, edits, the command list)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Message, MessageEntity, Update
from telegram.error import BadRequest as TelegramBadRequest
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.domain.broadcast import BroadcastFile, FileKind
from bot.domain.menu import commands_for
from bot.domain.models import Channel, Person
from bot.locales import Catalog
from bot.services import channels
from bot.services.channels import Capabilities, Sent
from bot.services.replies import Presenter, Reply
from bot.services.screens import Screens
from handlers.inbound import Contact, Inbound, Kind
from handlers.routes import Conversation
from handlers.telegram.channel import TELEGRAM, classify, sent_of, show_working
from handlers.telegram.render import acknowledge, edit, fold, send

log = logging.getLogger(__name__)

# Only new messages in private chats: edits, channel posts and group chats are ignored.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
FILE_NAME_LIMIT = 255
FETCH_LIMIT = 20 * 1024 * 1024  # the Bot API's getFile hands out files up to 20 MB


class TelegramTurn:
    """Answers one update in its chat: replies rendered as the channel port renders them
    (``render.send``; PTB's own errors reach PTB's error handler), a press acknowledged once,
    an edit in place, a screen that folds the one before, the person's command list."""

    def __init__(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        catalog: Catalog,
        screens: Screens,
    ) -> None:
        self._update = update
        self._context = context
        self._catalog = catalog
        self._screens = screens

    @property
    def capabilities(self) -> Capabilities:
        """Telegram's."""
        return TELEGRAM

    async def reply(self, reply: Reply) -> list[Sent]:
        """Deliver ``reply`` in the chat of the update; what Telegram took."""
        chat = self._update.effective_chat
        if chat is None:
            return []
        return [sent_of(m) for m in await send(self._context.bot, chat.id, reply)]

    async def toast(self, text: str | None = None) -> None:
        """Answer the button press (a toast with ``text``)."""
        query = self._update.callback_query
        if query is not None:
            await acknowledge(query, text)

    async def working(self) -> None:
        """ "Sending a file…" in the chat while a document is made (as the channel port shows
        it: ``TelegramChannel.working``)."""
        chat = self._update.effective_chat
        if chat is not None:
            await show_working(self._context.bot, chat.id)

    async def refresh(self, reply: Reply) -> None:
        """Edit the message whose button was pressed; a new message when it cannot be edited."""
        query = self._update.callback_query
        if query is not None:
            await edit(query, reply)
        else:
            await self.reply(reply)

    async def screen(self, reply: Reply) -> None:
        """Send ``reply`` as the chat's current screen, then fold the one before (remembered in
        the database: a restart or another worker in between changes nothing). The step is sent
        first: a fold Telegram refuses only leaves the old screen as it was."""
        chat = self._update.effective_chat
        if chat is None:
            return
        sent = await send(self._context.bot, chat.id, reply)
        shown = next((m for m in reversed(sent) if m.text), None)
        live = str(shown.message_id) if shown is not None and reply.choices else None
        before = await self._screens.shown(Channel.TELEGRAM, str(chat.id), live, reply.folded or "")
        if before is not None and before.message_id.isdigit():
            await fold(self._context.bot, chat.id, int(before.message_id), before.folded)

    async def commands(self, person: Person) -> None:
        """Show this person's own command list in their chat."""
        chat = self._update.effective_chat
        if chat is None:
            return
        commands = [
            BotCommand(cmd.value, self._catalog.plain(f"menu.{cmd.value}"))
            for cmd in commands_for(person)
        ]
        await self._context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat.id))

    async def fetch(self, file_id: str) -> bytes:
        """A file sent in the chat, through getFile and Telegram's file server (which hands
        out at most ``FETCH_LIMIT`` bytes: beyond it ``FileTooBig``)."""
        try:
            found = await self._context.bot.get_file(file_id)
            if found.file_size is not None and found.file_size > FETCH_LIMIT:
                raise channels.FileTooBig(f"{found.file_size} bytes")
            data = bytes(await found.download_as_bytearray())
        except TelegramBadRequest as error:
            if "too big" in error.message.lower():
                raise channels.FileTooBig(error.message) from error
            raise classify(error) from error
        except TelegramError as error:
            raise classify(error) from error
        if len(data) > FETCH_LIMIT:
            raise channels.FileTooBig(f"{len(data)} bytes")
        return data

    async def press_for(self, typed: str) -> str | None:
        """Telegram has buttons: typed text is never a press."""
        return None


def _command(message: Message, username: str) -> tuple[str, tuple[str, ...]] | None:
    """The command word and its arguments, when the message starts with a command (as PTB's
    ``CommandHandler`` reads it: a command addressed to another bot is no command of ours)."""
    text, entities = message.text, message.entities
    if not text or not entities:
        return None
    first = entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    word, _, addressee = text[1 : first.length].partition("@")
    if addressee and addressee.lower() != username.lower():
        return "", ()
    return word.lower(), tuple(text.split()[1:])


def _file(message: Message) -> BroadcastFile | None:
    """A photo or document sent with the message (an announcement's attachment)."""
    if message.photo:
        return BroadcastFile(FileKind.PHOTO, "anh.jpg", message.photo[-1].file_id)
    if message.document is not None:
        name = message.document.file_name or "tai-lieu"
        return BroadcastFile(FileKind.DOCUMENT, name[:FILE_NAME_LIMIT], message.document.file_id)
    return None


def inbound_message(update: Update, username: str) -> Inbound | None:
    """The channel-neutral view of a private message; None for anything without a sender."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    base = Inbound(
        Channel.TELEGRAM,
        str(user.id),
        str(message.chat_id),
        Kind.OTHER,
        message_id=str(message.message_id),
    )
    if message.contact is not None:
        contact = message.contact
        owner = str(contact.user_id) if contact.user_id is not None else None
        return replace(base, kind=Kind.CONTACT, contact=Contact(owner, contact.phone_number))
    command = _command(message, username)
    if command is not None:
        word, args = command
        return replace(base, kind=Kind.COMMAND, text=message.text or "", command=word, args=args)
    if message.text is not None:
        return replace(base, kind=Kind.TEXT, text=message.text, html=message.text_html)
    picture = message.photo[-1].file_id if message.photo else ""
    return replace(
        base,
        text=message.caption or "",
        html=message.caption_html or "",
        file=_file(message),
        picture=picture,
    )


def inbound_press(update: Update) -> Inbound | None:
    """The channel-neutral view of a button press."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return None
    chat = update.effective_chat
    return Inbound(
        channel=Channel.TELEGRAM,
        user_id=str(user.id),
        chat_id=str(chat.id) if chat is not None else "",
        kind=Kind.PRESS,
        data=query.data or "",
    )


def telegram_handlers(
    conversation: Conversation, catalog: Catalog, screens: Screens
) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    """Two PTB handlers: private messages, and button presses; the conversation routes both."""

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Hand a private message to the conversation."""
        inbound = inbound_message(update, context.bot.username)
        if inbound is not None:
            await conversation.handle(inbound, TelegramTurn(update, context, catalog, screens))

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Hand a button press to the conversation."""
        inbound = inbound_press(update)
        if inbound is not None:
            await conversation.handle(inbound, TelegramTurn(update, context, catalog, screens))

    return [MessageHandler(PRIVATE, on_message), CallbackQueryHandler(on_press)]


def error_handler(
    presenter: Presenter, failed: Callable[[object], None] | None = None
) -> Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """Log an unexpected error and tell the person, without exposing details; ``failed`` is
    told which update it was (the metrics count it as an error)."""

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling an update", exc_info=context.error)
        if failed is not None:
            failed(update)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await send(context.bot, update.effective_chat.id, presenter.bare("common.error"))
            except Exception:  # the error may be that Telegram is unreachable
                log.warning("could not tell the user about the error", exc_info=True)

    return on_error
