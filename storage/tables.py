"""Table definitions (SQLAlchemy Core). Migrations create them; tests check both agree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every engine (SQLite stores it naive, so we add UTC back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # the column type guarantees it; a driver did not
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", Integer, ForeignKey("units.id", ondelete="RESTRICT"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("path", Text, nullable=False),
    Column("path_key", Text, nullable=False, unique=True),
    Column("depth", Integer, nullable=False),
)
Index(None, units.c.parent_id)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("full_name", String(120), nullable=False),
    Column("birth_date", Date, nullable=True),
    Column("phone", String(16), nullable=True),
    Column("category", String(20), nullable=False),
    Column("exemption", String(20), nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="RESTRICT"), nullable=False),
    Column("party_position", String(200), nullable=False),
    Column("gov_position", String(200), nullable=False),
    Column("union_position", String(200), nullable=False),
    Column("workplace", String(200), nullable=False, server_default=""),
    # Where proactive messages go (reminders, digests, notices, broadcasts): one copy per person,
    # on this channel; set to the channel of each new link, changeable by the person.
    Column("notify_channel", String(16), nullable=True),
    Column("roles", String(64), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
Index(None, people.c.phone)
Index(None, people.c.unit_id)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("method", String(16), nullable=False),
    Column("linked_at", UtcDateTime(), nullable=False),
    Column("blocked_at", UtcDateTime(), nullable=True),  # the bot got 403: they blocked it
    UniqueConstraint("channel", "user_id"),
    UniqueConstraint("channel", "person_id"),
)

invites = Table(
    "invites",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
    Column("used_by", String(64), nullable=True),
)
Index(None, invites.c.person_id)

signin_failures = Table(
    "signin_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)
Index(None, signin_failures.c.channel, signin_failures.c.user_id, signin_failures.c.at)

settings_kv = Table(
    "settings_kv",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("place", String(120), nullable=False),
    Column("forms", Text, nullable=False),  # JSON: category -> form id
    Column("schedule", Text, nullable=False),  # JSON: reminder rules (bot.domain.schedule)
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

form_versions = Table(
    "form_versions",
    metadata,
    Column("form_id", String(20), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("definition", Text, nullable=False),  # the form as JSON, exactly as plans were written
    Column("created_at", UtcDateTime(), nullable=False),
)

plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("campaign_id", Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("form_id", String(20), nullable=False),
    Column("form_version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("answers", Text, nullable=False),  # JSON
    Column("position", String(80), nullable=False),
    Column("back_to_review", Boolean, nullable=False),
    Column("buffer", Text, nullable=False),
    Column("paused", Boolean, nullable=False),  # left with /huy: typed text is not an answer
    # "chat:message" of the last typed message taken: Telegram may deliver it again after a crash
    Column("last_input", String(60), nullable=False, server_default=""),
    # Answers typed by someone filling the plan for its owner (comma-separated keys), and who
    Column("proxy_keys", String(400), nullable=False, server_default=""),
    Column("proxy_by", Integer, nullable=True),
    Column("rev", Integer, nullable=False),
    Column("late", Boolean, nullable=False),
    Column("voluntary", Boolean, nullable=False),
    Column("return_comment", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=True),
    UniqueConstraint("person_id", "campaign_id"),
)
Index(None, plans.c.campaign_id, plans.c.status)

plan_events = Table(
    "plan_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor_id", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("kind", String(20), nullable=False),
    Column("detail", Text, nullable=False),  # JSON
)
Index(None, plan_events.c.plan_id)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(120), nullable=False, unique=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("payload", Text, nullable=False),  # JSON: what to show (channel-neutral)
    Column("status", String(12), nullable=False),  # queued / sending / sent / failed
    Column("priority", Integer, nullable=False),  # 0: follows a member's own action; 1: the rest
    Column("attempts", Integer, nullable=False),
    Column("not_before", UtcDateTime(), nullable=False),
    Column("error", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    Column("expires_at", UtcDateTime(), nullable=True),  # dropped (expired) if not sent by then
    Column("lease_until", UtcDateTime(), nullable=True),  # a 'sending' row after this is orphaned
    Column("parts_sent", Integer, nullable=False),  # of a long message, parts already delivered
)
Index(None, outbox.c.status, outbox.c.priority, outbox.c.not_before)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("place", String(120), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("status", String(12), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_by", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # What the secretary recorded after its time (0015); outcome NULL: not recorded.
    Column("outcome", String(12), nullable=True),  # held / not_held
    Column("held_on", Date(), nullable=True),
    Column("present", Integer, nullable=True),
    Column("absent", Integer, nullable=True),
    Column("absent_ids", Text, nullable=True),  # JSON list of people ids, from the roster
    Column("reason", Text, nullable=True),
    Column("summary", Text, nullable=True),
    Column("conclusion", Text, nullable=True),
    Column("minutes_file", String(255), nullable=True),  # "<channel>:<file id>"
    Column("recorded_by", Integer, nullable=True),  # a person id (no key: kept if erased)
    Column("recorded_at", UtcDateTime(), nullable=True),
)
Index(None, meetings.c.unit_id, meetings.c.starts_at)

# A meeting being scheduled or recorded step by step: the draft, one per person (0015).
meeting_drafts = Table(
    "meeting_drafts",
    metadata,
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("data", Text, nullable=False),  # JSON of a PlanDraft or RecordDraft
    Column("updated_at", UtcDateTime(), nullable=False),
)
Index(None, meetings.c.starts_at)

occasions = Table(
    "occasions",
    metadata,
    Column("key", String(120), primary_key=True),  # e.g. deadline:2022:T-7
    Column("outcome", String(12), nullable=False),  # sent / skipped / expired
    Column("messages", Integer, nullable=False),
    Column("done_at", UtcDateTime(), nullable=False),
)

pending_inputs = Table(
    "pending_inputs",
    metadata,
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("purpose", String(60), nullable=False),  # what the next typed text is for
    Column("created_at", UtcDateTime(), nullable=False),
)

broadcasts = Table(
    "broadcasts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),  # Telegram HTML, checked when it was written
    Column("audience", String(200), nullable=False),  # as given, e.g. "role:secretary"
    Column("unit_path", Text, nullable=False),  # "" for every unit
    Column("recipients", Integer, nullable=False),
    Column("not_before", UtcDateTime(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # An optional document or photo: Telegram's file id once known, the bytes until then.
    Column("file_kind", String(10), nullable=True),
    Column("file_name", String(255), nullable=True),
    Column("file_id", Text, nullable=True),
    Column("file_data", LargeBinary, nullable=True),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor_id", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("actor", String(160), nullable=False),  # a name, or "command line"
    Column("action", String(30), nullable=False),
    Column("target", String(200), nullable=False),
    Column("detail", Text, nullable=False),
)
Index(None, audit.c.at)

# An erased person's standing per campaign, kept so the counts stay true (``person forget``):
# nothing that names them. Written in the erase's transaction; counted, never listed.
forgotten = Table(
    "forgotten",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("category", String(20), nullable=False),
    Column("exempt", Boolean, nullable=False),
    Column("status", String(16), nullable=True),  # None: had no plan
    Column("late", Boolean, nullable=False),
)
Index(None, forgotten.c.campaign_id, forgotten.c.unit_id)

offered_choices = Table(
    "offered_choices",
    metadata,
    Column("channel", String(16), primary_key=True),
    Column("chat_id", String(64), primary_key=True),
    Column("choices", Text, nullable=False),  # JSON: [[label, callback data], ...] as numbered
    Column("offered_at", UtcDateTime(), nullable=False),
)

# A file published for one person to download (channels without documents: Zalo). The key is
# the SHA-256 of the link's token, never the token: a copy of the database opens no link.
download_links = Table(
    "download_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # hex SHA-256 of the token
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),  # set to the revoking instant on revoke
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("used_count", Integer, nullable=False),
    # Last: SQLite reads the columns before a large value without walking its overflow pages.
    Column("content", LargeBinary, nullable=False),
)
Index(None, download_links.c.person_id)
Index(None, download_links.c.expires_at)

# One-time codes that link a person's second channel (made on Telegram, typed on Zalo, or the
# other way round): short-lived, spent by the first account that types them.
link_codes = Table(
    "link_codes",
    metadata,
    Column("code", String(14), primary_key=True),  # ABCD-EFGH-JKMN, like an invite code
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
)
Index(None, link_codes.c.person_id)

# Progress on the concrete actions of a handed-in plan: one row per update, never changed (the
# latest row of an action is where it stands, the others its history).
progress_updates = Table(
    "progress_updates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
    Column("item", Integer, nullable=False),  # the action's place in the plan's list, from 0
    Column("action", String(500), nullable=False),  # its text when the update was made
    Column("status", String(8), nullable=False),  # done / doing / todo
    Column("note", Text, nullable=False),
    Column("picture", String(1000), nullable=False),  # the channel's reference to a photo, or ""
    Column("picture_channel", String(16), nullable=False),
    Column("by_id", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)
Index(None, progress_updates.c.plan_id, progress_updates.c.item)
# The message that shows a chat's current screen (a step of the form, the review), so the next
# screen can take its buttons away and shrink it to one line, whichever process handles it and
# after a restart. ``folded`` is that line (Telegram HTML); empty: the text stays as it is.
# ``before_*``: the screen this one replaced, as the statement that replaced it found it (so
# that one statement both records a new screen and says which one to fold); NULL: none.
chat_screens = Table(
    "chat_screens",
    metadata,
    Column("channel", String(16), primary_key=True),
    Column("chat_id", String(64), primary_key=True),
    Column("message_id", String(64), nullable=False),
    Column("folded", Text, nullable=False),
    Column("shown_at", UtcDateTime(), nullable=False),
    Column("before_message_id", String(64), nullable=True),
    Column("before_folded", Text, nullable=True),
    Column("before_shown_at", UtcDateTime(), nullable=True),
)
# The study library: a stored file (its bytes until Telegram has it, then its file id too) or a
# link. A removed material keeps its row (and the marks of who studied it) but is no longer shown.
library_items = Table(
    "library_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("audience", String(16), nullable=False),  # all | party | unit
    Column("unit_path", Text, nullable=False),  # the unit of a "unit" audience, else ""
    Column("url", Text, nullable=True),
    Column("file_name", String(255), nullable=True),
    Column("file_id", Text, nullable=True),
    Column("added_by_id", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("added_by", String(160), nullable=False),  # a name, or "command line"
    Column("added_at", UtcDateTime(), nullable=False),
    Column("removed_at", UtcDateTime(), nullable=True),
    # Last: SQLite reads the columns before a large value without walking its overflow pages.
    Column("file_data", LargeBinary, nullable=True),
)

# "Đã học": who marked which material as studied, and when.
library_studied = Table(
    "library_studied",
    metadata,
    Column(
        "item_id",
        Integer,
        ForeignKey("library_items.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
)
Index(None, library_studied.c.person_id)

# Exemplary models (gương điển hình): a nomination of a member (``person_id``; it goes with
# them when they are erased) or of a collective, reviewed by an admin, published once approved.
exemplars = Table(
    "exemplars",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_path", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("who", String(160), nullable=False),
    Column("deed", Text, nullable=False),
    Column("result", Text, nullable=False),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=True),
    Column("photo_id", Text, nullable=True),
    Column("status", String(16), nullable=False),  # pending | returned | approved
    Column("comment", Text, nullable=False, default=""),
    Column("nominated_by_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Column("nominated_by", String(160), nullable=False),
    Column("nominated_at", UtcDateTime(), nullable=False),
    Column("approved_by", String(160), nullable=False, default=""),
    Column("approved_at", UtcDateTime(), nullable=True),
)
Index(None, exemplars.c.status, exemplars.c.year)
# A member's year-end review draft (the commitment part of the bản kiểm điểm): one per person
# and campaign, written in the engine like a plan, against its own form (``kiem_diem``).
year_reviews = Table(
    "year_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("campaign_id", Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("form_id", String(20), nullable=False),
    Column("form_version", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # draft / submitted
    Column("draft", Text, nullable=False),  # JSON: the engine's answers, position, buffer
    Column("rev", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=True),
    UniqueConstraint("person_id", "campaign_id"),
)
# A member's mid-year self-check (issue 17 §3): one per person and campaign, the step they are at
# (an action of the plan, the question, the review) and the self-assessment typed.
midyear_checks = Table(
    "midyear_checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("campaign_id", Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("step", Integer, nullable=False),
    Column("answer", Text, nullable=False),
    Column("status", String(16), nullable=False),  # draft / submitted
    Column("rev", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=True),
    UniqueConstraint("person_id", "campaign_id"),
)

# Every update a channel delivers, recorded before it is acknowledged (a webhook answers 200 only
# once its row has committed), then handled once, one person's ("lane") at a time in ``seq``
# order. Telegram: key and seq are the update_id, lane "t:<sender id>". Done rows are kept a
# while, so a late redelivery is still recognised, then forgotten (``Housekeeping``).
inbox = Table(
    "inbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("key", String(200), nullable=False),
    Column("lane", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("body", Text, nullable=False),  # JSON: the update as delivered
    Column("status", String(12), nullable=False),  # todo / done / dead
    Column("attempts", Integer, nullable=False),  # times taken in hand
    Column("received_at", UtcDateTime(), nullable=False),
    Column("handled_at", UtcDateTime(), nullable=True),
    UniqueConstraint("channel", "key"),
)
Index(
    "ix_inbox_todo_lane_seq",
    inbox.c.lane,
    inbox.c.seq,
    sqlite_where=text("status = 'todo'"),
    postgresql_where=text("status = 'todo'"),
)
Index(None, inbox.c.channel, inbox.c.seq)
Index(None, inbox.c.handled_at)
# Per channel whose seq is the sender's own numbering (Telegram's update_id): every seq at or
# below the mark has been recorded, or its gap was given up after REORDER_HOLD.
inbox_marks = Table(
    "inbox_marks",
    metadata,
    Column("channel", String(16), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("moved_at", UtcDateTime(), nullable=False),  # a mark quiet for long starts afresh
)
