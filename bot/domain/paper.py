"""The look of an official paper (Nghị định 30/2020/NĐ-CP, Hướng dẫn 36-HD/VPTW), as data.

The exact sizes are how these rules are commonly applied; they live here, in one place, so an
office can adjust them. The renderer (bot/office/documents.py) reads nothing else for the layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Layout:
    """Page, margins (mm), fonts (pt) and spacing of the printed plan."""

    page_width_mm: float = 210
    page_height_mm: float = 297
    top_mm: float = 20
    bottom_mm: float = 20
    left_mm: float = 30
    right_mm: float = 15
    header_distance_mm: float = 10
    font: str = "Times New Roman"
    language: str = "vi-VN"  # what Word checks the spelling against
    body_pt: float = 13
    header_pt: float = 12  # "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", the organ names
    motto_pt: float = 13  # "Độc lập - Tự do - Hạnh phúc"
    motto_rule_cm: float = 5.4  # the line under the motto, about as long as it
    party_pt: float = 15  # "ĐẢNG CỘNG SẢN VIỆT NAM"
    title_pt: float = 14
    table_pt: float = 12
    first_line_indent_cm: float = 1
    space_after_pt: float = 6
    line_spacing: float = 1.15
    number_column_cm: float = 1.3
    header_left_cm: float = 6.5  # the organ column of the header table; the rest is the right
    sign_space_lines: int = 4  # empty lines left to sign in

    @property
    def text_width_mm(self) -> float:
        """The width between the margins."""
        return self.page_width_mm - self.left_mm - self.right_mm


LAYOUT = Layout()


def date_parts(day: date) -> tuple[str, str, str]:
    """Day, month and year as an official date line writes them.

    A leading zero for days below 10 and for months 1 and 2 only: ``05``, ``02``, but ``3``.
    """
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{day.day:02d}", month, str(day.year)
