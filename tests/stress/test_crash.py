"""Real processes killed with SIGKILL while members fill forms and while a broadcast drains.

The short variants run here; ``python -m bench.crash`` (or ``python -m bench --long``) runs the
full ones (500 members, 5,000 recipients). See bench/crash.py for what each checks.
"""

from __future__ import annotations

from pathlib import Path

from bench.crash import broadcast_crash, conversation_crash


async def test_forms_survive_kills_and_resume_where_they_were(tmp_path: Path) -> None:
    """No acknowledged answer lost, none misplaced or doubled, every form handed in."""
    figures = await conversation_crash(tmp_path, members=20, kills=2, seed=7)
    assert figures["kills"] == 2, figures
    assert figures["resumes"] > 0, figures  # the kills did interrupt members
    assert figures["lost"] == 0 and figures["misplaced"] == 0, figures
    assert figures["unfinished"] == 0 and figures["resumed_behind"] == 0, figures


async def test_a_broadcast_reaches_everyone_through_kills(tmp_path: Path) -> None:
    """Every recipient gets it; copies sent twice are at most those in flight at the kills."""
    figures = await broadcast_crash(tmp_path, recipients=100, kills=2, seed=7)
    assert figures["kills"] == 2, figures
    assert figures["missing"] == 0, figures
    assert figures["duplicates"] <= figures["in_flight_at_kills"], figures
