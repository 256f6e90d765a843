"""The registry's records one at a time: find, list, read, write and remove, with every rule.

Each kind of record is described once by a `Resource` (the table is app.registry.resources).
The JSON API, the registry pages and the premium page all save through `write` and `remove`, so
they accept and refuse exactly the same; a refusal is a `RegistryError` with a stable code:

- `not_found`: no such record (in the caller's scope);
- `invalid`: values that cannot be stored (`field_errors` says which, by field);
- `conflict`: another record already has this code or key;
- `in_use`: other records still use the one to delete;
- `out_of_scope`: a scoped writer named a record outside its scope.

Each edge says these in its own way (app.api.crud: HTTP statuses; app.web.registry_forms: form
errors and flashes). Nothing is changed when a RegistryError is raised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from app.auth import AccessScope
from app.extensions import db
from app.models.versions import bump_data_version
from app.registry.usage import rename_code
from app.wording import N_, Wording, named, say

Changes = dict[str, tuple[Any, Any]]
ERROR_CODES = ("not_found", "invalid", "conflict", "in_use", "out_of_scope")


NOT_FOUND = N_("{label}{what}“{key}”不存在")
NOT_IN_SCOPE = N_("{label}{what}“{key}”不存在或不在您的管辖范围内")
REF_OUT_OF_SCOPE = N_("{label}“{code}”不存在或不在您的管辖范围内，不能为它登记{resource}。")


class RegistryError(Exception):
    """Why a registry record could not be found, saved or removed; nothing was changed.

    `code` is one of ERROR_CODES; `field_errors` maps field names to reasons (for `invalid`);
    `message` is the whole reason as a clerk reads it.
    """

    def __init__(
        self,
        code: str,
        message: str | Wording,
        field_errors: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = str(message)  # Chinese
        self.wording = message if isinstance(message, Wording) else None
        self.field_errors = dict(field_errors or {})

    def say(self, language: str = "zh") -> str:
        """The reason in `language` (Chinese where it has no English)."""
        return self.wording.say(language) if self.wording is not None else self.message

    @classmethod
    def invalid(cls, field_errors: Mapping[str, list[str]]) -> RegistryError:
        return cls("invalid", invalid_message(field_errors), field_errors)


def invalid_message(field_errors: Mapping[str, list[str]]) -> str:
    said = (f"{name}: {' '.join(texts)}" for name, texts in field_errors.items())
    return "输入有误：" + "；".join(said)


@dataclass(frozen=True)
class Unique:
    """Fields that together identify one row; `message` is formatted with their values."""

    fields: tuple[str, ...]
    message: str
    nulls_distinct: bool = True  # as SQL: rows whose key has a NULL never clash


@dataclass
class Resource:
    name: str  # URL segment and blueprint name, e.g. "townships"
    label: str  # what a clerk calls it, e.g. "乡镇"
    model: Any
    schema: type[Schema]
    key: str = "code"  # "code", or "id" for entities without one
    search: tuple[Any, ...] = ()
    order: tuple[Any, ...] = ()
    # field → (model referred to, foreign-key attribute, label); the schema carries codes.
    refs: dict[str, tuple[Any, str, str]] = field(default_factory=dict)
    unique: tuple[Unique, ...] = ()
    # list filter → (marshmallow field reading it, value → WHERE clause)
    filters: dict[str, tuple[fields.Field, Callable[[Any], Any]]] = field(default_factory=dict)
    # fields the schema loads but the hook `after` stores (e.g. a streamer's rooms)
    extra: tuple[str, ...] = ()
    check: Callable[[Any], dict[str, str]] | None = None
    after: Callable[[Any, dict[str, Any], Changes], None] | None = None
    usage: Callable[[Any], list[str]] | None = None
    # what follows a deletion, in its transaction (after the row is gone)
    removed: Callable[[Any], None] | None = None
    # the target scope type naming this entity by code (targets and user scopes follow renames)
    scope_type: str | None = None
    # the rows a user's scope may read (see app.auth.rows); None: every signed-in user reads all
    visible: Callable[[AccessScope], Any] | None = None
    # roles that may create, change and delete; a writer without the county's scope changes
    # only `visible` rows, and may point `scoped_refs` only at rows of its scope
    write_roles: tuple[str, ...] = ("admin",)
    # field of `refs` → the referenced rows a scoped writer may name (see app.auth.rows)
    scoped_refs: dict[str, Callable[[AccessScope], Any]] = field(default_factory=dict)


def in_scope(resource: Resource, scope: AccessScope) -> tuple[Any, ...]:
    """The WHERE clauses limiting `resource` to the rows `scope` may read (none: all)."""
    return () if resource.visible is None or scope.county else (resource.visible(scope),)


def find(resource: Resource, key: Any, *, scope: AccessScope) -> Any:
    """The record by code (or id) within `scope`; `not_found` says which one is missing."""
    where = in_scope(resource, scope)
    column = getattr(resource.model, resource.key)
    found = db.session.scalars(db.select(resource.model).where(column == key, *where)).first()
    if found is None:
        what = "编号" if resource.key == "id" else "编码"
        values = {
            "label": named(resource.label, resource.name),
            "what": named(what, resource.key),
            "key": key,
        }
        if where:  # a scoped caller: the row may exist outside the scope, which is not revealed
            raise RegistryError("not_found", say(NOT_IN_SCOPE, **values))
        raise RegistryError("not_found", say(NOT_FOUND, **values))
    return found


def listing(
    resource: Resource,
    *,
    scope: AccessScope,
    page: int,
    per_page: int,
    q: str | None = None,
    filters: Mapping[str, Any] | None = None,
) -> Pagination:
    """One page of the records in `scope`, searched by `q` and filtered by the resource's
    filters (a filter given None is not applied)."""
    query = db.select(resource.model).where(*in_scope(resource, scope)).order_by(*resource.order)
    text = (q or "").strip()
    if text and resource.search:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(*(column.ilike(pattern, escape="\\") for column in resource.search))
        )
    for name, (_field, clause) in resource.filters.items():
        value = (filters or {}).get(name)
        if value is not None:
            query = query.where(clause(value))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def load(resource: Resource, values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """`values` read by the resource's schema; `invalid` names every field that cannot be."""
    try:
        return dict(resource.schema(partial=partial).load(values))
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise RegistryError.invalid(
            {str(name): _texts(value) for name, value in messages.items()}
        ) from None


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return [str(value)]


def write(resource: Resource, key: Any, data: Mapping[str, Any], *, scope: AccessScope) -> Any:
    """Create (key None) or change the record `key` from loaded `data`, check it and commit.

    Only the fields in `data` change. A scoped writer changes only records of its scope and
    points `scoped_refs` only at records of its scope.
    """
    try:
        obj = resource.model() if key is None else find(resource, key, scope=scope)
        _check_scoped_refs(resource, data, scope)
        return _apply(resource, obj, dict(data))
    except RegistryError:
        db.session.rollback()
        raise


def _check_scoped_refs(resource: Resource, data: Mapping[str, Any], scope: AccessScope) -> None:
    if scope.county:
        return
    for name, clause in resource.scoped_refs.items():
        if name not in data:
            continue
        model, _attribute, label = resource.refs[name]
        code = data[name]
        found = None
        if code is not None:
            found = db.session.scalar(db.select(model.id).where(model.code == code, clause(scope)))
        if found is None:
            values = {
                "label": named(label, name.capitalize()),
                "code": code,
                "resource": named(resource.label, resource.name),
            }
            raise RegistryError("out_of_scope", say(REF_OUT_OF_SCOPE, **values))


def _apply(resource: Resource, obj: Any, data: dict[str, Any]) -> Any:
    errors: dict[str, list[str]] = {}
    extra = {name: data.pop(name) for name in resource.extra if name in data}
    changes: Changes = {}
    with db.session.no_autoflush:
        for name, (model, attribute, label) in resource.refs.items():
            if name not in data:
                continue
            code = data.pop(name)
            target_id = None
            if code is not None:
                target_id = db.session.scalar(db.select(model.id).where(model.code == code))
                if target_id is None:
                    errors[name] = [f"{label}编码“{code}”不存在，请先登记该{label}"]
            data[attribute] = target_id
        for name, value in data.items():
            old = getattr(obj, name)
            if old != value:
                changes[name] = (old, value)
                setattr(obj, name, value)
        if errors:
            raise RegistryError.invalid(errors)
        problems = resource.check(obj) if resource.check else {}
        if problems:
            raise RegistryError.invalid({name: [text] for name, text in problems.items()})
        if resource.key == "code":
            _check_unique(resource, obj, Unique(("code",), f"{resource.label}编码“{{code}}”已存在"))
        for rule in resource.unique:
            _check_unique(resource, obj, rule)
    db.session.add(obj)
    try:
        db.session.flush()
        if resource.scope_type and "code" in changes:
            rename_code(resource.scope_type, *changes["code"])
        if resource.after:
            resource.after(obj, extra, changes)
        bump_data_version(db.session)
        db.session.commit()
    except IntegrityError as exc:
        raise RegistryError(
            "conflict", f"与已有的{resource.label}冲突，未保存（{exc.orig}）"
        ) from None
    return obj


def _check_unique(resource: Resource, obj: Any, rule: Unique) -> None:
    values = {name: getattr(obj, name) for name in rule.fields}
    if rule.nulls_distinct and any(value is None for value in values.values()):
        return
    model = resource.model
    clauses = [
        getattr(model, name).is_(None) if value is None else getattr(model, name) == value
        for name, value in values.items()
    ]
    if obj.id is not None:
        clauses.append(model.id != obj.id)
    if db.session.scalar(db.select(model.id).where(*clauses).limit(1)) is not None:
        raise RegistryError("conflict", rule.message.format(**values))


def remove(resource: Resource, key: Any, *, scope: AccessScope) -> None:
    """Delete the record `key` of `scope` unless other records still use it (`in_use` names
    them)."""
    try:
        obj = find(resource, key, scope=scope)
        reasons = resource.usage(obj) if resource.usage else []
        if reasons:
            raise RegistryError(
                "in_use",
                f"{resource.label}“{key}”仍被使用（{'、'.join(reasons)}），请先删除或改挂这些记录",
            )
        db.session.delete(obj)
        try:
            db.session.flush()
            if resource.removed:
                resource.removed(obj)
            bump_data_version(db.session)
            db.session.commit()
        except IntegrityError as exc:
            raise RegistryError(
                "in_use", f"{resource.label}“{key}”仍被其他记录使用，无法删除（{exc.orig}）"
            ) from None
    except RegistryError:
        db.session.rollback()
        raise
