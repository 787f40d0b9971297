"""Channel-neutral replies: what to show (text, a menu, a contact request), never how."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.domain.address import address_labels
from bot.domain.callbacks import InvitesPress, NotifyPress, ReportPress
from bot.domain.choices import Choice as Choice  # re-exported: replies are made of choices
from bot.domain.choices import label_words
from bot.domain.directory import InviteRow, RosterStats
from bot.domain.menu import Command, commands_for, menu_for
from bot.domain.models import Channel, Exemption, Person
from bot.domain.plans import Campaign, Duty, Plan
from bot.domain.signin import Verdict
from bot.domain.telegram_html import utf16_len
from bot.domain.text import fold
from bot.locales import Catalog, Safe
from bot.services.directory import UnitOverview
from bot.services.signin import SigninResult

TEXT_BUDGET = 3500  # UTF-16 code units per message (as Telegram counts), below its 4096


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent after the text (a download link on channels without documents)."""

    filename: str
    content: bytes
    file_id: str | None = None  # a file Telegram already has: sent by id, ``content`` unused
    caption: Safe | None = None  # what the file is (HTML), shown with it when the text is not


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to show: HTML text, plus choices, the persistent menu or a contact request."""

    text: Safe
    menu: tuple[tuple[Command, str], ...] = ()
    ask_contact: str | None = None  # label of the share-my-number button, when asked
    choices: tuple[tuple[Choice, ...], ...] = ()  # rows of buttons under the text
    document: Attachment | None = None
    photo: Attachment | None = None  # a picture (PNG) shown in the chat, the text as its caption
    # Shown as a screen (``Turn.screen``): the one line this message shrinks to once the next
    # screen replaces it; None: it keeps its text and only loses its buttons.
    folded: Safe | None = None


def fit_lines(lines: Sequence[str], budget: int, overflow: str) -> list[str]:
    """Keep whole lines while they fit ``budget`` (UTF-16 code units); end with ``overflow``."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        size = utf16_len(line) + 1
        if used + size > budget:
            kept.append(overflow.format(count=len(lines) - index))
            break
        kept.append(line)
        used += size
    return kept


class Presenter:
    """Turns service outcomes into replies using the catalog."""

    def __init__(self, catalog: Catalog, support: str | None) -> None:
        self._c = catalog
        self._support = support or catalog.plain("signin.support_default")
        labels = {cmd: catalog.plain(f"menu.{cmd.value}") for cmd in Command}
        self._labels = {fold(label): cmd for cmd, label in labels.items()}
        # the label's words alone: "Kế hoạch của tôi", typed without the button's emoji
        self._label_words = {label_words(label): cmd for cmd, label in labels.items()}
        helps = catalog.plain("zalo.help_words").split(",")
        self._words = {cmd.value: cmd for cmd in Command if cmd is not Command.START} | {
            fold(word).replace(" ", ""): Command.HELP for word in helps if word.strip()
        }

    def command_for_label(self, text: str) -> Command | None:
        """The command whose menu button reads ``text`` (as typed or pressed, or its words
        typed without the emoji, any case, with or without diacritics)."""
        command = self._labels.get(fold(text))
        if command is None and (words := label_words(text)):
            command = self._label_words.get(words)
        return command

    def command_for_word(self, text: str) -> Command | None:
        """The command ``text`` names by its words alone, without the slash, diacritics or
        spaces (``ke hoach``, ``Duyệt``, ``tro giup``): what is typed on a channel without a
        command menu."""
        return self._words.get(fold(text).replace(" ", ""))

    def _menu(self, person: Person | None) -> tuple[tuple[Command, str], ...]:
        return tuple((cmd, self._c.plain(f"menu.{cmd.value}")) for cmd in menu_for(person))

    def _share(self) -> str:
        return self._c.plain("signin.share_button")

    def you(self, person: Person | None, key: str) -> dict[str, str]:
        """The words that fill ``{you}`` / ``{You}`` of template ``key`` for ``person``."""
        wanted = self._c.params(key)
        return {
            name: self._c.plain(word)
            for name, word in address_labels(person).items()
            if name in wanted
        }

    def _ask(self, key: str, **values: object) -> Reply:
        return Reply(self._c.t(key, **values), ask_contact=self._share())

    def welcome(self, contact: bool = True) -> Reply:
        """First contact: explain and ask for the phone number (where a contact can be shared;
        else for the invite code)."""
        if not contact:
            return Reply(self._c.t("signin.welcome_typed"))
        return self._ask("signin.welcome", share_button=self._share())

    def link_code(self, person: Person, code: str, lifetime: timedelta) -> Reply:
        """The one-time code to type on the person's other channel."""
        minutes = int(lifetime.total_seconds() // 60)
        you = self.you(person, "signin.link_code")
        return self.with_menu(
            self._c.t("signin.link_code", code=code, minutes=minutes, **you), person
        )

    def need_signin(self, contact: bool = True) -> Reply:
        """Anything from a person not signed in yet."""
        if not contact:
            return Reply(self._c.t("signin.need_signin_typed"))
        return self._ask("signin.need_signin", share_button=self._share())

    def signin(
        self, result: SigninResult, duty: tuple[Duty, Campaign, Plan | None] | None = None
    ) -> Reply:
        """The outcome of a sign-in attempt, then (when signed in) what the person must do."""
        verdict, person = result.decision.verdict, result.decision.person
        if person is not None and verdict in (Verdict.LINK, Verdict.ALREADY_LINKED):
            key = "signin.linked" if verdict is Verdict.LINK else "signin.already_linked"
            you = self.you(person, key)
            text = self._c.t(key, name=person.full_name, unit=person.unit_path, **you)
            if duty is not None:
                text = Safe(f"{text}\n\n{self.duty(person, *duty)}")
            return self.with_menu(text, person)
        if person is not None and verdict is Verdict.LINKED_TO_OTHER:
            text = self._c.t("signin.linked_to_other", name=person.full_name, support=self._support)
            return self.with_menu(text, person)
        if verdict is Verdict.NOT_OWN_CONTACT:
            return self._ask("signin.not_own_contact", share_button=self._share())
        return self._ask(f"signin.{verdict.value}", support=self._support)

    def duty(self, person: Person, duty: Duty, campaign: Campaign, plan: Plan | None) -> Safe:
        """What ``person`` must do about their plan and by when, naming the button to start."""
        key = f"signin.duty.{duty.value}"
        status = plan.status.value if plan is not None else "draft"
        values: dict[str, object] = {
            **self.you(person, key),
            "deadline": campaign.deadline.strftime("%d/%m/%Y"),
            "button": self._c.plain("menu.kehoach"),
            "reason": self._c.plain(f"label.exemption.{person.exemption.value}"),
            "status": self._c.plain(f"plan.status.{status}"),
        }
        wanted = self._c.params(key)
        return self._c.t(key, **{name: v for name, v in values.items() if name in wanted})

    def with_menu(self, text: Safe, person: Person | None) -> Reply:
        """A text followed by the menu that fits the person's roles."""
        if person is None or not person.active:
            return Reply(text, ask_contact=self._share())
        return Reply(text, menu=self._menu(person))

    def menu(self, person: Person) -> Reply:
        """The menu prompt."""
        return self.with_menu(self._c.t("menu.title"), person)

    def help(self, person: Person | None, contact: bool = True) -> Reply:
        """What this person can do (``contact``: whether their channel can share one)."""
        if person is None or not person.active:
            if not contact:
                return Reply(self._c.t("help.guest_typed", support=self._support))
            return self._ask("help.guest", share_button=self._share(), support=self._support)
        lines = [
            self._c.t(
                "help.command_line", command=cmd.value, label=self._c.plain(f"menu.{cmd.value}")
            )
            for cmd in commands_for(person)
        ]
        return self.with_menu(
            self._c.t("help.member", commands=Safe("\n".join(lines)), support=self._support), person
        )

    def me(
        self,
        person: Person,
        notify: Channel | None = None,
        linked: tuple[Channel, ...] = (),
    ) -> Reply:
        """The person's own card: who the roster says they are, whether a plan is required, and
        where their messages go (with the choice of the other channel when both are linked)."""
        empty = self._c.plain("me.empty")
        if person.exemption is Exemption.NONE:
            duty = self._c.t("me.required", **self.you(person, "me.required"))
        else:
            duty = self._c.t(
                "me.exempt", reason=self._c.plain(f"label.exemption.{person.exemption.value}")
            )
        text = self._c.t(
            "me.card",
            name=person.full_name,
            code=person.code,
            birth=person.birth_date.strftime("%d/%m/%Y") if person.birth_date else empty,
            unit=person.unit_path,
            category=self._c.plain(f"label.category.{person.category.value}"),
            duty=duty,
            party_position=person.party_position or empty,
            gov_position=person.gov_position or empty,
            union_position=person.union_position or empty,
        )
        if notify is None:
            return self.with_menu(text, person)
        name = self._c.plain(f"me.channel.{notify.value}")
        text = Safe(f"{text}\n{self._c.t('me.notify', channel=name)}")
        others = [c for c in linked if c is not notify]
        choices = tuple(
            (Choice(self._c.plain(f"me.notify_on.{c.value}"), NotifyPress(c).pack()),)
            for c in others
        )
        return replace(self.with_menu(text, person), choices=choices)

    def unit(self, viewer: Person, overview: UnitOverview) -> Reply:
        """A secretary's view of who in their unit has not signed in."""
        linked = sum(1 for m in overview.members if m.linked)
        parts: list[str] = [
            self._c.t(
                "unit.summary", unit=overview.unit_path, total=len(overview.members), linked=linked
            )
        ]
        missing = overview.not_linked
        if missing:
            parts.append(self._c.t("unit.not_linked_title", count=len(missing)))
            lines = [
                self._c.t(
                    "unit.not_linked_line",
                    name=m.person.full_name,
                    unit=m.person.unit_path.split(" / ")[-1],
                )
                for m in missing
            ]
            budget = TEXT_BUDGET - sum(utf16_len(p) for p in parts)
            parts.extend(fit_lines(lines, budget, self._c.t("unit.more", count=Safe("{count}"))))
        else:
            parts.append(self._c.t("unit.all_linked"))
            return self.with_menu(Safe("\n".join(parts)), viewer)
        invites = Choice(self._c.plain("unit.invites_button"), InvitesPress().pack())
        return Reply(Safe("\n".join(parts)), choices=((invites,),))

    def district_button(self, past_year: int | None = None) -> tuple[tuple[Choice, ...], ...]:
        """The button under an admin's report that sends the table by unit (and the one for
        the previous year's campaign, when there is one)."""
        rows = [(Choice(self._c.plain("report.button"), ReportPress().pack()),)]
        if past_year is not None:
            label = self._c.plain("report.button_past", year=past_year)
            rows.append((Choice(label, ReportPress(past_year).pack()),))
        return tuple(rows)

    def invites(self, viewer: Person, rows: Sequence[InviteRow], username: str | None) -> Reply:
        """The open invite codes of a unit, each with its t.me link when the bot's name is known."""
        if not rows:
            return self.simple("unit.invites_none", viewer)
        lines = [self._c.t("unit.invites_title", count=len(rows))]
        for row in rows:
            link = f"https://t.me/{username}?start={row.code}" if username else ""
            lines.append(
                self._c.t("unit.invite_line", name=row.full_name, code=row.code, link=link)
            )
        budget = TEXT_BUDGET - 200
        kept = fit_lines(lines, budget, self._c.t("unit.more", count=Safe("{count}")))
        return self.with_menu(Safe("\n".join(kept)), viewer)

    def stats(self, viewer: Person, stats: RosterStats) -> Reply:
        """Roster counts for an admin."""
        if stats.people == 0:
            return self.with_menu(self._c.t("stats.empty_roster"), viewer)
        text = self._c.t(
            "stats.summary",
            units=stats.units,
            people=stats.people,
            inactive=stats.inactive,
            linked=stats.linked,
            party=stats.party,
            staff=stats.staff,
            union=stats.union,
            individual=stats.individual,
            exempt=stats.exempt,
        )
        return self.with_menu(text, viewer)

    def channel_chosen(self, person: Person, channel: Channel) -> Reply:
        """The person's messages go on ``channel`` from now on."""
        name = self._c.plain(f"me.channel.{channel.value}")
        you = self.you(person, "me.chosen")
        return self.with_menu(self._c.t("me.chosen", channel=name, **you), person)

    def bare(self, key: str) -> Reply:
        """A fixed message that leaves the keyboard as it is."""
        return Reply(self._c.t(key))

    def plain(self, key: str) -> str:
        """A fixed short text without markup (toasts, button answers)."""
        return self._c.plain(key)

    def simple(self, key: str, person: Person | None) -> Reply:
        """A fixed message (no placeholders) followed by the right menu."""
        return self.with_menu(self._c.t(key), person)
