"""The plan router: open, typed answers, button presses, /huy, filling for someone."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.callbacks import DeskCode, DeskPress, PlanCode, PlanPress, number
from bot.domain.models import Person
from bot.domain.pending import FillingFor, Pending
from bot.services.plan_view import PlanPresenter
from bot.services.plans import PlanScreen, PlanService, Visit
from bot.services.proxy import ProxyEnded, ProxyService
from bot.services.replies import Presenter
from handlers.inbound import Inbound, Turn


class PlanRouter:
    """Each update acts only on the person's own plan, or on the plan of the person they are
    filling for (re-checked at every update by the proxy service)."""

    def __init__(
        self,
        plans: PlanService,
        view: PlanPresenter,
        presenter: Presenter,
        proxy: ProxyService,
    ) -> None:
        self._plans = plans
        self._view = view
        self._presenter = presenter
        self._proxy = proxy

    async def _show(self, turn: Turn, screen: PlanScreen, actor: Person | None = None) -> None:
        shown = replace(screen, actor=actor) if actor is not None else screen
        shown = await self._plans.with_last_year(await self._plans.with_proxy(shown))
        await turn.screen(self._view.render(shown))  # the step before loses its buttons

    async def _filling_for(
        self, person: Person, pending: Pending | None
    ) -> Person | ProxyEnded | None:
        """The person whose plan ``person`` is typing, when filling by proxy (or why that
        session just ended)."""
        if not isinstance(pending, FillingFor):
            return None
        return await self._proxy.session(person, pending)

    async def _ended(self, turn: Turn, person: Person, ended: ProxyEnded, typed: str = "") -> None:
        """Say why the proxy session ended; what was just typed is shown back, not lost."""
        if ended.member is None:
            await turn.reply(self._presenter.simple("plan.proxy_over", person))
            return
        text = self._view.proxy_ended(ended.member, typed)
        await turn.reply(self._presenter.with_menu(text, person))

    async def open(self, turn: Turn, person: Person, pending: Pending | None) -> None:
        """Start or resume the member's own plan (ending any filling for someone else)."""
        if isinstance(pending, FillingFor):
            await self._proxy.stop(person)
        await self._show(turn, await self._plans.open(person))

    async def pause(self, turn: Turn, person: Person, pending: Pending | None) -> None:
        """/huy: keep the draft and leave the form (or stop filling for someone)."""
        if isinstance(pending, FillingFor) and self._proxy.may_use(person):
            await self._proxy.stop(person)
            await turn.reply(self._presenter.simple("plan.proxy_stopped", person))
        elif await self._plans.pause(person):
            await turn.reply(self._presenter.with_menu(self._view.paused_text(), person))
        else:
            await turn.reply(self._presenter.menu(person))

    async def text(self, inbound: Inbound, turn: Turn, person: Person, visit: Visit) -> bool:
        """A typed answer while the form is open; False when the member is not in a form."""
        member = await self._filling_for(person, visit.pending)
        if isinstance(member, ProxyEnded):  # never taken as the typist's own answer
            await self._ended(turn, person, member, inbound.text)
            return True
        if member is not None:
            screen = await self._plans.text(
                member, inbound.text, actor=person, source=inbound.source
            )
        else:
            screen = await self._plans.text(
                person, inbound.text, visit.current, source=inbound.source
            )
        if screen is None:
            return False
        await self._show(turn, screen, person if member is not None else None)
        return True

    async def not_text(self, turn: Turn, person: Person, pending: Pending | None) -> bool:
        """A photo, sticker or file while in the form: ask again; False when not in a form."""
        member = await self._filling_for(person, pending)
        if isinstance(member, ProxyEnded):
            await self._ended(turn, person, member)
            return True
        screen = await self._plans.not_text(member or person)
        if screen is None:
            return False
        await self._show(turn, screen, person if member is not None else None)
        return True

    async def press(self, turn: Turn, press: PlanPress | None, visit: Visit) -> None:
        """A plan button: re-checked against the presser's own plan and its current step."""
        person = visit.person
        if press is None or person is None or not person.active:
            await turn.toast(self._presenter.plain("common.stale_button"))
            reply = (
                self._presenter.menu(person)
                if person and person.active
                else self._presenter.need_signin(turn.capabilities.contact_sharing)
            )
            await turn.reply(reply)
            return
        if press.owner is None:  # the presser's own plan
            await turn.toast()
            if press.code is PlanCode.DOCUMENT:
                await turn.working()  # the DOCX is being made
            screen = await self._plans.act(person, press.rev, press.code, press.arg, visit.current)
            await self._show(turn, screen)
            return
        member = await self._filling_for(person, visit.pending)
        if isinstance(member, ProxyEnded) and member.member is not None:
            await turn.toast()
            await self._ended(turn, person, member)
            return
        if not isinstance(member, Person) or member.id != press.owner:  # that session is over
            await turn.toast(self._presenter.plain("common.stale_button"))
            await turn.reply(self._presenter.simple("plan.proxy_over", person))
            return
        await turn.toast()
        if press.code is PlanCode.DOCUMENT:
            await turn.working()
        screen = await self._plans.act(member, press.rev, press.code, press.arg, actor=person)
        await self._show(turn, screen, person)

    async def proxy(self, turn: Turn, person: Person, press: DeskPress) -> None:
        """The desk's "fill for someone" buttons: the list of people, then the chosen one's plan."""
        code, arg = press.code, press.arg
        if code is DeskCode.PROXY_FILL and (person_id := number(arg)) is not None:
            member = await self._proxy.start(person, person_id)
            if member is not None:
                await self._show(turn, await self._plans.open(member), person)
                return
            reply = self._presenter.simple("common.no_right", person)
        else:
            listing = await self._proxy.candidates(person, number(arg) or 0)
            reply = (
                self._view.proxy_list(listing)
                if listing is not None
                else self._presenter.simple("common.no_right", person)
            )
        await turn.reply(reply)
