"""Printing helpers shared by the commands."""

from __future__ import annotations

import json
from typing import Any

import click


def echo_json(payload: Any) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
