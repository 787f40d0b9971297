"""Members on Zalo for ``bench/conversation.py --channel zalo``: typed invite codes, typed text
and numbers (choices arrive as numbered lines), against the fake Zalo Bot API.

Each event a member sends is answered by exactly one message (checked by the transcript of a
run: a member whose replies do not line up ends as lost), so a member waits for its n-th reply
after its n-th event, as the Telegram members do.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable

from bot.config import Settings
from bot.domain.models import Channel
from bot.domain.plans import Plan
from bot.sandbox.fake_zalo import Call, FakeZaloApi, FakeZaloUser
from bot.services.clock import SystemClock
from storage.store import Store

PATIENCE = 120.0  # seconds a member waits for one reply before the run fails


def user_of(index: int) -> FakeZaloUser:
    """The Zalo user of member ``index`` (ids are hex strings, as Zalo's are)."""
    return FakeZaloUser(id=f"{0x5A1E0000000 + index:020x}", display_name=f"M{index}")


async def invite_codes(db: str, members: int) -> dict[int, str]:
    """Issue the invite codes (as ``chuyende invites`` does); member index -> code."""
    from bot.app import build_services

    store = await Store.open(db, migrate=False)
    try:
        settings = Settings(_env_file=None, telegram_bot_token=None, database_url=db)
        services = build_services(settings, store, SystemClock())
        batch = await services.roster.issue_invites(None, None)
    finally:
        await store.close()
    by_person = {row.person_code: row.code for row in batch.open}
    return {i: by_person[f"P{i}"] for i in range(members)}


class ZaloReplies:
    """Counts the bot's messages per chat and wakes whoever waits for them."""

    def __init__(self) -> None:
        self.count: dict[str, int] = defaultdict(int)
        self.waiters: dict[str, list[tuple[int, asyncio.Future[float]]]] = defaultdict(list)

    def on_call(self, call: Call) -> None:
        """Count a sent message; wake the waiters it satisfies."""
        if call.method != "sendMessage" or call.code != 200:
            return
        chat = str(call.params["chat_id"])
        self.count[chat] += 1
        now = time.perf_counter()
        keep = []
        for target, future in self.waiters[chat]:
            if future.done():
                continue
            if self.count[chat] >= target:
                future.set_result(now)
            else:
                keep.append((target, future))
        self.waiters[chat] = keep

    def wait_for(self, chat: str, target: int) -> asyncio.Future[float]:
        """A future set once ``chat`` has received ``target`` messages."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if self.count[chat] >= target:
            future.set_result(time.perf_counter())
        else:
            self.waiters[chat].append((target, future))
        return future


class ZaloMember:
    """One simulated person on Zalo: types text (alone or in bursts) and times each reply."""

    def __init__(
        self,
        api: FakeZaloApi,
        replies: ZaloReplies,
        index: int,
        code: str,
        latencies: list[float],
        steps: dict[str, list[float]],
        pause: Callable[[], Awaitable[None]],
        network: float = 0.0,
    ) -> None:
        """``network``: seconds each event takes to reach the bot (a webhook POST; polled
        events already wait for a ``getUpdates`` round trip at the server)."""
        self.network = network
        self.api = api
        self.replies = replies
        self.index = index
        self.code = code
        self.user = user_of(index)
        self.latencies = latencies
        self.steps = steps
        self.pause = pause
        self.sent = 0
        self.step = ""

    @property
    def last(self) -> str:
        """The last text the bot sent this member."""
        sent = self.api.sent(self.user.id)
        return sent[-1].text if sent else ""

    async def _push(self, text: str) -> float:
        self.sent += 1
        started = time.perf_counter()
        if self.network:
            await asyncio.sleep(self.network)
        status = await self.api.push(self.api.text(self.user, text))
        if status not in (None, 200):
            raise RuntimeError(f"member {self.index}: the webhook answered {status}")
        return started

    async def _answered(self, target: int, started: float) -> None:
        wait = self.replies.wait_for(self.user.id, target)
        finished = await asyncio.wait_for(wait, PATIENCE)
        self.latencies.append(finished - started)
        self.steps[self.step].append(finished - started)

    async def send(self, text: str) -> None:
        """Type ``text``; wait for its reply."""
        started = await self._push(text)
        await self._answered(self.sent, started)

    async def send_burst(self, *texts: str) -> None:
        """Type several messages without waiting; then wait for as many replies."""
        starts = [await self._push(text) for text in texts]
        first = self.sent - len(starts) + 1
        for target, started in enumerate(starts, start=first):
            await self._answered(target, started)

    async def choose(self, label: str) -> None:
        """Type the number shown before ``label`` in the last message."""
        for line in self.last.splitlines():
            number, _, shown = line.partition(". ")
            if shown == label and number.isdigit():
                await self.send(number)
                return
        raise LookupError(f"member {self.index}: no numbered choice {label!r} in: {self.last!r}")

    def study(self) -> tuple[str, str]:
        """The two pieces of the study answer."""
        return f"Phần 1 học tập của người {self.index},", f"phần 2 học tập của người {self.index}."

    def actions(self) -> list[str]:
        """The two actions typed."""
        return [f"Việc 1 của người {self.index}", f"Việc 2 của người {self.index}"]

    async def fill(self) -> None:
        """Sign in by the invite code, fill the whole Mẫu 01, submit."""
        one, two = self.actions()
        script: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("invite", lambda: self.send(f"/start {self.code}")),
            ("open", lambda: self.send("ke hoach")),
            ("identity", lambda: self.choose("✅ Thông tin đúng")),
            ("study", lambda: self.send_burst(*self.study(), "xong")),
            (
                "shortcomings",
                lambda: self.send_burst(f"Hạn chế của người {self.index} cần khắc phục.", "xong"),
            ),
            ("action", lambda: self.send(one)),
            ("deadline", lambda: self.send("Hằng tháng")),
            ("result", lambda: self.send("Đạt kết quả tốt")),
            ("add", lambda: self.choose("➕ Thêm Việc")),
            ("action", lambda: self.send(two)),
            ("deadline", lambda: self.send("Cả năm")),
            ("result", lambda: self.send("Hoàn thành")),
            ("finish_group", lambda: self.choose("✅ Xong, sang phần tiếp")),
            (
                "solutions",
                lambda: self.send_burst(f"Giải pháp của người {self.index} thật cụ thể.", "xong"),
            ),
            ("skip", lambda: self.choose("⏭ Bỏ qua")),
            ("submit", lambda: self.choose("📨 Gửi kế hoạch")),
        ]
        for step, action in script:
            self.step = step
            await self.pause()
            await action()

    async def echo(self, updates: int) -> None:
        """Send ``updates`` messages, each after the reply to the one before."""
        for n in range(updates):
            await self.pause()
            await self.send(f"tin {n}")


async def zalo_plans(db: str, members: list[ZaloMember]) -> dict[int, Plan | None]:
    """The plan in the open campaign of each member (None: no plan, or not signed in)."""
    store = await Store.open(db, migrate=False)
    found: dict[int, Plan | None] = {}
    try:
        campaign = await store.plans.active_campaign()
        if campaign is None:
            raise LookupError("no open campaign")
        for member in members:
            person = await store.accounts.person_for_account(Channel.ZALO, member.user.id)
            found[member.index] = (
                await store.plans.plan_of(person.id, campaign.id) if person else None
            )
    finally:
        await store.close()
    return found


async def verify_zalo(db: str, members: list[ZaloMember]) -> tuple[int, int]:
    """(lost, misordered), counted as the Telegram run counts them."""
    plans = await zalo_plans(db, members)
    lost = misordered = 0
    for member in members:
        plan = plans[member.index]
        if plan is None or plan.status.value != "submitted":
            lost += 1
            continue
        answers = plan.draft.answers
        expected_study = "\n".join(member.study())
        actions = [a.get("action") for a in answers.get("actions", [])]
        if set(str(answers.get("study", "")).split("\n")) != set(
            expected_study.split("\n")
        ) or sorted(actions) != sorted(member.actions()):
            lost += 1
        elif answers.get("study") != expected_study or actions != member.actions():
            misordered += 1
    return lost, misordered
