"""Outbox pacing on a hand-driven clock: slots, replies' share of the budget, 429 pauses."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.pacing import MAX_DEBT, SHARED_CEILING, Pacer

CEILING = 8.0  # a power of two keeps every slot exact in floating point
PACES = st.sampled_from([1.0, 2.0, 4.0, 8.0])
SIXTEENTHS = st.integers(0, 32).map(lambda n: n / 16)


class Clock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def pacer(pace: float, ceiling: float = CEILING) -> tuple[Pacer, Clock]:
    """A pacer on its own fake clock."""
    clock = Clock()
    return Pacer(pace, ceiling, monotonic=clock), clock


@pytest.mark.parametrize(("pace", "ceiling"), [(0.0, SHARED_CEILING), (-1.0, 29.0), (1.0, 0.0)])
def test_non_positive_pace_or_ceiling_is_refused(pace: float, ceiling: float) -> None:
    """A pace or ceiling of zero or less raises ValueError."""
    with pytest.raises(ValueError, match="positive"):
        Pacer(pace, ceiling)


def test_reserve_spaces_slots_one_over_pace_apart() -> None:
    """Slots booked at one moment are 1/pace apart, and the backlog shrinks as time passes."""
    outbox, clock = pacer(4.0)
    assert outbox.backlog() == 0.0
    assert [outbox.reserve() for _ in range(4)] == [0.0, 0.25, 0.5, 0.75]
    assert outbox.backlog() == 1.0
    clock.now += 0.5
    assert outbox.backlog() == 0.5 and outbox.reserve() == 0.5
    clock.now += 10
    assert outbox.backlog() == 0.0
    assert [outbox.reserve(), outbox.reserve()] == [0.0, 0.25]  # idle time is not banked


def test_replies_push_the_outbox_back() -> None:
    """Each noted reply takes one slot of the shared budget from the outbox."""
    outbox, _ = pacer(CEILING)
    assert outbox.reserve() == 0.0
    outbox.note_reply()
    outbox.note_reply()
    assert outbox.reserve() == 3 / CEILING
    assert outbox.backlog() <= 4 / CEILING  # its own schedule may catch up


def test_replies_cost_the_outbox_only_their_share_of_the_ceiling() -> None:
    """With 5 replies/s and a 29/s ceiling, a 25/s outbox still sends about 24/s."""
    clock = [0.0]
    outbox = Pacer(25, 29, monotonic=lambda: clock[0])
    rng = random.Random(1)
    replies = sorted(rng.uniform(0, 60) for _ in range(300))
    sent = 0
    while clock[0] < 60:
        due = clock[0] + outbox.delay()
        if replies and replies[0] <= due:
            clock[0] = replies.pop(0)
            outbox.note_reply()
            continue
        clock[0] = due
        outbox.reserve()
        sent += 1
    assert 23.5 <= sent / 60 <= 24.1


def test_reply_debt_never_exceeds_max_debt() -> None:
    """However many replies go out at once, the outbox waits at most MAX_DEBT for its slot."""
    outbox, clock = pacer(4.0)
    for _ in range(1000):
        outbox.note_reply()
    assert outbox.reserve() == MAX_DEBT
    clock.now += MAX_DEBT
    for _ in range(1000):
        outbox.note_reply()
    assert outbox.reserve() == MAX_DEBT


def test_a_known_reply_and_a_full_second_of_outbox_stay_under_the_ceiling() -> None:
    """A reply the pacer was told of, then the outbox at full pace: at most CEILING in a second."""
    outbox, clock = pacer(CEILING)
    start = clock.now
    outbox.note_reply()
    sent = [start]
    while clock.now < start + 1:
        clock.now += outbox.reserve()
        sent.append(clock.now)
    assert sum(1 for moment in sent if start <= moment < start + 1) <= CEILING


@given(PACES, SIXTEENTHS, st.lists(st.integers(2, 32).map(lambda n: n / 16), max_size=20))
def test_outbox_and_replies_it_knew_of_stay_under_the_ceiling(
    pace: float, start: float, gaps: list[float]
) -> None:
    """When the outbox sends, it and what it knew of in the last second are at most CEILING.

    Replies come no faster than the ceiling; the outbox books a slot, waits, sends, books again.
    """
    outbox, clock = pacer(pace)
    replies = [clock.now + sum(gaps[: i + 1]) for i in range(len(gaps))]
    end = clock.now + sum(gaps) + 2
    sent: list[float] = []
    book_at = clock.now + start
    while book_at < end:
        while replies and replies[0] <= book_at:
            clock.now = replies.pop(0)
            outbox.note_reply()
            sent.append(clock.now)
        clock.now = book_at
        slot = book_at + outbox.reserve()
        known = [moment for moment in sent if slot - 1 < moment]
        assert len(known) + 1 <= CEILING, (slot, known)
        while replies and replies[0] < slot:
            sent.append(replies.pop(0))
            clock.now = sent[-1]
            outbox.note_reply()
        sent.append(slot)
        book_at = slot


@given(PACES, st.lists(SIXTEENTHS, max_size=40))
def test_outbox_alone_keeps_its_own_pace(pace: float, waits: list[float]) -> None:
    """Without replies, booked slots are never closer than 1/pace, however bookings are timed."""
    outbox, clock = pacer(pace)
    slots = []
    for wait in waits:
        clock.now += wait
        slots.append(clock.now + outbox.reserve())
    assert all(later - earlier >= 1 / pace for earlier, later in pairwise(slots))


@given(st.sampled_from([2.0, 4.0, 8.0, 16.0, 32.0]), st.integers(0, 64), st.integers(1, 20))
def test_a_reply_never_brings_the_outbox_forward(pace: float, booked: int, replies: int) -> None:
    """The next slot with replies noted is never earlier than the same slot without them."""
    quiet, _ = pacer(pace)
    busy, _ = pacer(pace)
    for _ in range(booked):
        quiet.reserve()
        busy.reserve()
    for _ in range(replies):
        busy.note_reply()
    assert busy.reserve() >= quiet.reserve()


def test_hold_delays_the_next_slot_exactly_until_the_pause_ends() -> None:
    """After a 429 the next slot is at the pause's end, no later, and pacing resumes from there."""
    outbox, clock = pacer(4.0)
    assert outbox.held_for() == 0.0 and outbox.reserve() == 0.0
    clock.now += 0.5
    outbox.hold(3.0)
    outbox.hold(1.0)  # a shorter pause does not shorten the longer one
    assert outbox.held_for() == 3.0
    assert [outbox.reserve(), outbox.reserve()] == [3.0, 3.25]
    clock.now += 2.0
    assert outbox.held_for() == 1.0
    clock.now += 5.0
    assert outbox.held_for() == 0.0 and outbox.reserve() == 0.0


def test_hold_adds_nothing_to_slots_already_later() -> None:
    """A pause ending before the booked backlog does not push the backlog further back."""
    outbox, _ = pacer(4.0)
    for _ in range(8):
        outbox.reserve()
    outbox.hold(1.0)
    assert outbox.held_for() == 1.0
    assert outbox.reserve() == 2.0
