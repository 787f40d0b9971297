"""A few study materials for the sandbox's sample organisation: a small PDF, a link, and a
directive for one cell (so the audience rules can be tried)."""

from __future__ import annotations

from bot.services.library import LibraryService

CELL = "Đảng bộ xã Phú Lạc / Chi bộ thôn Lạc Trị"


def sample_pdf(title: str) -> bytes:
    """A one-page PDF that any reader opens, showing ``title`` (ASCII only)."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


async def seed_library(library: LibraryService) -> None:
    """Add the sample materials (to a library that has none)."""
    if await library.listing():
        return
    await library.add_file(
        None,
        "chuyen-de-nam-2022.pdf",
        sample_pdf("Chuyen de nam 2022 - tai lieu mau"),
        title="Chuyên đề năm 2022: xây dựng đội ngũ cán bộ, đảng viên gương mẫu",
        kind="nam",
        summary="Tài liệu mẫu của hộp cát: nội dung chính của chuyên đề năm 2022.",
        year=2022,
    )
    await library.add_link(
        None,
        "https://www.dangcongsan.vn",
        title="Báo điện tử Đảng Cộng sản Việt Nam",
        kind="tham-khao",
        summary=(
            "Tin tức, bài viết về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh."
        ),
        year=2022,
    )
    await library.add_file(
        None,
        "ke-hoach-chi-bo.pdf",
        sample_pdf("Ke hoach hoc tap cua chi bo - tai lieu mau"),
        title="Kế hoạch học tập chuyên đề của chi bộ thôn Lạc Trị",
        kind="chi-dao",
        audience=f"unit:{CELL}",
        year=2022,
    )
