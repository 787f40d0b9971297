"""The composition root: builds storage, services and the Telegram application from Settings."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from telegram import Bot, BotCommand, BotCommandScopeDefault, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults, ExtBot, JobQueue

from bot.config import Settings
from bot.domain.forms import FormDef
from bot.domain.inbox import InboxRow
from bot.domain.menu import GUEST_COMMANDS
from bot.domain.models import Channel
from bot.domain.schedule import Schedule
from bot.forms import load_forms
from bot.locales import Catalog
from bot.logs import guard_personal_data
from bot.services.audit import AuditService
from bot.services.broadcasts import BroadcastService
from bot.services.channels import ChannelPort, Channels
from bot.services.clock import SystemClock
from bot.services.composer import ComposerService
from bot.services.composer_view import ComposerPresenter
from bot.services.desk import DeskService
from bot.services.desk_view import DeskPresenter
from bot.services.digests import DigestService
from bot.services.directory import DirectoryService
from bot.services.downloads import ChatLinks, DownloadService, links_for
from bot.services.housekeeping import Housekeeping
from bot.services.library import LibraryService
from bot.services.library_view import LibraryPresenter
from bot.services.meeting_book import MeetingBook, RecordAsks
from bot.services.meeting_book_view import MeetingBookPresenter
from bot.services.meeting_steps import MeetingSteps
from bot.services.meeting_view import MeetingPresenter
from bot.services.meetings import MeetingService
from bot.services.metrics import Metrics
from bot.services.midyear import MidyearService
from bot.services.midyear_view import MidyearPresenter
from bot.services.models import ModelsService, PlanActions
from bot.services.models_view import ModelsPresenter
from bot.services.notices import Notices
from bot.services.plan_view import PlanPresenter
from bot.services.plans import PlanService
from bot.services.ports import Clock, DocumentRenderer, LaneRunner
from bot.services.progress import ProgressService
from bot.services.progress_view import ProgressPresenter
from bot.services.proxy import ProxyService
from bot.services.reminders import ReminderService
from bot.services.replies import Presenter
from bot.services.review import ReviewService
from bot.services.roster import RosterService
from bot.services.screens import Screens
from bot.services.signin import SigninService
from bot.services.yearend import YearEndService
from bot.services.yearend_view import YearEndPresenter
from handlers.composer import ComposerRouter
from handlers.desk import DeskRouter
from handlers.inbox import ByChannel, Drainer, LocalLanes
from handlers.library import LibraryRouter
from handlers.meetings import MeetingFlows, MeetingRouter
from handlers.menu import MenuRouter
from handlers.midyear import MidyearRouter
from handlers.models import ModelsRouter
from handlers.plan import PlanRouter
from handlers.progress import ProgressRouter
from handlers.routes import Conversation
from handlers.signin import SigninRouter
from handlers.telegram.channel import TelegramChannel
from handlers.telegram.concurrency import InHand, PerPersonUpdateProcessor
from handlers.telegram.polling import confirm, poll, sender_of
from handlers.telegram.transport import AiohttpRequest
from handlers.telegram.updates import error_handler, telegram_handlers
from handlers.web.health import Readiness
from handlers.yearend import YearEndRouter
from scheduler.jobs import Sweeps
from scheduler.pacing import PER_CHAT_GAP, Pacer
from scheduler.sender import OutboxSender
from storage.backup import check_sound
from storage.engine import sqlite_file
from storage.meeting_book_repo import MeetingBookRepository
from storage.midyear_repo import MidyearRepository
from storage.migrate import answers, current_heads, is_current
from storage.store import Store
from storage.yearend_repo import YearReviewRepository

if TYPE_CHECKING:  # imported where used: a bot polling Telegram without WEB_PORT needs none
    from bot.zalo_app import ZaloSide  # Zalo's client and edge
    from handlers.web.server import WebServer  # aiohttp's web server

log = logging.getLogger(__name__)
HTTP_POOL_SIZE = 1024
HTTP_POOL_TIMEOUT = 30.0
REPLY_WAIT_ON_429 = 5.0  # a reply asked to wait this long or less waits and goes out once more
OUTBOX_POOL_SIZE = 64
# People with updates taken from Telegram and not yet handled, at most (``InHand``): beyond it
# the poll waits and the rest stay at Telegram, unconfirmed. Without it 2,000 members typing
# non-stop had ~6,000 updates (objects, tasks, waiting locks) in hand at once. Each person in
# hand costs ~0.2 MB at the peak (their update, its task, a connection's buffers for its calls);
# the CPU is kept busy by far fewer (an update takes ~3 ms of CPU and ~250 ms of round trips).
IN_HAND = 256

TelegramApp = Application[
    ExtBot[None],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]


@dataclass(frozen=True, slots=True)
class Services:
    """Every use-case, wired to one store and one clock."""

    catalog: Catalog
    presenter: Presenter
    signin: SigninService
    roster: RosterService
    directory: DirectoryService
    plans: PlanService
    plan_view: PlanPresenter
    review: ReviewService
    notices: Notices
    audit: AuditService
    broadcasts: BroadcastService
    composer: ComposerService
    composer_view: ComposerPresenter
    desk: DeskService
    desk_view: DeskPresenter
    digests: DigestService
    reminders: ReminderService
    meetings: MeetingService
    meeting_view: MeetingPresenter
    proxy: ProxyService
    meeting_steps: MeetingSteps
    meeting_book: MeetingBook
    meeting_book_view: MeetingBookPresenter
    progress: ProgressService
    progress_view: ProgressPresenter
    screens: Screens
    library: LibraryService
    library_view: LibraryPresenter
    models: ModelsService
    models_view: ModelsPresenter
    yearend: YearEndService
    midyear: MidyearService
    midyear_view: MidyearPresenter


def docx_renderer(catalog: Catalog, tz: ZoneInfo) -> DocumentRenderer:
    """The DOCX renderer, imported when the first document is made: python-docx and lxml are
    not loaded by a bot that is waiting for messages."""
    made: list[DocumentRenderer] = []

    def render(*args: Any, **kwargs: Any) -> bytes:
        if not made:
            from bot.office.documents import DocxRenderer

            made.append(DocxRenderer(catalog, tz))
        return made[0](*args, **kwargs)

    return render


def build_services(
    settings: Settings,
    store: Store,
    clock: Clock,
    catalog: Catalog | None = None,
    forms: Mapping[str, FormDef] | None = None,
) -> Services:
    """Wire the services to ``store``; forms are loaded (and checked) unless given."""
    catalog = catalog or Catalog.load()
    forms = forms if forms is not None else load_forms(settings.forms_dir)
    tz = settings.tz
    renderer = docx_renderer(catalog, settings.tz)
    presenter = Presenter(catalog, settings.support_contact)
    plans = PlanService(
        store.plans,
        store.units,
        store.directory,
        store.accounts,
        forms,
        renderer,
        clock,
        settings.tz,
        done_word=catalog.plain("plan.done_word"),
    )
    audit = AuditService(store.audit, store.roster, store.plans, clock)
    review = ReviewService(store.plans, store.units, store.directory, store.accounts, audit, clock)
    plan_view = PlanPresenter(catalog, settings.tz)
    broadcasts = BroadcastService(
        store.broadcasts, store.units, store.schedule, store.plans, store.directory, audit, clock
    )
    library = LibraryService(
        store.library,
        clock,
        tz,
        plans.campaign_year,
        store.schedule,
        broadcasts,
        tree=store.schedule,
    )
    digests = DigestService(
        store.plans,
        store.schedule,
        store.meetings,
        store.directory,
        store.outbox,
        audit,
        clock,
        tz,
        library=library,  # the report counts who studied the required materials (issue 18)
        models=store.models,  # and the exemplary models of the year per unit (issue 18 §2)
    )
    book = MeetingBookRepository(store.database)
    meetings = MeetingService(
        store.meetings, store.units, store.schedule, store.directory, store.plans, clock, tz
    )
    midyear = MidyearService(
        store.plans, plans, MidyearRepository(store.database), store.progress, store.schedule, clock
    )
    progress = ProgressService(
        store.plans,
        plans,
        store.progress,
        store.schedule,
        store.directory,
        clock,
        tz,
        midyear=midyear,
    )
    composer_view = ComposerPresenter(catalog, presenter, tz, library=True)  # issue 18 §3
    return Services(
        catalog=catalog,
        presenter=presenter,
        signin=SigninService(
            store.accounts, store.outbox, clock, store.link_codes, pending=store.schedule
        ),
        roster=RosterService(store.roster, store.accounts, store.directory, clock, settings.tz),
        directory=DirectoryService(store.directory),
        plans=plans,
        plan_view=plan_view,
        review=review,
        notices=Notices(catalog),
        audit=audit,
        broadcasts=broadcasts,
        composer=ComposerService(
            broadcasts,
            store.schedule,
            store.directory,
            store.schedule,
            clock,
            tz,
            library=library,
            words=composer_view,
        ),
        composer_view=composer_view,
        desk=DeskService(
            store.plans,
            plans,
            review,
            store.directory,
            store.schedule,
            audit,
            clock,
            progress=progress,
            models=store.models,  # the unit export lists the year's exemplary models (issue 18)
            tz=tz,
        ),
        desk_view=DeskPresenter(catalog, presenter, plan_view),
        digests=digests,
        reminders=ReminderService(
            store.plans,
            store.units,
            store.schedule,
            store.meetings,
            store.directory,
            store.outbox,
            digests,
            clock,
            tz,
            asks=RecordAsks(book, tz),
            progress=store.progress,
        ),
        meetings=meetings,
        meeting_view=MeetingPresenter(catalog, presenter, tz),
        meeting_steps=MeetingSteps(meetings, book, store.schedule, store.plans, clock, tz),
        meeting_book=MeetingBook(book, store.meetings, store.schedule, store.plans, clock, tz),
        meeting_book_view=MeetingBookPresenter(catalog, presenter, tz),
        proxy=ProxyService(
            store.plans,
            store.schedule,
            store.accounts,
            store.directory,
            store.schedule,
            review,
            audit,
            clock,
        ),
        progress=progress,
        progress_view=ProgressPresenter(catalog, presenter, tz),
        screens=Screens(store.screens, clock),
        library=library,
        library_view=LibraryPresenter(catalog, presenter, tz),
        models=ModelsService(
            store.models,
            audit,
            store.schedule,
            clock,
            tz,
            plans.campaign_year,
            broadcasts,
            PlanActions(store.plans, plans),
            store.outbox,
            store.accounts.person,
        ),
        models_view=ModelsPresenter(catalog, presenter, tz),
        yearend=YearEndService(
            plans,
            store.plans,
            YearReviewRepository(store.database),
            store.progress,
            store.meetings,
            store.directory,
            renderer,
            catalog,
            clock,
            tz,
            midyear=midyear,
        ),
        midyear=midyear,
        midyear_view=MidyearPresenter(catalog, presenter, tz),
    )


def build_conversation(services: Services) -> Conversation:
    """Every feature router, composed in the order ``handlers.routes`` explains."""
    return Conversation(
        services.plans,
        services.presenter,
        SigninRouter(services.signin, services.presenter, services.plans),
        MenuRouter(services.directory, services.roster, services.signin, services.presenter),
        PlanRouter(services.plans, services.plan_view, services.presenter, services.proxy),
        MeetingRouter(
            services.meetings,
            services.meeting_view,
            services.digests,
            services.notices,
            services.presenter,
            services.catalog,
            MeetingFlows(services.meeting_steps, services.meeting_book, services.meeting_book_view),
        ),
        DeskRouter(services.desk, services.desk_view, services.catalog),
        ComposerRouter(services.composer, services.composer_view),
        ProgressRouter(services.progress, services.progress_view),
        LibraryRouter(services.library, services.library_view, services.presenter),
        ModelsRouter(services.models, services.models_view),
        YearEndRouter(
            services.yearend,
            YearEndPresenter(services.catalog, services.presenter, services.plan_view),
        ),
        MidyearRouter(services.midyear, services.midyear_view),
    )


def build_application(
    settings: Settings,
    services: Services,
    pacer: Pacer | None = None,
    *,
    on_done: Callable[[object], None] | None = None,
    polling: bool = True,
    metrics: Metrics | None = None,
) -> TelegramApp:
    """The python-telegram-bot Application with every route, talking to TELEGRAM_API_URL.

    Replies count against ``pacer`` (the outbox yields to them) and wait out a short 429.
    Without ``polling`` the application has no updater: it is handed its updates (``poll`` on
    SQLite, the inbox's lanes otherwise) and reports each with ``on_done``. ``metrics`` counts
    the updates handled and the 429s.
    """
    metrics = metrics or Metrics()
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    guard_personal_data()  # PTB's DEBUG dumps of updates and calls: no phones, no answers
    root = settings.telegram_api_url
    replies = AiohttpRequest(
        HTTP_POOL_SIZE,
        pool_timeout=HTTP_POOL_TIMEOUT,
        on_send=pacer.note_reply if pacer is not None else None,
        wait_on_429=REPLY_WAIT_ON_429,
        on_429=lambda: metrics.rate_limited(Channel.TELEGRAM),
    )
    processor = PerPersonUpdateProcessor(on_done=on_done, metrics=metrics)
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
        .concurrent_updates(processor)
        # Many people at once: aiohttp instead of PTB's default httpx (see handlers/transport.py),
        # enough connections, and waiting for a free one rather than failing after 1 s.
        .request(replies)
        # Given even without polling: PTB would make its default httpx one, which loads httpx's
        # connection pool (httpcore, anyio, h11) and a TLS context with certifi's CA bundle.
        .get_updates_request(AiohttpRequest(1))
    )
    builder = builder if polling else builder.updater(None)
    application = builder.build()
    conversation = build_conversation(services)
    application.add_handlers(telegram_handlers(conversation, services.catalog, services.screens))
    application.add_error_handler(error_handler(services.presenter, processor.failed))
    return application


async def announce(bot: Bot, services: Services) -> None:
    """After getMe: register the guests' command list and remember the bot's username."""
    commands = [
        BotCommand(cmd.value, services.catalog.plain(f"menu.{cmd.value}")) for cmd in GUEST_COMMANDS
    ]
    await bot.set_my_commands(commands, scope=BotCommandScopeDefault())
    await services.roster.remember_bot_username(bot.username)


def outbox_bot(settings: Settings, metrics: Metrics | None = None) -> ExtBot[None]:
    """A second Bot for the outbox: its own connections, so replies never queue behind it
    (``metrics`` counts its 429s). It also long-polls ``getUpdates`` (``polling.poll``), on
    its own aiohttp connection: without ``get_updates_request`` PTB would make that one call
    through its default httpx transport (~3% of the bot's busy samples under the bench)."""
    on_429 = (lambda: metrics.rate_limited(Channel.TELEGRAM)) if metrics is not None else None
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    root = settings.telegram_api_url
    return ExtBot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=AiohttpRequest(OUTBOX_POOL_SIZE, on_429=on_429),
        # the getUpdates loop (``poll``) runs on this bot: through aiohttp too, and PTB makes
        # no default httpx one (about 3 MB: httpx's pool, anyio, h11, certifi's CA bundle)
        get_updates_request=AiohttpRequest(1),
        defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz),
    )


def build_sender(
    settings: Settings,
    store: Store,
    services: Services,
    bot: Bot | None,
    pacer: Pacer,
    clock: Clock,
    chat_gap: float = PER_CHAT_GAP,
    others: Channels | None = None,
    paces: Mapping[Channel, Pacer] | None = None,
    metrics: Metrics | None = None,
) -> OutboxSender:
    """The outbox sender, reading quiet hours from the open campaign, delivering on Telegram
    through ``bot`` (when it serves Telegram) at ``pacer``'s pace and on the channels of
    ``others`` (their adapters) beside it, each at its own pace (``paces``)."""

    async def schedule() -> Schedule | None:
        campaign = await services.plans.campaign()
        return campaign.schedule if campaign else None

    return OutboxSender(
        store.outbox,
        ({Channel.TELEGRAM: TelegramChannel(bot)} if bot is not None else {}) | dict(others or {}),
        services.notices,
        clock,
        services.plans.plan_document,
        ({Channel.TELEGRAM: pacer} if bot is not None else {}) | dict(paces or {}),
        schedule,
        settings.tz,
        chat_gap,
        services.broadcasts,
        timedelta(seconds=settings.outbox_lease),
        metrics=metrics,
    )


@dataclass(frozen=True, slots=True)
class Downloads:
    """Files as download links (channels without documents) and the web server handing them out:
    ``await downloads.web.start(settings.web_host, settings.web_port)`` … ``stop()``."""

    service: DownloadService
    links: ChatLinks  # the ``Links`` ZaloChannel takes
    web: WebServer | None  # None: nothing is served over HTTP (Telegram polling, no WEB_PORT)


def build_downloads(
    settings: Settings,
    store: Store,
    services: Services,
    clock: Clock,
    readiness: Readiness | None = None,
    metrics: Metrics | None = None,
    served: bool = True,
) -> Downloads:
    """Links of LINK_DAYS starting with PUBLIC_URL (else http://WEB_HOST:WEB_PORT); the web
    server also answers ``/readyz`` with ``readiness`` and ``/metrics`` with ``metrics``.
    Not ``served``: no web server (nor aiohttp's web modules, about 2 MB, are loaded)."""
    lifetime = timedelta(days=settings.link_days)
    service = DownloadService(store.links, store.accounts, services.audit, lifetime)
    links = links_for(service, store.links, settings.download_base, clock)
    if not served:
        return Downloads(service, links, None)
    from handlers.web.server import WebServer, web_app

    app = web_app(service, clock, readiness, metrics, settings.metrics_networks)
    return Downloads(service, links, WebServer(app))


def readiness_of(store: Store, stopping: Callable[[], bool]) -> Readiness:
    """``/readyz``'s checks on ``store``'s database: it answers, its migrations are current
    (the shipped head, read once), and the process is not ``stopping``."""
    heads = current_heads()
    return Readiness(
        lambda: answers(store.database), lambda: is_current(store.database, heads), stopping
    )


@dataclass(frozen=True, slots=True)
class Running:
    """A running bot's parts, for the sandbox that drives it (``serve(..., ready=...)``)."""

    services: Services
    store: Store
    sweeps: Sweeps
    application: TelegramApp
    metrics: Metrics | None = None


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    clock: Clock | None = None,
    ready: Callable[[Running], Awaitable[None]] | None = None,
    catalog: Catalog | None = None,
) -> None:
    """Run the bot until ``stop`` is set; errors propagate to the caller. Telegram updates come
    by long polling, or by webhook with PUBLIC_URL (TELEGRAM_RECEIVE: ``_serve_webhook``); on
    PostgreSQL polling goes through the inbox too, polled by one elected replica
    (``_serve_elected``). ``ready`` is called once everything runs (the sandbox uses it;
    ``chuyende run`` does not). ``catalog``: the one the command line loaded (else it is
    loaded here; ~0.8 MB each).

    One process is one replica: several are several ``chuyende run`` on one PostgreSQL
    (``WORKERS`` above 1 is refused; README "Chạy nhiều máy").
    """
    if settings.workers > 1:
        raise ValueError("WORKERS > 1: run that many replicas (chuyende run) instead")
    clock = clock or SystemClock()
    guard_personal_data()
    database = sqlite_file(settings.database_url)
    if database is not None:  # a damaged file stops here, before anything writes to it
        await asyncio.to_thread(check_sound, database)
    store = await Store.open(settings.database_url)
    store.inbox.hold = timedelta(seconds=settings.reorder_hold)
    try:
        services = build_services(settings, store, clock, catalog)
        await services.plans.register_forms()
        metrics = Metrics(served=settings.serves_web)  # no web server: no /metrics to count for
        metrics.watch_outbox(store.outbox.counts)
        # Not ready from the moment ``stop`` is set (SIGTERM): a proxy drains this replica
        # while the rest stops in order, the web server last (the exit stack below).
        readiness = readiness_of(store, stop.is_set)
        downloads = build_downloads(
            settings, store, services, clock, readiness, metrics, served=settings.serves_web
        )
        web = downloads.web
        wakes = Wakes()  # one lane runner for the Telegram webhook's rows and Zalo's
        hook = telegram_hook(settings, store, clock, web, metrics, wakes)
        async with AsyncExitStack() as stack:
            zalo: ZaloSide | None = None
            if settings.serves_zalo and web is not None:  # Zalo always has the web server
                from bot.zalo_app import zalo_side  # only with Zalo: its client, edge, webhook

                zalo = await stack.enter_async_context(
                    zalo_side(
                        settings,
                        build_conversation(services),
                        downloads.links,
                        web,
                        store.offers,
                        services.presenter,
                        services.catalog,
                        clock,
                        metrics,
                        store.inbox,
                        wakes.wake,
                    )
                )
            if web is not None and not web.started:
                await web.start(settings.web_host, settings.web_port)
                stack.push_async_callback(web.stop)
            await _serve_channels(
                settings,
                services,
                store,
                clock,
                downloads,
                zalo,
                stack,
                stop,
                ready,
                metrics,
                hook,
                wakes,
            )
    finally:
        await store.close()


async def _serve_channels(
    settings: Settings,
    services: Services,
    store: Store,
    clock: Clock,
    downloads: Downloads,
    zalo: ZaloSide | None,
    stack: AsyncExitStack,
    stop: asyncio.Event,
    ready: Callable[[Running], Awaitable[None]] | None,
    metrics: Metrics,
    hook: TelegramHook | None = None,
    wakes: Wakes | None = None,
) -> None:
    """Telegram (when its token is set; by webhook with ``hook``) and Zalo (when it runs) until
    ``stop``; the outbox and the sweeps beside them. Zalo refusing its token stops everything
    with ``TokenRefused``.

    Telegram by webhook (``hook``), else by long polling: on PostgreSQL through the inbox, by
    the replica elected to poll (``_serve_elected``), on SQLite straight into the application
    (``_serve_alone``). The inbox's rows (Telegram's updates but on SQLite, every Zalo event)
    are handled by one lane runner of this process, whose drainer hands each row to its
    channel's handler (``ByChannel``); ``wakes`` is how the receivers reach it."""
    token = settings.telegram_bot_token
    telegram = token is not None and bool(token.get_secret_value().strip())
    if not telegram and zalo is None:
        raise ValueError("neither TELEGRAM_BOT_TOKEN nor ZALO_BOT_TOKEN is set")
    pacer = Pacer(settings.send_pace)
    sender_bot = outbox_bot(settings, metrics) if telegram else None
    if sender_bot is not None:
        await stack.enter_async_context(sender_bot)
        await announce(sender_bot, services)
    if await services.roster.is_empty():
        log.warning(services.catalog.plain("cli.empty_roster"))
    if await services.plans.campaign() is None:
        log.warning(services.catalog.plain("cli.no_campaign_warning"))
    others: dict[Channel, ChannelPort] = {Channel.ZALO: zalo.channel} if zalo else {}
    zalo_pace = settings.zalo_send_pace  # its own lane; one stopwatch for all the pacers
    paces = {Channel.ZALO: Pacer(zalo_pace, zalo_pace, timer=pacer.timer)} if zalo else {}
    sender = build_sender(
        settings,
        store,
        services,
        sender_bot,
        pacer,
        clock,
        others=others,
        paces=paces,
        metrics=metrics,
    )
    housekeeping = Housekeeping(downloads.service, clock, store.inbox)
    sweeps = Sweeps(services.reminders, sender, settings.tz, tidy=housekeeping.tidy)
    wakes = wakes or (hook.wakes if hook is not None else Wakes())
    handles = ByChannel()
    elected = telegram and hook is None and on_postgresql(settings)
    runner = lane_runner(settings, store, clock, handles) if zalo or hook or elected else None
    if zalo is not None:
        from handlers.zalo.updates import CHANNEL as ZALO_CHANNEL

        handles.add(ZALO_CHANNEL, zalo.edge.handle_row)
    halt = asyncio.Event()
    receiving = asyncio.ensure_future(zalo.receive(halt)) if zalo else None
    watch = asyncio.ensure_future(_halt_when(stop, receiving, halt))
    try:
        if sender_bot is None:
            async with _lanes_running(runner, wakes):
                sweeps.start()
                log.info(services.catalog.plain("cli.started_zalo"))
                try:
                    await halt.wait()
                finally:
                    await sweeps.stop()
        elif hook is not None and runner is not None:
            await _serve_webhook(
                settings,
                services,
                store,
                sender_bot,
                pacer,
                sweeps,
                halt,
                ready,
                hook,
                clock,
                runner,
                handles,
                metrics,
            )
        elif elected and runner is not None:
            await _serve_elected(
                settings,
                services,
                store,
                sender_bot,
                pacer,
                sweeps,
                halt,
                ready,
                clock,
                runner,
                handles,
                wakes,
                metrics,
            )
        else:
            async with _lanes_running(runner, wakes):  # Zalo's rows
                await _serve_alone(
                    settings, services, store, sender_bot, pacer, sweeps, halt, ready, metrics
                )
    finally:
        halt.set()
        watch.cancel()
        if receiving is not None:
            await receiving  # its error (a refused token) is what stopped the bot


async def _halt_when(
    stop: asyncio.Event, receiving: asyncio.Future[None] | None, halt: asyncio.Event
) -> None:
    """Set ``halt`` once ``stop`` is set or the Zalo side has stopped receiving."""
    waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(stop.wait())]
    if receiving is not None:
        waits.append(receiving)
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        halt.set()
    finally:
        waits[0].cancel()


async def _serve_alone(
    settings: Settings,
    services: Services,
    store: Store,
    bot: ExtBot[None],
    pacer: Pacer,
    sweeps: Sweeps,
    stop: asyncio.Event,
    ready: Callable[[Running], Awaitable[None]] | None,
    metrics: Metrics,
) -> None:
    """One process on SQLite: ``poll`` feeds the application's queue, the application handles
    each update (the speed path: no inbox row per update).

    Our own loop, not PTB's updater: on a 409 Conflict it stops at once, where PTB's updater
    would retry and, stopping, poll once more and cut the other instance off.
    """
    in_hand = InHand(IN_HAND)
    application = build_application(
        settings, services, pacer, on_done=in_hand.done, polling=False, metrics=metrics
    )
    async with application:

        async def give(updates: list[dict[str, Any]]) -> bool:
            for update in updates:
                metrics.received(Channel.TELEGRAM, "new")
                await in_hand.take(sender_of(update))
                await application.update_queue.put(Update.de_json(update, application.bot))
            return True

        await bot.delete_webhook()
        await application.start()
        sweeps.start()
        log.info(services.catalog.plain("cli.started", username=application.bot.username))
        try:
            if ready is not None:
                await ready(Running(services, store, sweeps, application, metrics))
            await confirm(bot, await poll(bot, give, stop))
        finally:
            await sweeps.stop()
            await application.stop()


class Wakes:
    """The webhook's way to the lane runner, which exists only once the application does: a
    wake before (or after) that goes nowhere, and the row waits for the runner's start sweep."""

    def __init__(self) -> None:
        self.runner: LaneRunner | None = None

    def wake(self, lane: str) -> None:
        if self.runner is not None:
            self.runner.wake(lane)


@dataclass(frozen=True, slots=True)
class TelegramHook:
    """Telegram's webhook mounted on the web server: where Telegram POSTs, with which secret."""

    url: str
    secret: str
    web: WebServer
    wakes: Wakes


def lane_runner(settings: Settings, store: Store, clock: Clock, handles: ByChannel) -> LaneRunner:
    """This process's runner of the inbox's lanes, its drainer handing each row to ``handles``:
    on PostgreSQL replicas share the lanes, procrastinate running one person's drain at a time
    across all of them (storage/lanes_pg.py; its schema at start); else in this process."""
    drainer = Drainer(store.inbox, handles, clock, serves=handles.serves)
    if settings.database_url.startswith("postgresql"):
        from storage.lanes_pg import PgLaneRunner

        return PgLaneRunner(settings, drainer.drain, store.inbox.lanes_with_todo)
    return LocalLanes(drainer.drain, store.inbox.lanes_with_todo, drainer.halt)


async def _start_lanes(runner: LaneRunner, wakes: Wakes) -> None:
    """Start ``runner`` and point ``wakes`` at it: it takes up the rows a former run recorded
    and did not finish (a local runner sweeps them at start, PgLaneRunner's wakes need it
    started and its orphan sweep takes the rest)."""
    if isinstance(runner, LocalLanes):
        wakes.runner = runner
        await runner.start()
    else:
        await runner.start()
        wakes.runner = runner


async def _stop_lanes(runner: LaneRunner, wakes: Wakes) -> None:
    """No more wakes; each lane finishes the row in hand."""
    wakes.runner = None
    await runner.stop()


@asynccontextmanager
async def _lanes_running(runner: LaneRunner | None, wakes: Wakes) -> AsyncIterator[None]:
    """``runner`` running meanwhile (nothing without one)."""
    if runner is None:
        yield
        return
    await _start_lanes(runner, wakes)
    try:
        yield
    finally:
        await _stop_lanes(runner, wakes)


def telegram_hook(
    settings: Settings,
    store: Store,
    clock: Clock,
    web: WebServer | None,
    metrics: Metrics | None = None,
    wakes: Wakes | None = None,
) -> TelegramHook | None:
    """With a Telegram token and the webhook chosen (TELEGRAM_RECEIVE, PUBLIC_URL): ``POST
    /telegram`` on ``web`` (before it starts), recording into the inbox and waking its lane
    with ``wakes``. None: polling."""
    token = settings.telegram_bot_token
    if token is None or not token.get_secret_value().strip() or not settings.telegram_webhook:
        return None
    if settings.public_url is None:
        raise ValueError("TELEGRAM_RECEIVE=webhook needs PUBLIC_URL")
    if web is None:
        raise ValueError("TELEGRAM_RECEIVE=webhook needs the web server")
    from handlers.telegram.webhook import PATH as TELEGRAM_PATH
    from handlers.telegram.webhook import webhook_receiver, webhook_secret

    secret = webhook_secret(token.get_secret_value())
    wakes = wakes or Wakes()
    web.add_post(TELEGRAM_PATH, webhook_receiver(secret, store.inbox, clock, wakes.wake, metrics))
    return TelegramHook(f"{settings.public_url}{TELEGRAM_PATH}", secret, web, wakes)


def on_postgresql(settings: Settings) -> bool:
    """Whether the database is PostgreSQL (replicas may share it)."""
    return settings.database_url.startswith("postgresql")


def row_handler(application: TelegramApp) -> Callable[[InboxRow], Awaitable[None]]:
    """How a lane hands one recorded Telegram update to ``application``."""

    async def handle(row: InboxRow) -> None:
        update = Update.de_json(json.loads(row.body), application.bot)
        # Through the update processor, as PTB's own dispatch does: it counts the update
        # handled (ok, or error when the error handler marked it) in the metrics.
        processor = application.update_processor
        await processor.process_update(update, application.process_update(update))

    return handle


async def _serve_elected(
    settings: Settings,
    services: Services,
    store: Store,
    bot: ExtBot[None],
    pacer: Pacer,
    sweeps: Sweeps,
    stop: asyncio.Event,
    ready: Callable[[Running], Awaitable[None]] | None,
    clock: Clock,
    lanes: LaneRunner,
    handles: ByChannel,
    wakes: Wakes,
    metrics: Metrics,
) -> None:
    """Telegram by long polling on PostgreSQL, where several replicas may run: the one holding
    the poller's lock (``storage/poller_lock.py``) polls and records each batch in the inbox
    before confirming it; every replica's lanes (Zalo's rows too) handle the rows, one person's
    at a time in update_id order, as with the webhook. The others wait to take over."""
    from handlers.telegram.elected import inbox_take, poll_when_elected
    from handlers.telegram.webhook import CHANNEL as TELEGRAM_CHANNEL
    from storage.lanes_pg import conninfo
    from storage.poller_lock import PollerLock, lock_key

    token = settings.telegram_bot_token
    if token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    lock = PollerLock(conninfo(settings.database_url), lock_key(token.get_secret_value()))
    take = inbox_take(store.inbox, clock, wakes.wake, metrics)
    application = build_application(settings, services, pacer, polling=False, metrics=metrics)
    async with application:
        handles.add(TELEGRAM_CHANNEL, row_handler(application))
        await application.start()
        try:
            await _start_lanes(lanes, wakes)  # and the rows a former run left
            sweeps.start()
            log.info(
                services.catalog.plain("pollers.cli.started", username=application.bot.username)
            )
            try:
                if ready is not None:
                    await ready(Running(services, store, sweeps, application, metrics))
                await poll_when_elected(bot, lock, take, stop)
            finally:
                await sweeps.stop()
        finally:
            await _stop_lanes(lanes, wakes)
            if application.running:
                await application.stop()


async def _serve_webhook(
    settings: Settings,
    services: Services,
    store: Store,
    bot: ExtBot[None],
    pacer: Pacer,
    sweeps: Sweeps,
    stop: asyncio.Event,
    ready: Callable[[Running], Awaitable[None]] | None,
    hook: TelegramHook,
    clock: Clock,
    lanes: LaneRunner,
    handles: ByChannel,
    metrics: Metrics | None = None,
) -> None:
    """Telegram by webhook: the web server records each update in the inbox, this process's
    lanes (``lanes``, Zalo's rows too) handle them, one person's at a time in update_id order.

    ``setWebhook`` is made at every start with the same arguments (every replica may); the
    webhook is never deleted, on start or on stop: the updates Telegram holds meanwhile wait
    for the next start (or another replica) instead of being dropped.
    """
    from handlers.telegram.webhook import CHANNEL as TELEGRAM_CHANNEL
    from handlers.telegram.webhook import WEBHOOK_UPDATES

    application = build_application(settings, services, pacer, polling=False, metrics=metrics)
    async with application:
        handles.add(TELEGRAM_CHANNEL, row_handler(application))
        own_web = not hook.web.started  # else the Zalo side started it and stops it
        if own_web:
            await hook.web.start(settings.web_host, settings.web_port)
        try:
            await application.start()
            await _start_lanes(lanes, hook.wakes)  # and the rows a former run left
            await bot.set_webhook(
                hook.url,
                secret_token=hook.secret,
                max_connections=settings.webhook_max_connections,
                allowed_updates=WEBHOOK_UPDATES,
                drop_pending_updates=False,
            )
            sweeps.start()
            log.info(
                services.catalog.plain(
                    "cli.webhook.started", username=application.bot.username, url=hook.url
                )
            )
            try:
                if ready is not None:
                    await ready(Running(services, store, sweeps, application, metrics))
                await stop.wait()
            finally:
                await sweeps.stop()
        finally:
            if own_web:
                await hook.web.stop()  # the requests in flight are recorded first
            await _stop_lanes(lanes, hook.wakes)
            if application.running:
                await application.stop()
