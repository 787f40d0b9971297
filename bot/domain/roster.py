"""Reading a roster table: headers and values as an office types them, checked row by row.

Parsing is pure: it takes the cells and returns records or every error with its spreadsheet row
number (the header is row 1). Labels and messages live in the catalog; here are only the folded
spellings we accept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from bot.domain.models import Category, Exemption, Role
from bot.domain.phone import normalize_phone
from bot.domain.text import fold, tidy

MAX_CELL = 500
MAX_NAME = 120
MAX_POSITION = 200
MAX_UNIT_DEPTH = 8
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._\-]{0,31}$")
_PUNCT = re.compile(r"[,;:/\\.\-_&()+]+")
_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


class Column(StrEnum):
    """A roster column, in the order templates and exports write them."""

    CODE = "code"
    NAME = "full_name"
    BIRTH = "birth_date"
    PHONE = "phone"
    CATEGORY = "category"
    EXEMPTION = "exemption"
    UNIT = "unit"
    WORKPLACE = "workplace"
    PARTY_POSITION = "party_position"
    GOV_POSITION = "gov_position"
    UNION_POSITION = "union_position"
    ROLE = "role"


REQUIRED_COLUMNS = (Column.CODE, Column.NAME, Column.CATEGORY, Column.UNIT)


def _key(value: str) -> str:
    """Fold and drop punctuation: ``CB-CC-VC`` -> ``cb cc vc``."""
    return " ".join(_PUNCT.sub(" ", fold(value)).split())


_HEADERS: dict[str, Column] = {
    _key(alias): column
    for column, aliases in {
        Column.CODE: ("Mã", "Mã số", "Mã đảng viên", "Mã cá nhân", "Mã người"),
        Column.NAME: ("Họ và tên", "Họ tên", "Họ & tên"),
        Column.BIRTH: ("Ngày sinh", "Ngày, tháng, năm sinh", "Ngày tháng năm sinh"),
        Column.PHONE: ("Số điện thoại", "Điện thoại", "SĐT", "Số ĐT", "ĐT", "Di động"),
        Column.CATEGORY: ("Đối tượng",),
        Column.EXEMPTION: ("Miễn", "Được miễn", "Miễn viết kế hoạch"),
        Column.UNIT: ("Đơn vị", "Đơn vị sinh hoạt"),
        Column.WORKPLACE: ("Nơi công tác", "Đơn vị công tác", "Cơ quan công tác"),
        Column.PARTY_POSITION: ("Chức vụ đảng",),
        Column.GOV_POSITION: ("Chức vụ chính quyền",),
        Column.UNION_POSITION: ("Chức vụ đoàn thể",),
        Column.ROLE: ("Vai trò", "Quyền"),
    }.items()
    for alias in aliases
}

_CATEGORIES: dict[str, Category] = {
    _key(alias): category
    for category, aliases in {
        Category.PARTY_MEMBER: (
            "Đảng viên",
            "Đảng viên chính thức",
            "Đảng viên dự bị",
        ),
        Category.STAFF: (
            "Cán bộ, công chức, viên chức",
            "Cán bộ công chức viên chức",
            "CB, CC, VC",
            "CBCCVC",
            "CBCC",
            "CCVC",
            "Cán bộ",
            "Công chức",
            "Viên chức",
            "Người lao động",
        ),
        Category.UNION_MEMBER: (
            "Đoàn viên, hội viên",
            "Đoàn viên hội viên",
            "ĐVHV",
            "Đoàn viên",
            "Hội viên",
        ),
        Category.INDIVIDUAL: ("Cá nhân", "Người dân", "Quần chúng"),
    }.items()
    for alias in aliases
}

_EXEMPTIONS: dict[str, Exemption] = {
    _key(alias): exemption
    for exemption, aliases in {
        Exemption.NONE: ("", "Không", "Không miễn", "-", "0"),
        Exemption.SUSPENDED: (
            "Miễn sinh hoạt",
            "Miễn sinh hoạt đảng",
            "Miễn SH",
            "MSH",
            "Được miễn sinh hoạt",
        ),
        Exemption.RETIRED: ("Hưu trí", "Hưu", "Nghỉ hưu", "Đảng viên hưu trí"),
        # One exemption, both conditions at once: "Cao tuổi" alone or "DTTS" alone is not one.
        Exemption.ELDERLY: (
            "Cao tuổi DTTS",
            "Cao tuổi dân tộc thiểu số",
            "Cao tuổi là người dân tộc thiểu số",
            "Đảng viên cao tuổi DTTS",
            "Đảng viên cao tuổi là người dân tộc thiểu số",
        ),
    }.items()
    for alias in aliases
}

_ROLES: dict[str, Role | None] = {
    _key(alias): role
    for role, aliases in {
        None: ("", "Thành viên", "Đảng viên", "Người dùng", "-"),
        Role.SECRETARY: ("Bí thư", "Bí thư chi bộ", "BT"),
        Role.HEAD: ("Thủ trưởng", "Thủ trưởng đơn vị", "Thủ trưởng cơ quan", "TT"),
        Role.ADMIN: ("Quản trị", "Quản trị viên", "QTV", "Admin"),
    }.items()
    for alias in aliases
}
_ROLE_SPLIT = re.compile(r"[,;+]|\s/\s")
# Levels of a unit path are written " / " (spaces around): "Đảng bộ xã / Chi bộ 1". A slash
# without them is part of a name ("Chi bộ 2/9", "Tổ 3/4").
_UNIT_SPLIT = re.compile(r"(?<=\s)/(?=\s)")


@dataclass(frozen=True, slots=True)
class RosterRecord:
    """One valid roster row."""

    row: int
    code: str
    full_name: str
    birth_date: date | None
    phone: str | None
    category: Category
    exemption: Exemption
    unit_path: tuple[str, ...]
    party_position: str
    gov_position: str
    union_position: str
    roles: frozenset[Role]
    workplace: str = ""


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row (or the header, row 1) cannot be imported; ``code`` names a catalog message."""

    row: int
    code: str
    value: str = ""
    other_row: int = 0


@dataclass(frozen=True, slots=True)
class ParsedRoster:
    """Everything a file said: valid records, errors (any error means import nothing), warnings."""

    records: tuple[RosterRecord, ...] = ()
    errors: tuple[RowError, ...] = ()
    warnings: tuple[RowError, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the file may be imported."""
        return not self.errors


Cell = str | int | float | date | datetime | None


def _text(cell: Cell) -> str:
    """Render a cell as a string the way a person reads it (``123.0`` -> ``123``)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.strftime("%d/%m/%Y")
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    return tidy(str(cell))


def map_headers(header: Sequence[Cell]) -> tuple[dict[Column, int], list[RowError]]:
    """Find which column index holds which field; unknown headers are ignored."""
    found: dict[Column, int] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(header):
        name = _text(cell)
        column = _HEADERS.get(_key(name))
        if column is None:
            continue
        if column in found:
            errors.append(RowError(1, "duplicate_header", name))
        else:
            found[column] = index
    errors.extend(
        RowError(1, f"missing_header.{c.value}") for c in REQUIRED_COLUMNS if c not in found
    )
    return found, errors


def _birth_date(cell: Cell, today: date, text: str) -> date | None:
    """The birth date ``cell`` holds (``text``: the cell as shown); ValueError when none."""
    if isinstance(cell, datetime):
        value = cell.date()
    elif isinstance(cell, date):
        value = cell
    else:
        match = _DATE.match(text)
        if match is None:
            raise ValueError
        day, month, year = (int(part) for part in match.groups())
        value = date(year, month, day)
    if value.year < 1900 or value > today:
        raise ValueError
    return value


@lru_cache(maxsize=4096)
def category_named(text: str) -> Category | None:
    """The category a spelling of the roster names (``Đảng viên``, ``CBCCVC``), or None."""
    return _CATEGORIES.get(_key(text))


@lru_cache(maxsize=4096)
def _exemption_named(text: str) -> Exemption | None:
    return _EXEMPTIONS.get(_key(text))


@lru_cache(maxsize=65536)
def _unit_parts(text: str) -> tuple[str, ...]:
    """A unit cell's levels, split on " / " (a roster repeats each unit for all its people)."""
    return tuple(tidy(part) for part in _UNIT_SPLIT.split(f" {text} "))


def role_named(text: str) -> Role | None:
    """The role a spelling of the roster names (``Bí thư``, ``thu truong``), or None."""
    return _ROLES.get(_key(text))


@lru_cache(maxsize=4096)
def _roles(text: str) -> frozenset[Role] | None:
    roles: set[Role] = set()
    for part in _ROLE_SPLIT.split(text):
        key = _key(part)
        if key not in _ROLES:
            return None
        role = _ROLES[key]
        if role is not None:
            roles.add(role)
    return frozenset(roles)


def parse_row(
    row: int,
    cells: Sequence[Cell],
    columns: dict[Column, int],
    today: date,
    texts: Sequence[str] | None = None,
) -> RosterRecord | list[RowError]:
    """Check one data row; return its record or all its errors.

    ``texts`` are the cells as ``_text`` renders them, when the caller has them already: each
    cell is tidied once (a 50,000-row roster spent half its checking time tidying again)."""
    shown = [_text(cell) for cell in cells] if texts is None else texts

    def get(column: Column) -> Cell:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    def text(column: Column) -> str:
        index = columns.get(column)
        return shown[index] if index is not None and index < len(shown) else ""

    errors: list[RowError] = []
    for column in columns:
        if len(text(column)) > MAX_CELL:
            errors.append(RowError(row, "too_long", column.value))
    if errors:
        return errors

    code = text(Column.CODE).upper()
    if not code:
        errors.append(RowError(row, "missing_code"))
    elif not _CODE.match(code):
        errors.append(RowError(row, "bad_code", code))

    name = text(Column.NAME)
    if not name:
        errors.append(RowError(row, "missing_name"))
    elif len(name) > MAX_NAME:
        errors.append(RowError(row, "name_too_long", name[:40]))

    birth: date | None = None
    birth_text = text(Column.BIRTH)
    if birth_text:
        try:
            birth = _birth_date(get(Column.BIRTH), today, birth_text)
        except ValueError:
            errors.append(RowError(row, "bad_birth_date", birth_text))

    phone_text = text(Column.PHONE)
    phone = normalize_phone(phone_text) if phone_text else None
    if phone_text and phone is None:
        errors.append(RowError(row, "bad_phone", phone_text))

    category_text = text(Column.CATEGORY)
    category = category_named(category_text)
    if category is None:
        errors.append(RowError(row, "bad_category", category_text))

    exemption_text = text(Column.EXEMPTION)
    exemption = _exemption_named(exemption_text)
    if exemption is None:
        errors.append(RowError(row, "bad_exemption", exemption_text))
    elif exemption is not Exemption.NONE and category not in (None, Category.PARTY_MEMBER):
        errors.append(RowError(row, "exemption_not_party", exemption_text))

    unit_text = text(Column.UNIT)
    unit_path = _unit_parts(unit_text)
    if not unit_text:
        errors.append(RowError(row, "missing_unit"))
    elif any(not part for part in unit_path) or len(unit_path) > MAX_UNIT_DEPTH:
        errors.append(RowError(row, "bad_unit", unit_text))

    role_text = text(Column.ROLE)
    roles = _roles(role_text)
    if roles is None:
        errors.append(RowError(row, "bad_role", role_text))

    positions = [
        text(c) for c in (Column.PARTY_POSITION, Column.GOV_POSITION, Column.UNION_POSITION)
    ]
    if any(len(p) > MAX_POSITION for p in positions):
        errors.append(RowError(row, "position_too_long"))
    workplace = text(Column.WORKPLACE)
    if len(workplace) > MAX_POSITION:
        errors.append(RowError(row, "workplace_too_long"))

    if errors or category is None or exemption is None or roles is None:
        return errors
    return RosterRecord(
        row=row,
        code=code,
        full_name=name,
        birth_date=birth,
        phone=phone,
        category=category,
        exemption=exemption,
        unit_path=unit_path,
        party_position=positions[0],
        gov_position=positions[1],
        union_position=positions[2],
        roles=roles,
        workplace=workplace,
    )


def parse_roster(rows: Iterable[tuple[int, Sequence[Cell]]], today: date) -> ParsedRoster:
    """Parse a whole table: the first row is the header; blank rows are skipped."""
    iterator = iter(rows)
    header_row = next(iterator, None)
    if header_row is None:
        return ParsedRoster(errors=(RowError(1, "empty_file"),))
    columns, errors = map_headers(header_row[1])
    if errors:
        return ParsedRoster(errors=tuple(errors))

    records: list[RosterRecord] = []
    warnings: list[RowError] = []
    seen_codes: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    code_index = columns[Column.CODE]
    for row, cells in iterator:
        texts = [_text(cell) for cell in cells]
        if not any(texts):
            continue
        code = texts[code_index].upper() if code_index < len(texts) else ""
        first = seen_codes.setdefault(code, row) if code else row
        result = parse_row(row, cells, columns, today, texts)
        if first != row:
            errors.append(RowError(row, "duplicate_code", code, first))
        if isinstance(result, list):
            errors.extend(result)
            continue
        if result.phone is not None:
            first_phone = seen_phones.setdefault(result.phone, row)
            if first_phone != row:
                warnings.append(RowError(row, "shared_phone", result.phone, first_phone))
        # Levels are split on " / " only ("Tổ 1/5" is one name); a file written the old way,
        # "Đảng bộ xã A/Chi bộ 1", would otherwise turn into top-level units without a word.
        for part in result.unit_path:
            if "/" in part:
                warnings.append(RowError(row, "unit_slash", part))
        records.append(result)
    if errors:
        return ParsedRoster(errors=tuple(errors))
    if not records and not errors:
        errors.append(RowError(2, "no_rows"))
    return ParsedRoster(tuple(records), tuple(errors), tuple(warnings))


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import changed (or would change, on a dry run)."""

    added: int
    updated: int
    unchanged: int
    units_created: int
    missing: int
    removed: int
    missing_names: tuple[str, ...] = ()  # "Name (CODE)" of the people absent from the file

    @property
    def total(self) -> int:
        """People in the file."""
        return self.added + self.updated + self.unchanged


def unit_key(path: Sequence[str]) -> str:
    """The matching key of a unit path: case, diacritics and spacing do not create a new unit."""
    return " / ".join(fold(part) for part in path)


def split_unit_path(text: str) -> tuple[str, ...]:
    """ "Đảng bộ xã / Chi bộ 1" as its parts, the way the roster writes unit paths."""
    return tuple(tidy(part) for part in _UNIT_SPLIT.split(f" {tidy(text)} ") if tidy(part))
