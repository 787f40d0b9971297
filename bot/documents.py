"""The filled form as a DOCX in the official layout (python-docx)."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from bot.domain import engine as e
from bot.domain.forms import FormDef, Group, Question
from bot.domain.models import Person
from bot.domain.plans import Campaign, Plan
from bot.domain.text import scrub
from bot.locales import Catalog

FONT = "Times New Roman"


def _font(document: DocxDocument) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _line(
    target: DocxDocument | _Cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    center: bool = False,
    size: int | None = None,
) -> Paragraph:
    paragraph = target.add_paragraph()
    run = paragraph.add_run(scrub(text))  # rows stored before text was scrubbed at the door
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(2)
    return paragraph


class DocxRenderer:
    """Renders a plan; every fixed wording comes from the catalog or the form file."""

    def __init__(self, catalog: Catalog, tz: ZoneInfo) -> None:
        self._c = catalog
        self._tz = tz

    def __call__(
        self, form: FormDef, campaign: Campaign, person: Person, plan: Plan, now: datetime
    ) -> bytes:
        """The DOCX bytes of ``plan``."""
        document = Document()
        _font(document)
        for page in document.sections:
            page.top_margin, page.bottom_margin = Cm(2), Cm(2)
            page.left_margin, page.right_margin = Cm(3), Cm(1.5)
        when = (plan.submitted_at or now).astimezone(self._tz)
        self._header(document, form, campaign, person, when)
        self._title(document, form, campaign)
        answers = plan.draft.answers
        for field in form.identity:
            value = str(answers.get(f"id.{field.key}", "")) or self._c.plain("document.blank")
            _line(document, self._c.plain("document.identity_line", label=field.label, value=value))
        for section in form.sections:
            _line(document, f"{section.number}. {section.title}", bold=True)
            numbered = len(section.items) > 1
            for index, item in enumerate(section.items, start=1):
                if isinstance(item, Question):
                    self._question(document, item, answers, index if numbered else 0)
                else:
                    self._group(document, item, answers, index if numbered else 0)
        _line(document, form.commitment)
        self._signatures(document, form, answers)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    def _header(
        self,
        document: DocxDocument,
        form: FormDef,
        campaign: Campaign,
        person: Person,
        when: datetime,
    ) -> None:
        path = person.unit_path.split(" / ")
        table = document.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = table.rows[0].cells
        left.paragraphs[0].text = ""
        if len(path) > 1:
            _line(left, path[-2].upper(), center=True, size=12)
        _line(left, path[-1].upper(), bold=True, center=True, size=12)
        _line(left, "*" if form.header == "party" else "", center=True, size=12)
        right.paragraphs[0].text = ""
        if form.header == "party":
            _line(
                right,
                self._c.plain("document.party"),
                bold=True,
                underline=True,
                center=True,
                size=13,
            )
        else:
            _line(right, self._c.plain("document.state"), bold=True, center=True, size=12)
            _line(
                right,
                self._c.plain("document.state_motto"),
                bold=True,
                underline=True,
                center=True,
                size=13,
            )
        date_line = self._c.plain(
            "document.date_line",
            place=campaign.place,
            day=f"{when.day:02d}",
            month=when.month,
            year=when.year,
        )
        _line(right, date_line, italic=True, center=True, size=13)

    def _title(self, document: DocxDocument, form: FormDef, campaign: Campaign) -> None:
        _line(document, "")
        _line(document, form.title, bold=True, center=True, size=14)
        _line(document, form.subtitle.replace("{year}", str(campaign.year)), bold=True, center=True)
        topic = self._c.plain("document.topic", year=campaign.year, title=campaign.title)
        _line(document, topic, italic=True, center=True)
        _line(document, "")

    def _question(
        self, document: DocxDocument, question: Question, answers: e.Answers, number: int
    ) -> None:
        value = str(answers.get(question.key, ""))
        if number:
            _line(document, f"{number}. {question.label}", italic=True)
        for paragraph in (value or self._c.plain("document.blank")).split("\n"):
            _line(document, paragraph)

    def _group(self, document: DocxDocument, group: Group, answers: e.Answers, number: int) -> None:
        if number:
            _line(document, f"{number}. {group.label}", italic=True)
        items = e.group_items(answers, group)
        table = document.add_table(rows=1, cols=len(group.fields) + 1)
        table.style = "Table Grid"
        heads = [self._c.plain("document.number_column"), *(f.label for f in group.fields)]
        for cell, head in zip(table.rows[0].cells, heads, strict=True):
            cell.paragraphs[0].text = ""
            cell.paragraphs[0].add_run(head).bold = True
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for index, item in enumerate(items, start=1):
            cells = table.add_row().cells
            cells[0].text = str(index)
            cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            for cell, field in zip(cells[1:], group.fields, strict=True):
                cell.text = scrub(item.get(field.key, ""))
        widths = [Cm(1.2)] + [Cm(15.3 / len(group.fields))] * len(group.fields)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
        _line(document, "")

    def _signatures(self, document: DocxDocument, form: FormDef, answers: e.Answers) -> None:
        _line(document, "")
        table = document.add_table(rows=1, cols=2)
        left, right = table.rows[0].cells
        left.paragraphs[0].text = ""
        _line(left, form.confirm_by, bold=True, center=True)
        right.paragraphs[0].text = ""
        _line(right, form.signer, bold=True, center=True)
        _line(right, self._c.plain("document.sign_hint"), italic=True, center=True)
        for _ in range(3):
            _line(right, "")
        _line(right, str(answers.get("id.full_name", "")), bold=True, center=True)
