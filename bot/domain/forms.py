"""Form definitions as data: identity block, sections, questions and repeatable groups.

A form file (TOML) is validated into these frozen models when the bot starts; a broken file stops
the bot with a message naming the file and the field.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

KEY = r"^[a-z][a-z0-9_]{0,23}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Question(_Frozen):
    """One thing to ask: free text (short or long), a date, or a choice."""

    type: Literal["question"] = "question"
    key: Annotated[str, Field(pattern=KEY)]
    label: str = Field(min_length=1, max_length=60)
    prompt: str = Field(min_length=1, max_length=1000)
    hint: str = Field(default="", max_length=600)
    example: str = Field(default="", max_length=600)
    kind: Literal["text", "long_text", "date", "choice"] = "text"
    optional: bool = False
    min_length: int = Field(default=1, ge=1, le=2000)
    max_length: int = Field(default=300, ge=1, le=6000)
    choices: tuple[Annotated[str, Field(min_length=1, max_length=60)], ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.min_length > self.max_length:
            raise ValueError(f"{self.key}: min_length is above max_length")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"{self.key}: choices go with kind = 'choice' and only with it")
        if len(self.choices) > 12:
            raise ValueError(f"{self.key}: at most 12 choices")
        return self


class Group(_Frozen):
    """A repeatable list of items (e.g. the concrete actions), each with the same fields."""

    type: Literal["group"] = "group"
    key: Annotated[str, Field(pattern=KEY)]
    label: str = Field(min_length=1, max_length=60)
    item_label: str = Field(min_length=1, max_length=30)
    prompt: str = Field(min_length=1, max_length=1000)
    hint: str = Field(default="", max_length=600)
    fields: tuple[Question, ...] = Field(min_length=1, max_length=5)
    min_items: int = Field(default=1, ge=0, le=20)
    max_items: int = Field(default=10, ge=1, le=20)

    @model_validator(mode="after")
    def _consistent(self) -> Group:
        if self.min_items > self.max_items:
            raise ValueError(f"{self.key}: min_items is above max_items")
        if any(f.kind == "long_text" for f in self.fields):
            raise ValueError(f"{self.key}: fields of a group are short answers (no long_text)")
        return self


Item = Annotated[Question | Group, Field(discriminator="type")]


class Section(_Frozen):
    """A numbered part of the form (I, II, III)."""

    number: str = Field(min_length=1, max_length=6)
    title: str = Field(min_length=1, max_length=200)
    items: tuple[Item, ...] = Field(min_length=1)


class IdentityField(_Frozen):
    """A line of the identity block, prefilled from the roster; confirmed or corrected."""

    key: Annotated[str, Field(pattern=KEY)]
    label: str = Field(min_length=1, max_length=60)
    source: Literal[
        "full_name",
        "birth_date",
        "birth_year",
        "unit",
        "parent_unit",
        "party_position",
        "gov_position",
        "union_position",
        "workplace",
    ]
    kind: Literal["text", "date"] = "text"
    max_length: int = Field(default=200, ge=1, le=300)


class FormDef(_Frozen):
    """A whole form, versioned; a stored plan keeps the version it was written against."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,20}$")]
    version: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=80)
    header: Literal["party", "state"]
    title: str = Field(min_length=1, max_length=120)
    subtitle: str = Field(min_length=1, max_length=300)
    confirm_by: str = Field(min_length=1, max_length=120)
    # Lines under ``confirm_by`` in the confirming block (e.g. "T/M CHI ỦY", "BÍ THƯ").
    confirm_lines: tuple[Annotated[str, Field(min_length=1, max_length=120)], ...] = Field(
        default=(), max_length=4
    )
    signer: str = Field(min_length=1, max_length=120)
    commitment: str = Field(min_length=1, max_length=1500)
    identity: tuple[IdentityField, ...] = ()
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> FormDef:
        keys = [f.key for f in self.identity] + [item.key for item in self.items()]
        duplicates = {k for k in keys if keys.count(k) > 1}
        if duplicates:
            raise ValueError(f"keys used twice: {sorted(duplicates)}")
        return self

    def items(self) -> list[Question | Group]:
        """Every question and group, in order."""
        return [item for section in self.sections for item in section.items]

    def section_of(self, key: str) -> Section:
        """The section holding the item ``key``."""
        for section in self.sections:
            if any(item.key == key for item in section.items):
                return section
        raise KeyError(key)

    def item(self, key: str) -> Question | Group:
        """The question or group named ``key``."""
        for item in self.items():
            if item.key == key:
                return item
        raise KeyError(key)
