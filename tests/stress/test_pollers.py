"""Two polling replicas as real processes on one PostgreSQL, the poller SIGKILLed twice.

One replica holds the poller's lock and long-polls the fake Bot API, recording each batch in
the inbox before confirming it; both replicas' lanes handle the rows. The poller is SIGKILLed
(and started again) twice while members fill forms: the other replica takes over polling, no
acknowledged answer is lost or misplaced, and no live poller is cut off by a 409. See
bench/replicas.py (``python -m bench.replicas --polling`` measures it).
"""

from __future__ import annotations

import pytest

from bench.replicas import fresh_database, replicas_run
from tests.conftest import PG_SKIP, PG_URL
from tests.stress.test_replicas import PATIENCE, QUICK_FAILOVER

MEMBERS = 12


@pytest.mark.skipif(not PG_URL, reason=PG_SKIP)
async def test_the_poller_killed_twice_another_polls_and_nothing_is_lost() -> None:
    """Each kill hands polling to the other replica; every acknowledged answer is stored once
    and in its place, every member hands in, the reminder is queued and sent once."""
    assert PG_URL is not None
    async with fresh_database(PG_URL) as db:
        figures = await replicas_run(
            db,
            replicas=2,
            members=MEMBERS,
            kills=2,
            reminded=5,
            seed=3,
            patience=PATIENCE,
            settings=QUICK_FAILOVER,
            polling=True,
        )
    assert figures["kills"] == 2 and figures["takeover_s"] is not None, figures
    assert figures["pollers"] >= 2, figures  # polling moved to the other replica
    assert figures["conflicts"] == 0, figures  # no 409 fight between the replicas
    assert figures["lost"] == 0 and figures["misplaced"] == 0, figures["samples"]
    assert figures["unfinished"] == 0 and figures["unanswered"] == 0, figures
    assert figures["reminder_occasions"] == 1, figures
    assert figures["reminders_queued"] == 5 and figures["reminders_missing"] == 0, figures
    assert figures["reminders_duplicated"] <= figures["in_flight_at_kills"], figures
