"""Saving registry entities from page forms with the same schemas and rules as the JSON API.

A form posts text; the registry's service (app.registry.records) reads it with the resource's
schema and checks references, uniqueness and entity rules, as for an API call; its refusals
become the form's errors by field, or one message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from app.auth import current_scope
from app.registry import records
from app.registry.records import RegistryError, Resource
from app.registry.resources import resource
from app.wording import reader_language

# marshmallow's own English messages, said the way the rest of the pages say them.
_PLAIN = {
    "Missing data for required field.": _l("必填"),
    "Field may not be null.": _l("必填"),
    "Not a valid number.": _l("须为数字"),
    "Not a valid integer.": _l("须为整数"),
    "Not a valid date.": _l("日期格式应为 YYYY-MM-DD"),
    "Not a valid boolean.": _l("须为是或否"),
}


@dataclass
class Outcome:
    """What saving a form did: the saved entity, or the problems by field and overall."""

    saved: Any = None
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.saved is not None and not self.errors and not self.message


def form_values(resource_: Resource, form: Mapping[str, Any]) -> dict[str, Any]:
    """The schema's fields from a posted form: blanks become None where None is allowed."""
    values: dict[str, Any] = {}
    for name, spec in resource_.schema().load_fields.items():
        key = spec.data_key or name
        if key not in form:
            if spec.allow_none:
                values[key] = None
            continue
        raw = form.getlist(key) if hasattr(form, "getlist") and _is_list(spec) else form[key]
        if isinstance(raw, str):
            raw = raw.strip()
            if raw == "" and (spec.allow_none or not spec.required):
                raw = None if spec.allow_none else spec.load_default
                if raw is None and not spec.allow_none:
                    continue
        values[key] = raw
    return values


def _is_list(spec: Any) -> bool:
    return spec.__class__.__name__ in ("List", "Refs")


def save(name: str, obj: Any | None, form: Mapping[str, Any], **extra: Any) -> Outcome:
    """Create (obj None) or replace `obj` from the form; nothing is changed on any problem."""
    spec = resource(name)
    values = {**form_values(spec, form), **extra}
    key = None if obj is None else getattr(obj, spec.key)
    try:
        data = records.load(spec, values)
        saved = records.write(spec, key, data, scope=current_scope())
    except RegistryError as error:
        return _refused(error)
    return Outcome(saved=saved)


def delete(name: str, obj: Any, key: Any) -> Outcome:
    """Delete unless other records still use it (the message says which)."""
    spec = resource(name)
    try:
        records.remove(spec, getattr(obj, spec.key), scope=current_scope())
    except RegistryError as error:
        return _refused(error)
    return Outcome(saved=True)


def _refused(error: RegistryError) -> Outcome:
    flat = _flatten(error.field_errors)
    return Outcome(errors=flat, message=None if flat else error.say(reader_language()))


def _flatten(messages: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    if not isinstance(messages, dict):
        return {"_": _plain(messages)}
    for key, value in messages.items():
        found[str(key)] = _plain(value)
    return found


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return "；".join(_plain(v) for v in value.values())
    if isinstance(value, list | tuple):
        return "；".join(_plain(v) for v in value)
    text = str(value)
    return str(_PLAIN[text]) if text in _PLAIN else text
