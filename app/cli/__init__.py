"""The `cunbo` command: a thin layer over the same services as the API.

The group builds the app itself (the factory knows nothing of the commands) and carries every
command below; Flask-Migrate's `db` comes with the app.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from app import create_app
from app.cli.demo import demo_command
from app.cli.imports import import_command
from app.cli.metrics import metrics
from app.cli.registry import registry
from app.cli.reports import month, report
from app.cli.run import run_command
from app.cli.users import users_group

COMMANDS: tuple[click.Command, ...] = (
    run_command,
    import_command,
    demo_command,
    users_group,
    registry,
    metrics,
    month,
    report,
)


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False)
def main() -> None:
    """村播 Cunbo — county livestream and online sales tracker."""


for _command in COMMANDS:
    main.add_command(_command)
