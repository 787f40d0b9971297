"""The filled form as a DOCX in the official layout (python-docx).

The layout (page, margins, sizes) is ``bot.domain.paper.LAYOUT``; every wording comes from the
catalog or the form file.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from bot.domain import engine as e
from bot.domain.forms import FormDef, Group, Question
from bot.domain.models import Person
from bot.domain.paper import LAYOUT, Layout, date_parts
from bot.domain.plans import Campaign, Confirmation, Plan
from bot.domain.text import scrub
from bot.locales import Catalog

_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")  # rPr's schema order
_FULL_DATE = re.compile(r"^\d{1,2}/\d{1,2}/(\d{4})$")


def _styles(document: DocxDocument, layout: Layout) -> None:
    style = document.styles["Normal"]
    style.font.name = layout.font
    style.font.size = Pt(layout.body_pt)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), layout.font)
    body = style.paragraph_format
    body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    body.first_line_indent = Cm(layout.first_line_indent_cm)
    body.space_before = Pt(0)
    body.space_after = Pt(layout.space_after_pt)
    body.line_spacing = layout.line_spacing
    body.widow_control = True
    _language(document, style.element.get_or_add_rPr(), layout.language)


def _language(document: DocxDocument, normal: BaseOxmlElement, language: str) -> None:
    """Vietnamese for every run (the defaults, the Normal style) and the theme fonts, so that
    Word does not mark each word as misspelt English."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    targets = [normal]
    if defaults is not None:
        run = defaults.find(qn("w:rPrDefault"))
        if run is not None and (properties := run.find(qn("w:rPr"))) is not None:
            targets.append(properties)
    for properties in targets:
        lang = properties.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            properties.insert_element_before(lang, *_AFTER_LANG)
        for attribute in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attribute), language)
    theme = document.settings.element.find(qn("w:themeFontLang"))
    if theme is None:
        theme = OxmlElement("w:themeFontLang")
        document.settings.element.append(theme)
    theme.set(qn("w:val"), language)
    theme.set(qn("w:eastAsia"), language)


def _page(document: DocxDocument, layout: Layout) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(layout.page_width_mm), Mm(layout.page_height_mm)
    section.top_margin, section.bottom_margin = Mm(layout.top_mm), Mm(layout.bottom_mm)
    section.left_margin, section.right_margin = Mm(layout.left_mm), Mm(layout.right_mm)
    section.header_distance = Mm(layout.header_distance_mm)
    # Page numbers from page 2, centred at the top: page 1 has its own (empty) header.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.first_line_indent = Cm(0)
    _field(number, "PAGE")


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (e.g. the page number) at the end of ``paragraph``."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        run = paragraph.add_run()
        if kind is None:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {text} "
            run._r.append(code)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        if kind == "separate":
            paragraph.add_run("2")  # shown until the viewer updates the field


_AFTER_BORDER = tuple(
    f"w:{name}"
    for name in [
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ]
)


def _bottom_border(paragraph: Paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    # Word refuses a pPr whose children are out of the schema's order: pBdr goes before these.
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_BORDER)


def _cant_split(row: _Row, *, header: bool = False) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _widths(table: Table, widths: list[float]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _line(
    target: DocxDocument | _Cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    center: bool = False,
    size: float | None = None,
    indent: bool = True,
    after: float | None = None,
    keep: bool = False,
) -> Paragraph:
    paragraph = target.add_paragraph()
    run = paragraph.add_run(scrub(text))  # rows stored before text was scrubbed at the door
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    form = paragraph.paragraph_format
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if center or not indent:
        form.first_line_indent = Cm(0)
    if after is not None:
        form.space_after = Pt(after)
    if keep:
        form.keep_with_next = True
    return paragraph


def _cell_line(
    cell: _Cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
) -> Paragraph:
    """A centred line of a header or signature cell: no indent, no spacing, single lines."""
    paragraph = _line(
        cell, text, bold=bold, italic=italic, underline=underline, size=size, center=True, after=0
    )
    paragraph.paragraph_format.line_spacing = 1
    paragraph.paragraph_format.keep_together = True
    return paragraph


def _empty_cell(cell: _Cell) -> None:
    cell._tc.remove(cell.paragraphs[0]._p)


class DocxRenderer:
    """Renders a plan; every fixed wording comes from the catalog or the form file."""

    def __init__(self, catalog: Catalog, tz: ZoneInfo, layout: Layout = LAYOUT) -> None:
        self._c = catalog
        self._tz = tz
        self._layout = layout

    def __call__(
        self,
        form: FormDef,
        campaign: Campaign,
        person: Person,
        plan: Plan,
        now: datetime,
        confirmed: Confirmation | None = None,
    ) -> bytes:
        """The DOCX bytes of ``plan``; ``confirmed`` names who confirmed it and when."""
        document = Document()
        _styles(document, self._layout)
        _page(document, self._layout)
        when = (plan.submitted_at or now).astimezone(self._tz)
        answers = plan.draft.answers
        self._properties(document, form, campaign, person, answers, when, now)
        self._header(document, form, campaign, person, when)
        self._title(document, form, campaign)
        for field in form.identity:
            value = str(answers.get(f"id.{field.key}", ""))
            if field.source == "birth_year" and (full := _FULL_DATE.match(value)):
                value = full.group(1)
            line = self._c.plain(
                "document.identity_line",
                label=field.label,
                value=value or self._c.plain("document.blank"),
            )
            _line(document, line)
        for section in form.sections:
            _line(
                document, f"{section.number}. {section.title}", bold=True, indent=False, keep=True
            )
            numbered = len(section.items) > 1
            for index, item in enumerate(section.items, start=1):
                if isinstance(item, Question):
                    self._question(document, item, answers, index if numbered else 0)
                else:
                    self._group(document, item, answers, index if numbered else 0)
        # The commitment goes with the signatures: they never start a page alone.
        _line(document, form.commitment, keep=True)
        self._signatures(document, form, answers, confirmed)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    def _properties(
        self,
        document: DocxDocument,
        form: FormDef,
        campaign: Campaign,
        person: Person,
        answers: e.Answers,
        when: datetime,
        now: datetime,
    ) -> None:
        properties = document.core_properties
        properties.author = str(answers.get("id.full_name", "")) or person.full_name
        properties.last_modified_by = self._c.plain("document.producer")
        properties.title = self._c.plain(
            "document.file_title", title=form.title, year=campaign.year
        )
        properties.subject = campaign.title
        properties.comments = ""
        properties.keywords = ""
        # python-docx writes the clock reading with a "Z": hand it UTC.
        properties.created = when.astimezone(UTC)
        properties.modified = now.astimezone(UTC)
        properties.revision = 1

    def _header(
        self,
        document: DocxDocument,
        form: FormDef,
        campaign: Campaign,
        person: Person,
        when: datetime,
    ) -> None:
        layout = self._layout
        path = person.unit_path.split(" / ")
        table = document.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left_cm = layout.header_left_cm
        right_cm = layout.text_width_mm / 10 - left_cm
        _widths(table, [left_cm, right_cm])
        left, right = table.rows[0].cells
        _empty_cell(left)
        _empty_cell(right)
        size = layout.header_pt
        if form.header == "party":
            # The superior committee (not bold) over the cell (bold), then a star.
            if len(path) > 1:
                _cell_line(left, path[-2].upper(), size=size)
            _cell_line(left, path[-1].upper(), bold=True, size=size)
            _cell_line(left, "*", bold=True, size=size)
            _cell_line(
                right,
                self._c.plain("document.party"),
                bold=True,
                underline=True,
                size=layout.party_pt,
            )
        else:
            # The agency, village or association itself, never the party committee above it.
            _cell_line(left, path[-1].upper(), bold=True, size=size)
            self._short_rule(left, left_cm / 3, left_cm)
            _cell_line(right, self._c.plain("document.state"), bold=True, size=size)
            motto = _cell_line(right, self._c.plain("document.state_motto"), bold=True)
            motto.runs[0].font.size = Pt(layout.motto_pt)
            self._short_rule(right, layout.motto_rule_cm, right_cm)
        day, month, year = date_parts(when.date())
        date_line = self._c.plain(
            "document.date_line", place=campaign.place, day=day, month=month, year=year
        )
        spaced = _cell_line(right, date_line, italic=True, size=layout.motto_pt)
        spaced.paragraph_format.space_before = Pt(6)

    @staticmethod
    def _short_rule(cell: _Cell, length_cm: float, cell_cm: float) -> None:
        """A short centred line under the line above (an empty paragraph with a bottom border)."""
        rule = _cell_line(cell, "", size=2)
        side = max(0.0, (cell_cm - 0.4 - length_cm) / 2)
        rule.paragraph_format.left_indent = Cm(side)
        rule.paragraph_format.right_indent = Cm(side)
        _bottom_border(rule)

    def _title(self, document: DocxDocument, form: FormDef, campaign: Campaign) -> None:
        layout = self._layout
        title = _line(document, form.title, bold=True, center=True, size=layout.title_pt, after=0)
        title.paragraph_format.space_before = Pt(18)
        subtitle = form.subtitle.replace("{year}", str(campaign.year))
        _line(document, subtitle, bold=True, center=True, after=0)
        topic = self._c.plain("document.topic", year=campaign.year, title=campaign.title)
        _line(document, topic, italic=True, center=True, after=12)

    def _question(
        self, document: DocxDocument, question: Question, answers: e.Answers, number: int
    ) -> None:
        value = str(answers.get(question.key, ""))
        if number:
            _line(document, f"{number}. {question.label}", italic=True, keep=True)
        for paragraph in (value or self._c.plain("document.blank")).split("\n"):
            _line(document, paragraph)

    def _group(self, document: DocxDocument, group: Group, answers: e.Answers, number: int) -> None:
        layout = self._layout
        if number:
            _line(document, f"{number}. {group.label}", italic=True, keep=True)
        items = e.group_items(answers, group)
        table = document.add_table(rows=1, cols=len(group.fields) + 1)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        heads = [self._c.plain("document.number_column"), *(f.label for f in group.fields)]
        _cant_split(table.rows[0], header=True)
        for cell, head in zip(table.rows[0].cells, heads, strict=True):
            _empty_cell(cell)
            _cell_line(cell, head, bold=True, size=layout.table_pt)
        for index, item in enumerate(items, start=1):
            row = table.add_row()
            _cant_split(row)
            cells = row.cells
            _empty_cell(cells[0])
            _cell_line(cells[0], str(index), size=layout.table_pt)
            for cell, field in zip(cells[1:], group.fields, strict=True):
                _empty_cell(cell)
                text = _line(cell, item.get(field.key, ""), size=layout.table_pt, indent=False)
                text.alignment = WD_ALIGN_PARAGRAPH.LEFT
                text.paragraph_format.space_after = Pt(0)
                text.paragraph_format.line_spacing = 1
        # The first field (the action itself) gets twice the room of the others.
        rest = layout.text_width_mm / 10 - layout.number_column_cm
        shares = [2] + [1] * (len(group.fields) - 1)
        unit = rest / sum(shares)
        _widths(table, [layout.number_column_cm, *(unit * s for s in shares)])
        _line(document, "", after=0, size=6)

    def _signatures(
        self,
        document: DocxDocument,
        form: FormDef,
        answers: e.Answers,
        confirmed: Confirmation | None,
    ) -> None:
        layout = self._layout
        _line(document, "", after=0, keep=True)
        table = document.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        width = layout.text_width_mm / 10 / 2
        _widths(table, [width, width])
        _cant_split(table.rows[0])
        left, right = table.rows[0].cells
        _empty_cell(left)
        _empty_cell(right)
        hint = self._c.plain("document.sign_hint")
        for line in (form.confirm_by, *form.confirm_lines):
            _cell_line(left, line, bold=True)
        _cell_line(left, hint, italic=True)
        _cell_line(right, form.signer, bold=True)
        _cell_line(right, hint, italic=True)
        for _ in range(len(form.confirm_lines)):
            _cell_line(right, "")  # the two names stand on one level
        for cell in (left, right):
            for _ in range(layout.sign_space_lines):
                _cell_line(cell, "")
        if confirmed is not None:
            if confirmed.name:  # "" once the confirmer was erased
                _cell_line(left, confirmed.name, bold=True)
            on = confirmed.at.astimezone(self._tz).strftime("%d/%m/%Y")
            _cell_line(left, self._c.plain("document.confirmed_on", date=on), italic=True, size=11)
        _cell_line(right, str(answers.get("id.full_name", "")), bold=True)
