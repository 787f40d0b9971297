"""Random, hostile and huge answers at every question: no crash, no foreign data, valid HTML."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import engine as e
from bot.domain.models import Channel
from bot.sandbox.chat import command_length
from bot.sandbox.harness import Harness

POSITIONS = (
    "identity:full_name",
    "identity:birth_date",
    "q:study",
    "q:shortcomings",
    "g:actions:0:action",
    "g:actions:0:deadline",
    "g:actions:0:result",
    "q:solutions",
    "q:proposals",
)
answers = st.one_of(
    st.text(min_size=1, max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50),
    st.sampled_from(
        [
            "<b>đậm</b> & <i>",
            "</code><script>alert(1)</script>",
            "&amp; &lt; &#x1F600;",
            "😀🇻🇳👨‍👩‍👧" * 30,
            "x" * 4096,
            "a\u0000b\u202ec\r\nd",
            "15/03/1975",
            "xong",
            "1",
            "/",
            "/huy",
            "/đi học",
        ]
    ),
)


@settings(
    deadline=None, max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=answers)
async def test_every_question_takes_any_text_safely(bot: Harness, text: str) -> None:
    """Whatever is typed at whichever question, the stored value is only what was typed."""
    await bot.open_campaign()
    chat = bot.chat("Bình", phone="0987654321", user_id=7001)
    person = await bot.services.signin.whoami(Channel.TELEGRAM, "7001")
    if person is None:
        await chat.share_contact()
        person = await bot.services.signin.whoami(Channel.TELEGRAM, "7001")
    assert person is not None
    await chat.press("📝 Kế hoạch của tôi")
    campaign = await bot.services.plans.campaign()
    assert campaign is not None
    for position in POSITIONS:
        plan = await bot.store.plans.plan_of(person.id, campaign.id)
        assert plan is not None
        plan = await bot.store.plans.save_draft(
            plan, replace(plan.draft, position=position, buffer=""), bot.clock.now()
        )
        assert plan is not None
        await chat.send(text)
        after = await bot.store.plans.plan_of(person.id, campaign.id)
        assert after is not None
        form = bot.services.plans.form("mau_01")
        field = (
            e.identity_field(form, position.split(":")[1])
            if position.startswith("identity:")
            else None
        )
        target = field or e.question_at(form, position)
        assert target is not None
        changed = {k: v for k, v in after.draft.answers.items() if v != plan.draft.answers.get(k)}
        if command_length(text):  # Telegram sends "/word…" as a command: never an answer
            assert not changed, changed
            continue
        if getattr(target, "kind", "") == "long_text":
            # a piece of a long answer is kept aside as typed (cleaned); "xong" is a command
            assert not changed
            assert after.draft.buffer in ("", e.clean(text))
            continue
        expected = e.validate(target, text)
        if isinstance(expected, e.Invalid):
            assert not changed, changed
            continue
        parts = position.split(":")
        if parts[0] == "identity":
            stored = after.draft.answers[f"id.{parts[1]}"]
        elif parts[0] == "q":
            stored = after.draft.answers[parts[1]]
        else:
            stored = after.draft.answers[parts[1]][0][parts[3]]
        assert stored == expected, (position, stored, text)
    assert bot.errors == []
    assert bot.api.rejected() == []
