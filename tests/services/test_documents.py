"""The DOCX of a plan is an official paper: page, header, date line, body, signature blocks."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table
from lxml import etree

from bot.domain.engine import Draft
from bot.domain.forms import FormDef, Group
from bot.domain.models import Category, Exemption, Person
from bot.domain.paper import LAYOUT, date_parts
from bot.domain.plans import Campaign, Confirmation, Plan, PlanStatus
from bot.forms import load_forms
from bot.locales import Catalog
from bot.office.documents import DocxRenderer
from bot.sandbox.harness import sample_campaign

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SUBMITTED = datetime(2022, 2, 5, 3, 0, tzinfo=UTC)  # 05/02/2022 10:00 local
NOW = datetime(2022, 4, 20, 3, 0, tzinfo=UTC)
LONG_ACTION = (
    "Thường xuyên đến thăm, nắm tình hình đời sống, tâm tư, nguyện vọng của các hộ dân trong "
    "thôn; kịp thời phản ánh với chi bộ và chính quyền những việc cần giải quyết, việc số {n}"
)


def campaign() -> Campaign:
    data = sample_campaign()
    return Campaign(
        id=1,
        year=data["year"],
        title=data["title"],
        deadline=data["deadline"],
        place=data["place"],
        forms={},
    )


def person(category: Category, unit_path: str, workplace: str = "") -> Person:
    return Person(
        id=7,
        code="DV002",
        full_name="Trần Thị Bình",
        birth_date=date(1988, 9, 2),
        phone=None,
        category=category,
        exemption=Exemption.NONE,
        unit_id=3,
        unit_path=unit_path,
        party_position="Đảng viên",
        gov_position="",
        union_position="",
        roles=frozenset(),
        active=True,
        workplace=workplace,
    )


def answers(form: FormDef, actions: int) -> dict[str, Any]:
    filled: dict[str, Any] = {
        "id.full_name": "Trần Thị Bình",
        "id.birth_date": "02/09/1988",
        "id.work_unit": "Trường Tiểu học Phú Lạc",
        "id.collective": "Khu phố 1",
    }
    for item in form.items():
        if isinstance(item, Group):
            first, *rest = item.fields
            filled[item.key] = [
                {first.key: LONG_ACTION.format(n=n)} | {f.key: f"Cả năm 2022 ({n})" for f in rest}
                for n in range(1, actions + 1)
            ]
        else:
            filled[item.key] = (
                "Nghiên cứu kỹ nội dung chuyên đề năm 2022 qua tài liệu của Ban Tuyên giáo; "
                "dự đầy đủ buổi quán triệt của chi bộ; tự học mỗi tuần một buổi."
            )
    return filled


def plan(form: FormDef, actions: int = 2, status: PlanStatus = PlanStatus.SUBMITTED) -> Plan:
    return Plan(
        id=1,
        person_id=7,
        campaign_id=1,
        form_id=form.id,
        form_version=form.version,
        status=status,
        draft=Draft(answers=answers(form, actions), position="review"),
        rev=1,
        late=False,
        voluntary=False,
        return_comment="",
        submitted_at=SUBMITTED,
        updated_at=SUBMITTED,
    )


PEOPLE = {
    "mau_01": ("Đảng bộ xã Phú Lạc / Chi bộ thôn Lạc Trị", Category.PARTY_MEMBER),
    "mau_2a": ("Đảng bộ xã Phú Lạc / UBND xã Phú Lạc", Category.STAFF),
    "mau_2b": ("Đảng bộ xã Phú Lạc / Khu phố 1", Category.INDIVIDUAL),
}


def render(
    form_id: str, actions: int = 2, confirmed: Confirmation | None = None, **status: PlanStatus
) -> bytes:
    form = load_forms()[form_id]
    path, category = PEOPLE[form_id]
    renderer = DocxRenderer(Catalog.load(), TZ)
    return renderer(
        form, campaign(), person(category, path), plan(form, actions, **status), NOW, confirmed
    )


def open_docx(content: bytes) -> DocxDocument:
    return Document(io.BytesIO(content))


def texts(table: Table, row: int, column: int) -> list[str]:
    return [p.text for p in table.cell(row, column).paragraphs]


def test_date_line_has_a_leading_zero_for_short_days_and_for_january_and_february_only() -> None:
    assert date_parts(date(2022, 2, 5)) == ("05", "02", "2022")
    assert date_parts(date(2022, 1, 31)) == ("31", "01", "2022")
    assert date_parts(date(2022, 3, 25)) == ("25", "3", "2022")
    assert date_parts(date(2022, 12, 9)) == ("09", "12", "2022")


@pytest.mark.parametrize("form_id", ["mau_01", "mau_2a", "mau_2b"])
def test_page_is_a4_with_official_margins_and_our_properties(form_id: str) -> None:
    document = open_docx(render(form_id))
    [section] = document.sections
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25 and 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20
    properties = document.core_properties
    assert properties.author == "Trần Thị Bình"
    assert "python-docx" not in (properties.comments or "") + (properties.last_modified_by or "")
    form = load_forms()[form_id]
    assert properties.title == f"{form.title} năm 2022"
    assert properties.created == SUBMITTED


def test_party_header_has_the_superior_committee_the_cell_and_a_star() -> None:
    header = open_docx(render("mau_01")).tables[0]
    assert texts(header, 0, 0) == ["ĐẢNG BỘ XÃ PHÚ LẠC", "CHI BỘ THÔN LẠC TRỊ", "*"]
    superior, cell = header.cell(0, 0).paragraphs[:2]
    assert not superior.runs[0].bold and cell.runs[0].bold
    party = header.cell(0, 1).paragraphs[0]
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert party.runs[0].bold and party.runs[0].underline
    assert header.cell(0, 1).paragraphs[-1].text == "Tuy Phong, ngày 05 tháng 02 năm 2022"
    assert header.cell(0, 1).paragraphs[-1].runs[0].italic


@pytest.mark.parametrize("form_id", ["mau_2a", "mau_2b"])
def test_state_header_names_the_unit_itself_with_a_short_line_under_it(form_id: str) -> None:
    header = open_docx(render(form_id)).tables[0]
    unit = PEOPLE[form_id][0].split(" / ")[-1].upper()
    left = header.cell(0, 0).paragraphs
    assert [p.text for p in left if p.text] == [unit]  # never the party committee above it
    assert left[0].runs[0].bold
    rule = left[1]
    assert rule._p.pPr.find(qn("w:pBdr")) is not None and rule.paragraph_format.left_indent
    order = [child.tag for child in rule._p.pPr]  # the schema's order, or Word refuses the file
    assert order.index(qn("w:pBdr")) < order.index(qn("w:spacing")) < order.index(qn("w:jc"))
    right = header.cell(0, 1).paragraphs
    assert [p.text for p in right if p.text][:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert 12 <= right[0].runs[0].font.size.pt <= 13
    assert right[2]._p.pPr.find(qn("w:pBdr")) is not None  # the line under the motto
    # The header table is as wide as the text and the right column holds the long line.
    widths = [c.width.cm for c in header.rows[0].cells]
    assert round(sum(widths), 1) == 16.5 and widths[1] >= 9.5


@pytest.mark.parametrize("form_id", ["mau_01", "mau_2a"])
def test_header_sizes_come_from_the_layout(form_id: str) -> None:
    """ "ĐẢNG CỘNG SẢN VIỆT NAM" and the line under the motto follow ``Layout``, not the code."""
    layout = replace(LAYOUT, party_pt=16, motto_rule_cm=4.0)
    form = load_forms()[form_id]
    path, category = PEOPLE[form_id]
    renderer = DocxRenderer(Catalog.load(), TZ, layout)
    content = renderer(form, campaign(), person(category, path), plan(form, 2), NOW)
    right = open_docx(content).tables[0].cell(0, 1).paragraphs
    if form_id == "mau_01":
        assert right[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM" and right[0].runs[0].font.size.pt == 16
    else:
        rule = right[2]
        assert rule._p.pPr.find(qn("w:pBdr")) is not None
        right_cm = layout.text_width_mm / 10 - layout.header_left_cm
        side = (right_cm - 0.4 - 4.0) / 2
        assert round(rule.paragraph_format.left_indent.cm, 2) == round(side, 2)
        assert round(rule.paragraph_format.right_indent.cm, 2) == round(side, 2)


def test_title_carries_the_year_topic_not_the_whole_term_one() -> None:
    document = open_docx(render("mau_01"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        "Chuyên đề năm 2022: “Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về "
        "xây dựng đội ngũ cán bộ, đảng viên gương mẫu, có đạo đức cách mạng trong sáng, đủ năng "
        "lực, đáp ứng yêu cầu nhiệm vụ”" in text
    )
    assert "khát vọng phát triển đất nước" not in text


def test_body_is_justified_indented_spaced_with_page_numbers_from_page_two() -> None:
    document = open_docx(render("mau_01"))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and 13 <= normal.font.size.pt <= 14
    body = normal.paragraph_format
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert 0.9 <= body.first_line_indent.cm <= 1.3
    assert body.space_after.pt == 6 and 1.15 <= body.line_spacing <= 1.5
    [section] = document.sections
    assert section.different_first_page_header_footer
    assert not section.first_page_header.paragraphs[0].text
    number = section.header.paragraphs[0]
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" in "".join(t.text for t in number._p.iter(qn("w:instrText")))
    headings = [p for p in document.paragraphs if p.text.startswith(("I. ", "II. ", "III. "))]
    assert len(headings) == 3 and all(h.paragraph_format.keep_with_next for h in headings)
    actions = document.tables[1]
    assert actions.rows[0].cells[0].text == "STT"
    assert actions.rows[0].cells[0].width.cm <= 1.5 < actions.rows[0].cells[1].width.cm


@pytest.mark.parametrize("form_id", ["mau_01", "mau_2a", "mau_2b"])
def test_the_document_is_in_vietnamese_for_the_spelling_checker(form_id: str) -> None:
    """Word checks the text as Vietnamese: the defaults, the Normal style and the theme fonts."""
    with zipfile.ZipFile(io.BytesIO(render(form_id))) as docx:
        styles = etree.fromstring(docx.read("word/styles.xml"))
        settings = etree.fromstring(docx.read("word/settings.xml"))
    w = {"w": W}
    normal = styles.xpath("w:style[@w:styleId='Normal']/w:rPr/w:lang", namespaces=w)
    defaults = styles.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang", namespaces=w)
    assert normal and defaults
    for lang in normal + defaults:
        assert [lang.get(f"{{{W}}}{a}") for a in ("val", "eastAsia", "bidi")] == ["vi-VN"] * 3
    assert not [e for e in styles.iter(f"{{{W}}}lang") if e.get(f"{{{W}}}val") == "en-US"]
    [theme] = settings.xpath("w:themeFontLang", namespaces=w)
    assert theme.get(f"{{{W}}}val") == "vi-VN" and theme.get(f"{{{W}}}eastAsia") == "vi-VN"
    [normal_rpr] = styles.xpath("w:style[@w:styleId='Normal']/w:rPr", namespaces=w)
    order = [etree.QName(child).localname for child in normal_rpr]
    assert order.index("sz") < order.index("lang")  # the schema's order, or Word refuses it


@pytest.mark.parametrize(
    ("form_id", "confirm"),
    [
        ("mau_01", ["XÁC NHẬN CỦA CHI ỦY", "T/M CHI ỦY", "BÍ THƯ"]),
        ("mau_2a", ["XÁC NHẬN CỦA THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"]),
        ("mau_2b", ["XÁC NHẬN CỦA TRƯỞNG THÔN, KHU PHỐ / TỔ CHỨC ĐOÀN THỂ"]),
    ],
)
def test_signature_blocks_stay_whole_and_with_the_commitment(
    form_id: str, confirm: list[str]
) -> None:
    document = open_docx(render(form_id))
    signatures = document.tables[-1]
    left, right = texts(signatures, 0, 0), texts(signatures, 0, 1)
    assert left[: len(confirm) + 1] == [*confirm, "(Ký, ghi rõ họ tên)"]
    assert right[:2] == [load_forms()[form_id].signer, "(Ký, ghi rõ họ tên)"]
    assert right[-1] == "Trần Thị Bình" and right.count("") >= 4 and left.count("") >= 4
    assert signatures.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
    body = document.paragraphs
    start = next(i for i, p in enumerate(body) if p.text.startswith("Tôi xin cam kết"))
    assert all(p.paragraph_format.keep_with_next for p in body[start:])


def test_a_confirmed_plan_shows_who_confirmed_it_and_when() -> None:
    when = datetime(2022, 4, 27, 17, 30, tzinfo=UTC)  # 28/04 00:30 local
    content = render(
        "mau_01", confirmed=Confirmation("Nguyễn Văn An", when), status=PlanStatus.CONFIRMED
    )
    left = texts(open_docx(content).tables[-1], 0, 0)
    assert left[-2:] == ["Nguyễn Văn An", "(Đã xác nhận ngày 28/04/2022)"]
    assert "Nguyễn Văn An" not in "\n".join(texts(open_docx(render("mau_01")).tables[-1], 0, 0))


def test_identity_shows_the_workplace_and_2b_the_year_of_birth_and_collective() -> None:
    one = "\n".join(p.text for p in open_docx(render("mau_01")).paragraphs)
    assert "- Đơn vị công tác: Trường Tiểu học Phú Lạc" in one
    assert "- Sinh hoạt tại chi bộ:" in one
    two_b = "\n".join(p.text for p in open_docx(render("mau_2b")).paragraphs)
    assert "- Năm sinh: 1988" in two_b and "02/09/1988" not in two_b
    assert "- Đăng ký với: Khu phố 1" in two_b
