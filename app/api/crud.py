"""List / get / create / replace / update / delete endpoints for one registry resource.

Each resource is described once in app.registry.resources; `crud_blueprint` turns it into a
flask-smorest Blueprint whose inputs and outputs are its marshmallow schemas. The endpoints
call the registry's service (app.registry.records) and say its refusals as HTTP statuses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from webargs.flaskparser import abort  # flask-smorest's abort, typed NoReturn

from app.api.errors import add_error_messages
from app.api.fields import Page, PageSize
from app.api.pagination import page_json, page_schema
from app.auth import api_guard, current_scope
from app.registry import records
from app.registry.records import RegistryError, Resource
from app.wording import reader_language

STATUS = {"not_found": 404, "invalid": 422, "conflict": 409, "in_use": 409, "out_of_scope": 403}


class ListArgsSchema(Schema):
    q = fields.String(metadata={"description": "search in codes and names"})
    page = Page()
    per_page = PageSize()


def refuse(error: RegistryError) -> NoReturn:
    """The registry's refusal as the API's error answer (422 names the fields)."""
    message = error.say(reader_language())
    if error.field_errors:
        abort(STATUS[error.code], errors={"json": error.field_errors}, message=message)
    abort(STATUS[error.code], message=message)


def answering(call: Callable[..., Any]) -> Callable[..., Any]:
    """`call`, with a RegistryError it raises said as an HTTP error."""

    @functools.wraps(call)
    def view(*args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except RegistryError as error:
            refuse(error)

    return view


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
    list_schema = page_schema(schema, f"{base_name}PageSchema")
    args_schema = type(
        f"{base_name}ListArgsSchema",
        (ListArgsSchema,),
        {name: spec for name, (spec, _clause) in resource.filters.items()},
    )
    collection = f"/{resource.name}"
    item = f"/{resource.name}/<{'int' if resource.key == 'id' else 'string'}:key>"
    noun = resource.name

    def list_view(args: dict[str, Any]) -> Any:
        found = records.listing(
            resource,
            scope=current_scope(),
            page=args["page"],
            per_page=args["per_page"],
            q=args.get("q"),
            filters={name: args.get(name) for name in resource.filters},
        )
        return page_json(found)

    def create_view(data: dict[str, Any]) -> Any:
        return records.write(resource, None, data, scope=current_scope())

    def get_view(key: Any) -> Any:
        return records.find(resource, key, scope=current_scope())

    def replace_view(data: dict[str, Any], key: Any) -> Any:
        # PUT replaces the whole entity: optional fields left out become empty.
        for name, spec in schema().load_fields.items():
            if spec.allow_none:
                data.setdefault(spec.attribute or name, None)
        return records.write(resource, key, data, scope=current_scope())

    def update_view(data: dict[str, Any], key: Any) -> Any:
        return records.write(resource, key, data, scope=current_scope())

    def delete_view(key: Any) -> None:
        records.remove(resource, key, scope=current_scope())

    # flask-smorest reads the docstring when the route is registered: set it first.
    list_view.__doc__ = f"List {noun}, a page at a time, searched by `q`"
    create_view.__doc__ = f"Create one of {noun}"
    get_view.__doc__ = f"Get one of {noun}"
    replace_view.__doc__ = f"Replace one of {noun}: fields left out are emptied"
    update_view.__doc__ = f"Update the fields given of one of {noun}"
    delete_view.__doc__ = f"Delete one of {noun}; 409 while other records use it"

    blp.route(collection, methods=["GET"], endpoint="list")(
        blp.arguments(args_schema, location="query")(
            blp.response(200, list_schema)(answering(list_view))
        )
    )
    blp.route(collection, methods=["POST"], endpoint="create")(
        blp.arguments(schema)(blp.response(201, schema)(answering(create_view)))
    )
    blp.route(item, methods=["GET"], endpoint="get")(blp.response(200, schema)(answering(get_view)))
    blp.route(item, methods=["PUT"], endpoint="replace")(
        blp.arguments(schema)(blp.response(200, schema)(answering(replace_view)))
    )
    blp.route(item, methods=["PATCH"], endpoint="update")(
        blp.arguments(patch_schema(partial=True))(blp.response(200, schema)(answering(update_view)))
    )
    blp.route(item, methods=["DELETE"], endpoint="delete")(
        blp.response(204)(answering(delete_view))
    )
    return blp
