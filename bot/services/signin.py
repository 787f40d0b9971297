"""Sign-in: link a chat account to a roster person by their own phone or an invite code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.invites import new_code, parse_code
from bot.domain.models import Channel, Invite, Person
from bot.domain.outbox import OutboxMessage, Priority
from bot.domain.payloads import Notice, Relinked
from bot.domain.phone import normalize_contact_phone
from bot.domain.signin import Decision, Verdict, decide_contact, decide_invite
from bot.services.ports import (
    AccountStore,
    Clock,
    LinkCodeStore,
    LinkConflict,
    OutboxStore,
    PendingStore,
)

FAILURE_WINDOW = timedelta(hours=1)
LINK_CODE_LIFETIME = timedelta(minutes=30)  # a link code shown in a chat works this long, once


@dataclass(frozen=True, slots=True)
class SigninResult:
    """What happened, and which other chat lost its link (to tell it), if any."""

    decision: Decision
    replaced_chat: str | None = None

    @property
    def linked(self) -> bool:
        """True when this attempt created a link."""
        return self.decision.verdict is Verdict.LINK


class SigninService:
    """Decides with the pure rules and records links."""

    def __init__(
        self,
        accounts: AccountStore,
        outbox: OutboxStore,
        clock: Clock,
        link_codes: LinkCodeStore | None = None,
        pending: PendingStore | None = None,
    ) -> None:
        """``pending``: to tell whoever is filling the plan of a person who signs in."""
        self._accounts = accounts
        self._outbox = outbox
        self._clock = clock
        self._link_codes = link_codes
        self._pending = pending

    async def link_code(self, person: Person) -> tuple[str, timedelta] | None:
        """A fresh one-time code for ``person`` to type on their other channel, and how long
        it works; None when this bot keeps no link codes."""
        if self._link_codes is None or not person.active:
            return None
        code, now = new_code(), self._clock.now()
        await self._link_codes.issue(person.id, code, now, now + LINK_CODE_LIFETIME)
        return code, LINK_CODE_LIFETIME

    async def _linked(self, decision: Decision, replaced_chat: str | None) -> SigninResult:
        """Tell the account that lost the link (through the outbox) and whoever was filling
        the person's plan for them, and report the result."""
        if decision.person is not None:
            await self._proxies_told(decision.person)
        if replaced_chat is not None and decision.person is not None:
            now = self._clock.now()
            notice = OutboxMessage(
                key=f"relinked:{decision.person.id}:{replaced_chat}:{now.isoformat()}",
                person_id=decision.person.id,
                payload=Relinked(template="notify.relinked", to_chat=replaced_chat),
                priority=Priority.URGENT,
            )
            await self._outbox.add([notice], now)
        return SigninResult(decision, replaced_chat)

    async def _proxies_told(self, person: Person) -> None:
        """The person now writes their own plan: those filling it for them are told at once
        (their session ends at their next message, which says the same; the draft is kept)."""
        if self._pending is None:
            return
        now = self._clock.now()
        notices = [
            OutboxMessage(
                key=f"proxy_ended:{person.id}:{viewer}:{now.isoformat()}",
                person_id=viewer,
                payload=Notice(
                    template="notify.tidy.proxy_signed_in", params={"name": person.full_name}
                ),
                priority=Priority.URGENT,
            )
            for viewer in await self._pending.filling_for(person.id)
        ]
        if notices:
            await self._outbox.add(notices, now)

    async def reach(self, person: Person) -> tuple[Channel | None, tuple[Channel, ...]]:
        """Where the person's messages go, and the channels they have linked."""
        return await self._accounts.reach(person.id)

    async def choose_channel(self, person: Person, channel: Channel) -> bool:
        """Send the person's messages on ``channel`` (one they have linked)."""
        return person.active and await self._accounts.choose_channel(person.id, channel)

    async def whoami(self, channel: Channel, user_id: str) -> Person | None:
        """The person linked to this account, active or not."""
        return await self._accounts.person_for_account(channel, user_id)

    async def welcome_back(self, channel: Channel, user_id: str) -> Person | None:
        """/start: whoever blocked the bot and started it again can be reached again."""
        await self._accounts.mark_reachable(channel, user_id)
        return await self.whoami(channel, user_id)

    async def by_contact(
        self, channel: Channel, user_id: str, chat_id: str, contact_user_id: str | None, phone: str
    ) -> SigninResult:
        """Sign in with a shared contact; only the sender's own contact counts."""
        number = normalize_contact_phone(phone)
        matches = await self._accounts.people_by_phone(number) if number else []
        for _ in range(2):
            current = await self.whoami(channel, user_id)
            decision = decide_contact(user_id, contact_user_id, current, matches)
            if decision.verdict is not Verdict.LINK or decision.person is None:
                return SigninResult(decision)
            try:
                replaced = await self._accounts.link(
                    channel,
                    user_id,
                    chat_id,
                    decision.person.id,
                    method="contact",
                    now=self._clock.now(),
                )
            except LinkConflict:
                continue  # linked meanwhile by a parallel update: decide again on fresh state
            return await self._linked(decision, replaced)
        return SigninResult(Decision(Verdict.ALREADY_LINKED, await self.whoami(channel, user_id)))

    async def by_code(
        self, channel: Channel, user_id: str, chat_id: str, text: str
    ) -> SigninResult | None:
        """Sign in with an invite code; None when ``text`` does not look like a code at all."""
        code = parse_code(text)
        if code is None:
            return None
        now = self._clock.now()
        current = await self.whoami(channel, user_id)
        invite = await self._accounts.invite(code)
        linking = invite is None and self._link_codes is not None
        if linking and self._link_codes is not None:  # a code made on the person's other channel
            person_id = await self._link_codes.owner(code, now)
            invite = Invite(code, person_id, used=False) if person_id is not None else None
        owner = await self._accounts.person(invite.person_id) if invite else None
        failures = await self._accounts.count_failures(channel, user_id, now - FAILURE_WINDOW)
        decision = decide_invite(current, invite, owner, failures)
        if decision.verdict is Verdict.BAD_CODE:
            await self._accounts.record_failure(channel, user_id, now)
        if decision.verdict is not Verdict.LINK or decision.person is None:
            return SigninResult(decision)
        if linking and self._link_codes is not None and not await self._link_codes.spend(code, now):
            return SigninResult(Decision(Verdict.BAD_CODE))  # spent by a parallel update
        try:
            replaced = await self._accounts.link(
                channel,
                user_id,
                chat_id,
                decision.person.id,
                method="link" if linking else "invite",
                now=now,
                invite_code=None if linking else code,
            )
        except LinkConflict:
            return SigninResult(Decision(Verdict.BAD_CODE))
        return await self._linked(decision, replaced)
