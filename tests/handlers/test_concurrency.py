"""One person's updates in order, different people's at once."""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, Update, User

from handlers.telegram.concurrency import MAX_PENDING_PER_PERSON, InHand, PerPersonUpdateProcessor


def update(update_id: int, user_id: int) -> Update:
    """A button press by ``user_id`` (any update type with a user would do)."""
    user = User(id=user_id, first_name="x", is_bot=False)
    query = CallbackQuery(id=str(update_id), from_user=user, chat_instance="c", data="x")
    return Update(update_id, callback_query=query)


async def test_same_person_in_order_others_in_parallel() -> None:
    """A's second update waits for A's first; B's update finishes while A's first is blocked."""
    processor = PerPersonUpdateProcessor()
    release_a1 = asyncio.Event()
    done: list[str] = []

    async def handle(name: str, gate: asyncio.Event | None = None) -> None:
        if gate is not None:
            await gate.wait()
        done.append(name)

    a1 = asyncio.create_task(processor.process_update(update(1, 1), handle("a1", release_a1)))
    a2 = asyncio.create_task(processor.process_update(update(2, 1), handle("a2")))
    b1 = asyncio.create_task(processor.process_update(update(3, 2), handle("b1")))
    await b1
    assert done == ["b1"]  # B was not held up by A's slow first update
    assert not a2.done()
    release_a1.set()
    await asyncio.gather(a1, a2)
    assert done == ["b1", "a1", "a2"]
    assert processor._locks == {}  # locks are freed once a person has nothing pending


async def test_a_flooding_person_is_capped() -> None:
    """Past the cap one person's extra updates are dropped, not queued without end."""
    processor = PerPersonUpdateProcessor()
    gate = asyncio.Event()
    handled = 0

    async def handle() -> None:
        nonlocal handled
        await gate.wait()
        handled += 1

    tasks = [
        asyncio.create_task(processor.process_update(update(i, 7), handle()))
        for i in range(MAX_PENDING_PER_PERSON + 5)
    ]
    await asyncio.sleep(0)  # one turn of the loop: every task reaches its lock or is dropped
    gate.set()
    await asyncio.gather(*tasks)
    assert handled == MAX_PENDING_PER_PERSON


async def test_in_hand_caps_people_not_updates() -> None:
    """With one place, a person's further updates are taken at once; someone else's first waits
    until every update of the person holding the place has been handled."""
    in_hand = InHand(1)
    await in_hand.take(1)
    await in_hand.take(1)  # the same person: no second place needed
    other = asyncio.create_task(in_hand.take(2))
    await asyncio.sleep(0)
    assert not other.done()
    in_hand.done(update(1, 1))
    await asyncio.sleep(0)
    assert not other.done()  # person 1 still has an update in hand
    in_hand.done(update(2, 1))
    await asyncio.wait_for(other, 1)
    in_hand.done(update(3, 2))


async def test_in_hand_gives_an_update_from_nobody_a_place_of_its_own() -> None:
    """An update without a sender holds a place until it is done."""
    in_hand = InHand(1)
    await in_hand.take(None)
    waiting = asyncio.create_task(in_hand.take(5))
    await asyncio.sleep(0)
    assert not waiting.done()
    in_hand.done(Update(9))
    await asyncio.wait_for(waiting, 1)
