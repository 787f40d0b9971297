"""Logging setup: one format, quiet HTTP libraries, the bot token and personal data never
written out.

At DEBUG python-telegram-bot dumps every update and every Bot API call (``getUpdates`` results,
``sendMessage`` parameters): shared contacts, answers typed into a plan, the review screen. The
``PrivacyFilter`` sits on the loggers where those records are made (a logger's filter also
governs what pytest's ``caplog`` sees) and blanks the values of message fields and every
Vietnamese phone number, whatever the level.
"""

from __future__ import annotations

import logging
import re

# Fields of updates and API calls that carry what people typed or shared, as they appear in a
# dict's repr (``'text': '…'``), JSON (``"text": "…"``) or an object's repr (``text='…'``).
_FIELDS = "text|caption|phone_number|vcard|html|comment|query|question"
_QUOTED = r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\""
PERSONAL_FIELD = re.compile(rf"(?P<key>['\"]?\b(?:{_FIELDS})['\"]?\s*[:=]\s*)(?:{_QUOTED})")
# Any spelling of a Vietnamese number: 0912345678, 84912345678, +84 912 345 678, 0252 3851 234.
PHONE = re.compile(r"(?<![\d+])\+?(?:84|0)[\s.\-]?(?:[35789]|2\d)(?:[\s.\-]?\d){8}(?!\d)")
# A bot token inside an API URL (``.../bot<id>:<secret>/sendMessage``): Telegram's and Zalo's
# tokens are both ``<digits>:<letters, digits, - or _>``; blanked even where no secret is known.
URL_TOKEN = re.compile(r"(?<=/bot)\d+:[A-Za-z0-9_-]+")
# Loggers whose records may carry updates or Bot API payloads, and the bot's own.
GUARDED_PREFIXES = ("telegram", "bot", "handlers", "scheduler", "storage", "aiohttp")


def redact_personal(text: str) -> str:
    """``text`` with message fields blanked, a token in an API URL replaced by ``[token]`` and
    phone numbers by ``[phone]``."""
    text = PERSONAL_FIELD.sub(lambda m: f"{m.group('key')}'[...]'", text)
    text = URL_TOKEN.sub("[token]", text)
    return PHONE.sub("[phone]", text)


class PrivacyFilter(logging.Filter):
    """Blank what people typed or shared, and phone numbers, in every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_personal(message)
        if clean != message:
            record.msg = clean
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_personal(record.exc_text)
        return True


def guard_personal_data() -> None:
    """Put a ``PrivacyFilter`` on every logger of the bot and its libraries (once each)."""
    names = [
        name
        for name in list(logging.Logger.manager.loggerDict)
        if name.split(".")[0] in GUARDED_PREFIXES
    ]
    for name in [*GUARDED_PREFIXES, *names]:
        logger = logging.getLogger(name)
        if not any(isinstance(f, PrivacyFilter) for f in logger.filters):
            logger.addFilter(PrivacyFilter())


class RedactFilter(logging.Filter):
    """Replace a secret in every log record with ``[token]``."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secret:
            return True
        message = record.getMessage()
        if self._secret in message:
            record.msg = message.replace(self._secret, "[token]")
            record.args = None
        # A traceback may quote a URL with the token (an HTTP error's message): format it here,
        # redacted; the handler's formatter uses ``exc_text`` as it is.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self._secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self._secret, "[token]")
        if record.stack_info and self._secret in record.stack_info:
            record.stack_info = record.stack_info.replace(self._secret, "[token]")
        return True


def setup_logging(level: str, secret: str | None, *others: str | None) -> None:
    """Configure the root logger; ``secret`` (the token) and ``others`` (another channel's
    token) are redacted from every record."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    # httpx logs every request URL, which contains the token: keep it to warnings.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    guard_personal_data()
    for handler in logging.getLogger().handlers:  # records of any other logger, on the way out
        handler.addFilter(PrivacyFilter())
    for token in (secret, *others):
        if token:
            for handler in logging.getLogger().handlers:
                handler.addFilter(RedactFilter(token))
