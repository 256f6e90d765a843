"""`cunbo metrics …` prints the API's JSON, or a readable table."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from app.extensions import db
from app.metrics.rollup_write import rebuild_all
from tests.figures_json import retail

if TYPE_CHECKING:
    from flask.testing import FlaskCliRunner

    from .conftest import County

D = dt.date


def test_retail_json_is_the_api_json(county: County, runner: FlaskCliRunner) -> None:
    c = county
    c.add(c.line("S01", "a", "100", day=D(2024, 3, 5)), c.line("S02", "b", "9", day=D(2024, 3, 9)))
    rebuild_all()
    db.session.commit()
    args = ["metrics", "retail", "--from", "2024-03-01", "--to", "2024-03-31", "--by", "shop"]
    result = runner.invoke(args=[*args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == retail("2024-03-01", "2024-03-31", by="shop")
    table = runner.invoke(args=args)
    assert "许营好品旗舰店" in table.output and "109.00" in table.output


def test_every_command_answers(county: County, runner: FlaskCliRunner) -> None:
    for args in (
        ["growth", "--month", "2024-03"],
        ["premium", "--brand", "B01", "--from", "2024-01-01", "--to", "2024-12-31"],
        ["sessions", "--from", "2024-03-01", "--to", "2024-03-31"],
        ["live", "--year", "2024"],
        ["targets", "--year", "2024", "--as-of", "2024-03-31"],
    ):
        result = runner.invoke(args=["metrics", *args, "--json"])
        assert result.exit_code == 0, (args, result.output)
        json.loads(result.output)
        assert runner.invoke(args=["metrics", *args]).exit_code == 0


def test_bad_input_exits_with_a_message(county: County, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["metrics", "growth", "--month", "2024-3"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output
    result = runner.invoke(
        args=["metrics", "retail", "--from", "2024-01-01", "--to", "2024-01-31", "--scope", "x:y"]
    )
    assert result.exit_code == 2 and "scope" in result.output
