"""The register of address: "đồng chí" to party members, neutral to others, never "bạn"."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from importlib import resources

import pytest

from bot.domain.address import Address, address_labels, address_of
from bot.domain.models import Category, Exemption, Person, Role
from bot.domain.plans import DEFAULT_FORMS, Campaign, Duty, duty_of
from bot.locales import Catalog

# Whole words only, with their diacritics: "Ban Tuyên giáo" and "danh bạ" are other words.
CHUMMY = re.compile(r"(?<!\w)(bạn|mình|nhé)(?!\w)", re.IGNORECASE)

PERSON = Person(
    id=1,
    code="X1",
    full_name="Nguyễn Văn A",
    birth_date=None,
    phone=None,
    category=Category.PARTY_MEMBER,
    exemption=Exemption.NONE,
    unit_id=1,
    unit_path="Đảng bộ xã / Chi bộ thôn 1",
    party_position="",
    gov_position="",
    union_position="",
    roles=frozenset(),
    active=True,
)


def chummy_words(text: str) -> list[str]:
    """The familiar words ("bạn", "mình", "nhé") found in ``text``."""
    return [m.group(0) for m in CHUMMY.finditer(text)]


def test_the_word_matcher_knows_ban_from_ban() -> None:
    """The check matches the pronoun, not "Ban Tuyên giáo" or "danh bạ"."""
    assert chummy_words("Bạn chưa gửi, nhé") == ["Bạn", "nhé"]
    assert chummy_words("Ban Tuyên giáo; danh bạ; bàn bạc; mình") == ["mình"]


def test_no_catalog_text_calls_anyone_ban_or_speaks_as_minh() -> None:
    """No message of the catalog says "bạn", "mình" or "nhé" to anyone."""
    catalog = Catalog.load()
    found = {
        key: chummy_words(catalog.plain(key, **dict.fromkeys(catalog.params(key), "")))
        for key in sorted(catalog.keys())
    }
    assert {key: words for key, words in found.items() if words} == {}


@pytest.mark.parametrize("name", ["mau_01.toml", "mau_2a.toml", "mau_2b.toml"])
def test_form_files_never_say_ban(name: str) -> None:
    """The packaged forms' prompts, hints and examples say no "bạn", "mình" or "nhé"."""
    text = resources.files("bot.forms").joinpath(name).read_text("utf-8")
    assert chummy_words(text) == []


def test_mau_01_asks_comrades_and_2a_2b_ask_neutrally() -> None:
    """Mẫu 01 (party members only) says "Đồng chí"; 2A and 2B use no pronoun at all."""
    from bot.forms import load_forms

    forms = load_forms()
    prompts = {
        form_id: [q.prompt for section in form.sections for q in section.items]
        for form_id, form in forms.items()
    }
    assert DEFAULT_FORMS[Category.PARTY_MEMBER] == "mau_01"
    assert sum("Đồng chí" in p or "đồng chí" in p for p in prompts["mau_01"]) >= 3
    for form_id in ("mau_2a", "mau_2b"):
        text = resources.files("bot.forms").joinpath(f"{form_id}.toml").read_text("utf-8")
        assert "đồng chí" not in text.lower(), form_id


def test_party_members_secretaries_and_admins_are_comrades() -> None:
    """Party members (exempt ones too), secretaries and admins: đồng chí; others: neutral."""
    staff = replace(PERSON, category=Category.STAFF)
    assert address_of(PERSON) is Address.PARTY
    assert address_of(replace(PERSON, exemption=Exemption.RETIRED)) is Address.PARTY
    assert address_of(replace(staff, roles=frozenset({Role.ADMIN}))) is Address.PARTY
    assert address_of(replace(staff, roles=frozenset({Role.SECRETARY}))) is Address.PARTY
    for category in (Category.STAFF, Category.UNION_MEMBER, Category.INDIVIDUAL):
        assert address_of(replace(PERSON, category=category)) is Address.NEUTRAL
    assert address_of(None) is Address.NEUTRAL
    catalog = Catalog.load()
    words = {n: catalog.plain(k) for n, k in address_labels(PERSON).items()}
    assert words == {"you": "đồng chí", "You": "Đồng chí"}
    for key in address_labels(staff).values():
        assert "đồng chí" not in catalog.plain(key).lower()


def test_duty_follows_the_plan_and_the_deadline() -> None:
    """Not started, draft, late, exempt, returned and handed in each get their own line."""
    from bot.domain.engine import Draft
    from bot.domain.plans import Plan, PlanStatus

    campaign = Campaign(1, 2022, "T", date(2022, 4, 30), "Tuy Phong", DEFAULT_FORMS)
    before, after = date(2022, 4, 1), date(2022, 5, 1)
    opened = datetime(2022, 4, 1, tzinfo=UTC)
    plan = Plan(1, 1, 1, "mau_01", 1, PlanStatus.DRAFT, Draft(), 1, False, False, "", None, opened)
    assert duty_of(PERSON, None, campaign, before) is Duty.DUE
    assert duty_of(PERSON, plan, campaign, before) is Duty.DRAFT
    assert duty_of(PERSON, None, campaign, after) is Duty.OVERDUE
    assert duty_of(replace(PERSON, exemption=Exemption.ELDERLY), None, campaign, before) is (
        Duty.EXEMPT
    )
    returned = replace(plan, status=PlanStatus.RETURNED)
    assert duty_of(PERSON, returned, campaign, after) is Duty.RETURNED
    for status in (PlanStatus.SUBMITTED, PlanStatus.CONFIRMED):
        assert duty_of(PERSON, replace(plan, status=status), campaign, before) is Duty.STATUS


def test_reminders_carry_the_button_that_resumes_or_fixes_the_plan() -> None:
    """A deadline reminder says "Làm tiếp"; one about a returned plan says "Sửa ngay"."""
    from bot.domain.callbacks import parse_plan
    from bot.domain.digest import Standing
    from bot.domain.plans import PlanStatus
    from bot.domain.schedule import Occasion
    from bot.services.notices import Notices
    from bot.services.reminders import deadline_messages

    campaign = Campaign(1, 2022, "T", date(2022, 4, 30), "Tuy Phong", DEFAULT_FORMS)
    due = datetime(2022, 4, 16, 1, tzinfo=UTC)
    occasion = Occasion("deadline:2022:T-14", "deadline", due, due, days_left=14)
    people = [
        Standing(n, "A", 1, Exemption.NONE, frozenset(), str(n), False, status)
        for n, status in ((1, PlanStatus.DRAFT), (2, PlanStatus.RETURNED))
    ]
    notices = Notices(Catalog.load())
    labels: dict[int, str] = {}
    for message in deadline_messages(occasion, campaign, people):
        [reply] = notices.render(message.payload)
        [[button]] = reply.choices
        press = parse_plan(button.data)
        assert press is not None and press.code == "go" and press.owner is None
        labels[message.person_id] = button.label
        assert chummy_words(reply.text) == []
    assert labels == {1: "📝 Làm tiếp", 2: "✏️ Sửa ngay"}
