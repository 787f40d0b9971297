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


def _counts(form_id: str) -> range:
    """The last few action counts the form allows: the page breaks fall at different places."""
    [group] = [i for i in load_forms()[form_id].items() if isinstance(i, Group)]
    return range(max(group.min_items + 1, group.max_items - 2), group.max_items + 1)


NAMES = [f"{form_id}-{n}" for form_id in FORMS for n in _counts(form_id)]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each form with its last few action counts (long actions), as the text of its PDF pages."""
    folder = tmp_path_factory.mktemp("pdf")
    for name in NAMES:
        form_id, count = name.split("-")
        (folder / f"{name}.docx").write_bytes(render(form_id, actions=int(count)))
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
            *(str(folder / f"{name}.docx") for name in NAMES),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    found: dict[str, list[str]] = {}
    for name in NAMES:
        reader = pypdf.PdfReader(Path(folder / f"{name}.pdf"))
        for page in reader.pages:
            size = (float(page.mediabox.width), float(page.mediabox.height))
            assert size == pytest.approx(A4, abs=1), name
        found[name] = [unicodedata.normalize("NFC", p.extract_text()) for p in reader.pages]
    return found


@pytest.mark.parametrize("name", NAMES)
def test_long_plans_span_pages_numbered_from_page_two(
    pages: dict[str, list[str]], name: str
) -> None:
    printed = pages[name]
    assert len(printed) >= 2
    assert not printed[0].lstrip().startswith("1")
    for number, text in enumerate(printed[1:], start=2):
        assert text.lstrip().startswith(str(number)), (name, number)


@pytest.mark.parametrize("name", NAMES)
def test_no_signature_block_starts_a_page(pages: dict[str, list[str]], name: str) -> None:
    form = load_forms()[name.split("-")[0]]
    [last] = [_flat(p) for p in pages[name] if _flat(form.signer) in _flat(p)]
    confirm = last.index(_flat(form.confirm_by))
    assert _flat(form.commitment) in last[:confirm]  # the commitment comes along
    assert last.rindex("Trần Thị Bình") > last.index(_flat(form.signer))


@pytest.mark.parametrize("name", [n for n in NAMES if not n.startswith("mau_01")])
def test_the_state_name_fits_one_line(pages: dict[str, list[str]], name: str) -> None:
    lines = [line.strip() for line in pages[name][0].splitlines()]
    assert any(line.endswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") for line in lines)
