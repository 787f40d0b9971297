"""Settings from the environment and an optional ``.env`` file, read when asked, not at import."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

TOKEN_FORMAT = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,64}$")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///chuyende.db"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """``127.0.0.0/8, ::1, 10.0.0.5`` as networks; ValueError names the first bad one."""
    networks: list[Network] = []
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(item) from None
    return tuple(networks)


def _http_url(value: str) -> str:
    """``value`` without spaces around or a trailing slash; it must start with http(s)://."""
    value = value.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", value):
        raise PydanticCustomError("api_url", "an API URL must start with http(s)://")
    return value


class Settings(BaseSettings):
    """Everything the bot is configured with."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(
        default=None, description="Token from @BotFather; never logged."
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        description="Root of the Bot API server; the bot appends /bot<token>/<method>.",
    )
    database_url: str = Field(default=DEFAULT_DATABASE_URL, description="SQLAlchemy async URL.")
    timezone: str = Field(
        default="Asia/Ho_Chi_Minh", description="Time zone for dates shown and schedules."
    )
    support_contact: str | None = Field(
        default=None, description="Whom people should contact, shown when sign-in fails."
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR.")
    send_pace: float = Field(
        default=25.0,
        gt=0,
        le=30,
        description="Outbox messages per second (Telegram allows about 30 overall).",
    )
    outbox_lease: float = Field(
        default=180.0,
        ge=2,
        le=3600,
        description="Seconds an outbox message stays with the process sending it; if that "
        "process dies, the message is sent again after this long.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=32,
        description="Only 1 (more is refused with what to do instead): several processes are "
        "several `chuyende run` replicas on one PostgreSQL (see the README).",
    )
    forms_dir: Path | None = Field(
        default=None, description="Folder with your own mau_01.toml, mau_2a.toml, mau_2b.toml."
    )
    zalo_bot_token: SecretStr | None = Field(
        default=None, description="Token of the Zalo bot (Zalo Bot Manager); never logged."
    )
    zalo_api_url: str = Field(
        default="https://bot-api.zaloplatforms.com",
        description="Root of the Zalo Bot API; the bot appends /bot<token>/<method>.",
    )
    zalo_send_pace: float = Field(
        default=5.0,
        gt=0,
        le=30,
        description="Zalo messages per second. Zalo publishes no limit (only a 429 when over "
        "it): a cautious guess, raise it once the real quota is known.",
    )
    zalo_polls: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Zalo getUpdates long polls kept open at once (Zalo gives one event per "
        "poll). More is faster, but Zalo does not say it allows concurrent polls, nor that one "
        "person's messages then arrive in order: keep 1 until that is known.",
    )
    public_url: str | None = Field(
        default=None,
        description="Public HTTPS address of the bot's web server; download links start with it "
        "(PUBLIC_URL/d/<token>). Unset: http://WEB_HOST:WEB_PORT.",
    )
    web_host: str = Field(default="127.0.0.1", description="Address the web server listens on.")
    web_port: int = Field(default=8080, ge=1, le=65535, description="Port of the web server.")
    link_days: int = Field(
        default=7, ge=1, le=90, description="Days a download link works before it expires."
    )
    metrics_from: str = Field(
        default="127.0.0.0/8,::1",
        description="Addresses or networks (comma-separated) that may read /metrics; "
        "a request through a proxy never may.",
    )
    # Lanes on PostgreSQL (storage/lanes_pg.py): procrastinate schedules "drain lane P" jobs
    # between replicas; they matter only when DATABASE_URL is PostgreSQL.
    lanes_concurrency: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Lanes one replica drains at once (procrastinate worker concurrency); "
        "one person's lane is drained by one replica at a time whatever this is.",
    )
    lanes_poll: float = Field(
        default=0.2,
        ge=0.05,
        le=60,
        description="Seconds between a replica's looks for lane jobs when no NOTIFY woke it "
        "(procrastinate fetch_job_polling_interval): a wake that found its lane busy waits at "
        "most this long after the lane is free.",
    )
    lanes_listen_notify: bool = Field(
        default=True,
        description="Wake replicas by PostgreSQL LISTEN/NOTIFY when a lane job is deferred "
        "(else they only poll every LANES_POLL seconds).",
    )
    lanes_heartbeat: float = Field(
        default=1.0,
        ge=0.2,
        le=60,
        description="Seconds between a replica's heartbeats in the database.",
    )
    lanes_stalled_after: float = Field(
        default=5.0,
        ge=1,
        le=600,
        description="Seconds without a heartbeat after which a replica counts as dead and "
        "the lane it was draining is given to another (keep it several heartbeats long).",
    )
    lanes_sweep: int = Field(
        default=2,
        ge=1,
        le=30,
        description="Every this many seconds one replica retries the lane jobs of dead ones.",
    )
    lanes_orphan_sweep: int = Field(
        default=5,
        ge=1,
        le=30,
        description="Every this many seconds one replica wakes the lanes with recorded, "
        "unhandled updates (a replica that died between recording and waking).",
    )
    lanes_stop_grace: float = Field(
        default=30.0,
        ge=0,
        le=600,
        description="Seconds a stopping replica waits for the lanes it is draining to finish.",
    )
    telegram_receive: Literal["auto", "poll", "webhook"] = Field(
        default="auto",
        description="How Telegram updates arrive: webhook (Telegram POSTs them to "
        "PUBLIC_URL/telegram; needs PUBLIC_URL), poll (getUpdates), or auto: the webhook when "
        "PUBLIC_URL is set, else polling.",
    )
    webhook_max_connections: int = Field(
        default=40,
        ge=1,
        le=100,
        description="Webhook POSTs Telegram may make at once (setWebhook max_connections).",
    )
    reorder_hold: float = Field(
        default=2.0,
        ge=0,
        le=60,
        description="Seconds an update waits for an earlier one (by update_id) that Telegram "
        "has not delivered yet, before it is handled without it.",
    )

    # The validators raise PydanticCustomError: its type names the message the command line
    # prints (cli.config_error.<type>); the English text is for developers.
    @field_validator("telegram_api_url", "zalo_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None  # PUBLIC_URL= (empty) is the same as unset
        return _http_url(value)

    @field_validator("metrics_from")
    @classmethod
    def _metrics_from(cls, value: str) -> str:
        try:
            parse_networks(value)
        except ValueError as error:
            raise PydanticCustomError(
                "metrics_from", "not an address or network: {item}", {"item": str(error)}
            ) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "time_zone", "unknown time zone {zone}", {"zone": value}
            ) from None
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise PydanticCustomError(
                "log_level", "LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise PydanticCustomError(
                "database_url",
                "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://",
            )
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def download_base(self) -> str:
        """Where download links start: PUBLIC_URL, else the web server's own address."""
        if self.public_url is not None:
            return self.public_url
        host = f"[{self.web_host}]" if ":" in self.web_host else self.web_host
        return f"http://{host}:{self.web_port}"

    @property
    def metrics_networks(self) -> tuple[Network, ...]:
        """The networks of METRICS_FROM."""
        return parse_networks(self.metrics_from)

    @property
    def serves_web(self) -> bool:
        """The web server runs: always with Zalo (its links, its webhook) or PUBLIC_URL; with
        Telegram's polling alone only when WEB_PORT is set (for /healthz, /readyz, /metrics),
        so a polling bot needs no free port unless it is asked to listen."""
        return (
            self.serves_zalo or self.public_url is not None or "web_port" in self.model_fields_set
        )

    @property
    def serves_zalo(self) -> bool:
        """ZALO_BOT_TOKEN is set (and not empty): the bot serves Zalo."""
        return self.zalo_bot_token is not None and bool(self.zalo_bot_token.get_secret_value())

    @property
    def telegram_webhook(self) -> bool:
        """Whether Telegram updates come by webhook (TELEGRAM_RECEIVE, PUBLIC_URL)."""
        if self.telegram_receive == "auto":
            return self.public_url is not None
        return self.telegram_receive == "webhook"

    def token_is_well_formed(self) -> bool:
        """True when a token is set and looks like one BotFather issues."""
        token = self.telegram_bot_token
        return token is not None and bool(TOKEN_FORMAT.match(token.get_secret_value()))
