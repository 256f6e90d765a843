"""Messages people read, kept as a Chinese template and its values, so each is said in Chinese
and in English.

The templates are msgids of the app's catalog (`app/translations`): marked with `N_` where they
are defined, so `pybabel extract` finds them, and translated here without a request, because
imports run in workers. A value that is itself a `Wording` is said in the same language; other
values (column headers, cell values from the file) are shown as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from flask import has_request_context
from flask_babel import get_locale

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGES = ("zh", "en")


def N_(template: str) -> str:  # noqa: N802 - the marker pybabel looks for
    """Mark a template for the catalog; it is translated when it is said."""
    return template


@cache
def _english() -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), ["en"])


def english(template: str) -> str:
    """The English of a catalog template (the template itself where it has none)."""
    return _english().gettext(template)


@dataclass(frozen=True, slots=True)
class Wording:
    """A message: its Chinese template and the values that fill it."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def say(self, language: str = "zh") -> str:
        template = english(self.template) if language == "en" else self.template
        values = {
            name: value.say(language) if isinstance(value, Wording) else value
            for name, value in self.values.items()
        }
        return template.format(**values) if values else template

    @property
    def zh(self) -> str:
        return self.say("zh")

    @property
    def en(self) -> str:
        return self.say("en")

    def __str__(self) -> str:
        return self.zh


@dataclass(frozen=True, slots=True)
class Named(Wording):
    """A name inside a message that is not a catalog entry: a registry label and its code name
    (基准价 / baselines), said as the one or the other."""

    english_name: str = ""

    def say(self, language: str = "zh") -> str:
        return self.english_name if language == "en" else self.template


def named(chinese: str, english_name: str) -> Named:
    return Named(chinese, english_name=english_name)


def say(template: str, **values: object) -> Wording:
    return Wording(template, values)


def in_language(chinese: str | None, english_text: str | None, language: str) -> str | None:
    """A stored message pair in the reader's language (Chinese where no English was kept)."""
    if language == "en" and english_text:
        return english_text
    return chinese


def reader_language() -> str:
    """`en` when the request is read in English (the page's or user's choice), else `zh`."""
    if not has_request_context():
        return "zh"
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"
