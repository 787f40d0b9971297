"""The message catalog: every user-facing string, loaded once and checked at start."""

from __future__ import annotations

import html
import string
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any

_FORMATTER = string.Formatter()


class CatalogError(ValueError):
    """The catalog file is broken: a bad placeholder or a missing key."""


class Safe(str):
    """Text that is already valid HTML and must not be escaped again when filled in."""

    __slots__ = ()


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise CatalogError(f"{name}: expected text, got {type(value).__name__}")
    return flat


def placeholders(template: str) -> frozenset[str]:
    """Names used as ``{name}`` in ``template``; raises CatalogError on anything fancier."""
    names: set[str] = set()
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise CatalogError(f"bad braces in {template[:40]!r}: {exc}") from exc
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise CatalogError(f"placeholder {{{name}}} must be a plain name")
        names.add(name)
    return frozenset(names)


class Catalog:
    """Named templates; ``t`` fills HTML-escaped values, ``plain`` fills raw ones."""

    def __init__(self, templates: Mapping[str, str]) -> None:
        self._templates = dict(templates)
        # One frozenset per distinct set of names: most templates have none, many the same few
        # (a set each was ~0.2 MB of the catalog's ~0.8 MB).
        shared: dict[frozenset[str], frozenset[str]] = {}
        self._names = {
            key: shared.setdefault(names, names)
            for key, names in ((key, placeholders(value)) for key, value in templates.items())
        }

    @classmethod
    def load(cls, lang: str = "vi") -> Catalog:
        """Load the packaged catalog for ``lang``."""
        text = resources.files(__package__).joinpath(f"{lang}.toml").read_text("utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{lang}.toml: {exc}") from exc
        return cls(_flatten(data))

    def keys(self) -> frozenset[str]:
        """Every key in the catalog."""
        return frozenset(self._templates)

    def params(self, key: str) -> frozenset[str]:
        """The placeholder names of ``key``."""
        return self._names[key]

    def has(self, key: str) -> bool:
        """True when ``key`` exists."""
        return key in self._templates

    def _fill(self, key: str, values: Mapping[str, object], escape: bool) -> str:
        try:
            template = self._templates[key]
        except KeyError:
            raise CatalogError(f"missing catalog key {key!r}") from None
        expected = self._names[key]
        if set(values) != expected:
            raise CatalogError(f"{key}: expected {sorted(expected)}, got {sorted(values)}")
        if escape:
            values = {
                name: value if isinstance(value, Safe) else html.escape(str(value), quote=False)
                for name, value in values.items()
            }
        return template.format_map(values)

    def t(self, key: str, **values: object) -> Safe:
        """Fill ``key`` for an HTML message; values are escaped unless marked Safe."""
        return Safe(self._fill(key, values, escape=True))

    def plain(self, key: str, **values: object) -> str:
        """Fill ``key`` for plain text (command line, spreadsheets)."""
        return self._fill(key, values, escape=False)
