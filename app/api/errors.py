"""One error shape for the API: flask-smorest's, always with a `message` a person can act on."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from app.extensions import api


def summarise(errors: Any, prefix: str = "") -> list[str]:
    """Flatten {"json": {"field": ["msg"]}} into ["field: msg"]."""
    if isinstance(errors, dict):
        lines: list[str] = []
        for key, value in errors.items():
            # webargs nests by location ("json", "query"); the field name is what helps.
            name = prefix if key in ("json", "query", "form", "files", "_schema") else key
            if prefix and name != prefix:
                name = f"{prefix}.{key}"
            lines += summarise(value, name)
        return lines
    if isinstance(errors, list | tuple):
        return [line for item in errors for line in summarise(item, prefix)]
    return [f"{prefix}: {errors}" if prefix else str(errors)]


def with_message(error: HTTPException) -> Any:
    """flask-smorest's payload, with a summary message added to validation errors."""
    data = getattr(error, "data", None)
    if isinstance(data, dict) and "message" not in data:
        errors = data.get("errors") or data.get("messages")
        if errors:
            data["message"] = "输入有误：" + "；".join(summarise(errors))
    return api.handle_http_exception(error)


def add_error_messages(blueprint: Blueprint) -> Blueprint:
    """Give this blueprint's 400/422 answers a readable `message` beside `errors`."""
    for code in (400, 422):
        blueprint.register_error_handler(code, with_message)
    return blueprint
