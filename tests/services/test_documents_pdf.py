"""The three forms printed through LibreOffice: A4 pages, numbered from page 2, whole signatures."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from bot.domain.forms import Group
from bot.forms import load_forms
from tests.services.test_documents import render

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
pypdf = pytest.importorskip("pypdf", reason="pypdf (a dev dependency) is not installed")

A4 = (595.3, 841.9)  # points
FORMS = ("mau_01", "mau_2a", "mau_2b")


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each form with as many long actions as it allows, as the text of its PDF pages."""
    folder = tmp_path_factory.mktemp("pdf")
    for form_id in FORMS:
        [group] = [i for i in load_forms()[form_id].items() if isinstance(i, Group)]
        (folder / f"{form_id}.docx").write_bytes(render(form_id, actions=group.max_items))
    profile = (folder / "profile").as_uri()  # its own profile: never joins another soffice
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *(str(folder / f"{f}.docx") for f in FORMS),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    found: dict[str, list[str]] = {}
    for form_id in FORMS:
        reader = pypdf.PdfReader(Path(folder / f"{form_id}.pdf"))
        for page in reader.pages:
            size = (float(page.mediabox.width), float(page.mediabox.height))
            assert size == pytest.approx(A4, abs=1), form_id
        found[form_id] = [unicodedata.normalize("NFC", p.extract_text()) for p in reader.pages]
    return found


@pytest.mark.parametrize("form_id", FORMS)
def test_long_plans_span_pages_numbered_from_page_two(
    pages: dict[str, list[str]], form_id: str
) -> None:
    printed = pages[form_id]
    assert len(printed) >= 2
    assert not printed[0].lstrip().startswith("1")
    for number, text in enumerate(printed[1:], start=2):
        assert text.lstrip().startswith(str(number)), (form_id, number)


@pytest.mark.parametrize("form_id", FORMS)
def test_no_signature_block_starts_a_page(pages: dict[str, list[str]], form_id: str) -> None:
    form = load_forms()[form_id]
    [last] = [_flat(p) for p in pages[form_id] if _flat(form.signer) in _flat(p)]
    confirm = last.index(_flat(form.confirm_by))
    assert _flat(form.commitment) in last[:confirm]  # the commitment comes along
    assert last.index("Trần Thị Bình") > last.index(_flat(form.signer))


@pytest.mark.parametrize("form_id", ["mau_2a", "mau_2b"])
def test_the_state_name_fits_one_line(pages: dict[str, list[str]], form_id: str) -> None:
    lines = [line.strip() for line in pages[form_id][0].splitlines()]
    assert any(line.endswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") for line in lines)
