"""A few study materials for the sandbox's sample organisation (data: a small PDF, a link, and a
directive for one cell, so the audience rules can be tried)."""

from __future__ import annotations

import tomllib
from importlib import resources

from bot.services.library import LibraryService


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
    """Add the sample materials of ``bot/samples/library_2022.toml`` (to a library that has
    none)."""
    if await library.listing():
        return
    text = resources.files("bot.samples").joinpath("library_2022.toml").read_text("utf-8")
    for entry in tomllib.loads(text)["material"]:
        title, kind = str(entry["title"]), str(entry["kind"])
        summary, audience = str(entry.get("summary", "")), str(entry.get("audience", "all"))
        year = int(entry["year"])
        if "url" in entry:
            url = str(entry["url"])
            await library.add_link(
                None, url, title=title, kind=kind, summary=summary, audience=audience, year=year
            )
        else:
            data, name = sample_pdf(str(entry["text"])), str(entry["file"])
            await library.add_file(
                None,
                name,
                data,
                title=title,
                kind=kind,
                summary=summary,
                audience=audience,
                year=year,
            )
