"""The packaged form definitions (TOML), loaded and validated when the bot starts."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from bot.domain.forms import FormDef

FORM_FILES = ("mau_01.toml", "mau_2a.toml", "mau_2b.toml", "kiem_diem.toml")
# Forms that are not a personal plan: a campaign may never name one as a category's plan form.
REVIEW_FORMS = frozenset({"kiem_diem"})


class FormError(ValueError):
    """A form file is broken; the message names the file and what is wrong."""


def parse_form(name: str, text: str) -> FormDef:
    """Validate one form file's text."""
    try:
        return FormDef.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise FormError(f"{name}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise FormError(f"{name}: {problems}") from None


def load_forms(folder: Path | None = None) -> dict[str, FormDef]:
    """Every form by id; a file in ``folder`` (an admin's wording) wins over the packaged one."""
    forms: dict[str, FormDef] = {}
    for name in FORM_FILES:
        if folder is not None and (folder / name).is_file():
            text = (folder / name).read_text("utf-8")
        else:
            text = resources.files(__package__).joinpath(name).read_text("utf-8")
        form = parse_form(name, text)
        if form.id in forms:
            raise FormError(f"{name}: id {form.id!r} is used by another form")
        forms[form.id] = form
    return forms
