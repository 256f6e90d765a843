"""The `cunbo` command: a thin layer over the same services as the API."""

from __future__ import annotations

from importlib import import_module

import click
from flask import Flask
from flask.cli import FlaskGroup

# Each module defines `commands`, a list of click commands or groups.
COMMAND_MODULES = (
    "app.cli.run",
    "app.cli.imports",
    "app.cli.demo",
    "app.cli.users",
    "app.cli.registry",
    "app.cli.metrics",
    "app.cli.reports",
)


def register_cli(app: Flask) -> None:
    for module_name in COMMAND_MODULES:
        for command in import_module(module_name).commands:
            app.cli.add_command(command)


def _create_app() -> Flask:
    from app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """村播 Cunbo — county livestream and online sales tracker."""
