"""List / get / create / replace / update / delete endpoints for one registry entity.

Each entity is described once by a `Resource`; `crud_blueprint` turns it into a flask-smorest
Blueprint whose inputs and outputs are declared by marshmallow schemas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from webargs.flaskparser import abort  # flask-smorest's abort, typed NoReturn

from app.api.errors import add_error_messages
from app.api.registry_schemas import ListArgsSchema
from app.auth import AccessScope, api_guard, current_scope
from app.extensions import db
from app.registry.usage import rename_code

Changes = dict[str, tuple[Any, Any]]


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
    # field → (model referred to, foreign-key attribute, label); the JSON carries codes.
    refs: dict[str, tuple[Any, str, str]] = field(default_factory=dict)
    unique: tuple[Unique, ...] = ()
    # query argument → (marshmallow field, value → WHERE clause)
    filters: dict[str, tuple[fields.Field, Callable[[Any], Any]]] = field(default_factory=dict)
    # fields the schema loads but the hook `after` stores (e.g. a streamer's rooms)
    extra: tuple[str, ...] = ()
    check: Callable[[Any], dict[str, str]] | None = None
    after: Callable[[Any, dict[str, Any], Changes], None] | None = None
    usage: Callable[[Any], list[str]] | None = None
    # the target scope type naming this entity by code (targets and user scopes follow renames)
    scope_type: str | None = None
    # the rows a user's scope may read (see app.auth.rows); None: every signed-in user reads all
    visible: Callable[[AccessScope], Any] | None = None
    # roles that may create, change and delete; a writer without the county's scope changes
    # only `visible` rows, and may point `scoped_refs` only at rows of its scope
    write_roles: tuple[str, ...] = ("admin",)
    # field of `refs` → the referenced rows a scoped writer may name (see app.auth.rows)
    scoped_refs: dict[str, Callable[[AccessScope], Any]] = field(default_factory=dict)


def find(resource: Resource, key: Any, *where: Any) -> Any:
    """The entity by code (or id), or a 404 saying which one is missing (or out of `where`)."""
    column = getattr(resource.model, resource.key)
    found = db.session.scalars(db.select(resource.model).where(column == key, *where)).first()
    if found is None:
        what = "编号" if resource.key == "id" else "编码"
        message = f"{resource.label}{what}“{key}”不存在"
        if where:  # a scoped caller: the row may exist outside the scope, which is not revealed
            message += (
                f"或不在您的管辖范围内 / No {resource.name} with {resource.key} {key} in your scope"
            )
        abort(404, message=message)
    return found


def check_scoped_refs(resource: Resource, data: dict[str, Any], scope: AccessScope) -> None:
    """403 when a scoped writer points a reference at a row outside its scope (or at none)."""
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
            abort(
                403,
                message=f"{label}“{code}”不存在或不在您的管辖范围内，不能为它登记{resource.label}。"
                f" / {name.capitalize()} {code} does not exist or is outside your scope.",
            )


def write(resource: Resource, obj: Any, data: dict[str, Any]) -> Any:
    """Apply validated input to `obj` (new or existing), check it, and commit."""
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
            abort(422, errors={"json": errors}, message=_message(errors))
        problems = resource.check(obj) if resource.check else {}
        if problems:
            messages = {name: [text] for name, text in problems.items()}
            abort(422, errors={"json": messages}, message=_message(messages))
        if resource.key == "code":
            rule = Unique(("code",), f"{resource.label}编码“{{code}}”已存在")
            _check_unique(resource, obj, rule)
        for rule in resource.unique:
            _check_unique(resource, obj, rule)
    db.session.add(obj)
    try:
        db.session.flush()
        if resource.scope_type and "code" in changes:
            rename_code(resource.scope_type, *changes["code"])
        if resource.after:
            resource.after(obj, extra, changes)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        abort(409, message=f"与已有的{resource.label}冲突，未保存（{exc.orig}）")
    return obj


def _message(errors: dict[str, list[str]]) -> str:
    return "输入有误：" + "；".join(f"{name}: {' '.join(texts)}" for name, texts in errors.items())


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
        abort(409, message=rule.message.format(**values))


def remove(resource: Resource, obj: Any, key: Any) -> None:
    """Delete `obj` unless other records still use it (409 naming them)."""
    reasons = resource.usage(obj) if resource.usage else []
    if reasons:
        abort(
            409,
            message=f"{resource.label}“{key}”仍被使用（{'、'.join(reasons)}），"
            "请先删除或改挂这些记录",
        )
    db.session.delete(obj)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        abort(409, message=f"{resource.label}“{key}”仍被其他记录使用，无法删除（{exc.orig}）")


def listing(resource: Resource, args: dict[str, Any], *where: Any) -> dict[str, Any]:
    """One page of the entity, searched by `q` and filtered by the resource's filters."""
    query = db.select(resource.model).where(*where).order_by(*resource.order)
    text = (args.get("q") or "").strip()
    if text and resource.search:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(*(column.ilike(pattern, escape="\\") for column in resource.search))
        )
    for name, (_field, clause) in resource.filters.items():
        if args.get(name) is not None:
            query = query.where(clause(args[name]))
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    return {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


def crud_blueprint(resource: Resource) -> Blueprint:
    """A Blueprint with the five endpoints of `resource` under /<name>."""
    blp = Blueprint(resource.name, __name__, description=f"{resource.label} ({resource.name})")
    add_error_messages(blp)
    # Anyone signed in may read the registry rows in their scope; `write_roles` change them
    # (the county administrator, and e.g. brand managers their own brands' baselines).
    api_guard(blp, write_roles=resource.write_roles)
    schema = resource.schema
    base_name = schema.__name__.removesuffix("Schema")
    patch_schema = type(f"{base_name}PatchSchema", (schema,), {})
    page_schema = Schema.from_dict(
        {
            "items": fields.List(fields.Nested(schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
            "pages": fields.Integer(),
        },
        name=f"{base_name}PageSchema",
    )
    args_schema = type(
        f"{base_name}ListArgsSchema",
        (ListArgsSchema,),
        {name: spec for name, (spec, _clause) in resource.filters.items()},
    )
    collection = f"/{resource.name}"
    item = f"/{resource.name}/<{'int' if resource.key == 'id' else 'string'}:key>"
    noun = resource.name

    def in_scope() -> tuple[Any, ...]:
        scope = current_scope()
        return () if resource.visible is None or scope.county else (resource.visible(scope),)

    def writable(data: dict[str, Any], key: Any = None) -> Any:
        """The row to change (None: a new one), if it and its new references are in scope."""
        obj = resource.model() if key is None else find(resource, key, *in_scope())
        check_scoped_refs(resource, data, current_scope())
        return obj

    def list_view(args: dict[str, Any]) -> Any:
        return listing(resource, args, *in_scope())

    def create_view(data: dict[str, Any]) -> Any:
        return write(resource, writable(data), data)

    def get_view(key: Any) -> Any:
        return find(resource, key, *in_scope())

    def replace_view(data: dict[str, Any], key: Any) -> Any:
        # PUT replaces the whole entity: optional fields left out become empty.
        for name, spec in schema().load_fields.items():
            if spec.allow_none:
                data.setdefault(spec.attribute or name, None)
        return write(resource, writable(data, key), data)

    def update_view(data: dict[str, Any], key: Any) -> Any:
        return write(resource, writable(data, key), data)

    def delete_view(key: Any) -> None:
        remove(resource, find(resource, key, *in_scope()), key)

    # flask-smorest reads the docstring when the route is registered: set it first.
    list_view.__doc__ = f"List {noun}, a page at a time, searched by `q`"
    create_view.__doc__ = f"Create one of {noun}"
    get_view.__doc__ = f"Get one of {noun}"
    replace_view.__doc__ = f"Replace one of {noun}: fields left out are emptied"
    update_view.__doc__ = f"Update the fields given of one of {noun}"
    delete_view.__doc__ = f"Delete one of {noun}; 409 while other records use it"

    blp.route(collection, methods=["GET"], endpoint="list")(
        blp.arguments(args_schema, location="query")(blp.response(200, page_schema)(list_view))
    )
    blp.route(collection, methods=["POST"], endpoint="create")(
        blp.arguments(schema)(blp.response(201, schema)(create_view))
    )
    blp.route(item, methods=["GET"], endpoint="get")(blp.response(200, schema)(get_view))
    blp.route(item, methods=["PUT"], endpoint="replace")(
        blp.arguments(schema)(blp.response(200, schema)(replace_view))
    )
    blp.route(item, methods=["PATCH"], endpoint="update")(
        blp.arguments(patch_schema(partial=True))(blp.response(200, schema)(update_view))
    )
    blp.route(item, methods=["DELETE"], endpoint="delete")(blp.response(204)(delete_view))
    return blp
