"""Logging setup: one format, quiet HTTP libraries, and the bot token never written out."""

from __future__ import annotations

import logging


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


def setup_logging(level: str, secret: str | None) -> None:
    """Configure the root logger; ``secret`` (the token) is redacted from every record."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    # httpx logs every request URL, which contains the token: keep it to warnings.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if secret:
        for handler in logging.getLogger().handlers:
            handler.addFilter(RedactFilter(secret))
