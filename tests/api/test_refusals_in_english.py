"""A refusal of the figures, lines, reports and imports endpoints is said in one language: Chinese,
or English for a reader who reads English (`?lang=en`), never a mix of the two."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask

from app.metrics.errors import MetricsError
from app.metrics.live import session_counts
from app.metrics.periods import month_period
from app.metrics.scope import Scope
from tests.api.conftest import ClientFactory

pytestmark = pytest.mark.usefixtures("registry")


def _no_english(message: str) -> None:
    assert not re.search("[A-Za-z]{4,}", message), message


def test_a_figure_of_an_unknown_township_is_refused_in_the_readers_language(
    client_as: ClientFactory,
) -> None:
    client = client_as("admin")
    path = "/api/v1/metrics/retail?from=2024-01-01&to=2024-06-30&scope=township:T99"

    chinese = client.get(path)
    english = client.get(path + "&lang=en")

    assert chinese.status_code == english.status_code == 400
    assert chinese.json["message"] == "未知乡镇编码“T99”"
    assert english.json["message"] == "Unknown township code T99"


def test_the_lines_of_an_unknown_village_are_refused_in_the_readers_language(
    client_as: ClientFactory,
) -> None:
    client = client_as("admin")
    path = "/api/v1/lines?scope=village:Z99"

    chinese = client.get(path)
    english = client.get(path + "&lang=en")

    assert chinese.status_code == english.status_code == 422
    assert chinese.json["message"] == "未知村编码“Z99”"
    assert english.json["message"] == "Unknown village code Z99"


def test_a_report_of_a_misspelt_month_is_refused_in_the_readers_language(
    client_as: ClientFactory,
) -> None:
    client = client_as("admin")

    chinese = client.get("/api/v1/reports/monthly/2024-13.xlsx")
    english = client.get("/api/v1/reports/monthly/2024-13.xlsx?lang=en")

    assert chinese.status_code == english.status_code == 400
    assert chinese.json["message"] == "月份“2024-13”应写成 YYYY-MM（2000 至 2100 年），如 2024-03"
    assert english.json["message"] == (
        "Month 2024-13 should be written YYYY-MM (years 2000 to 2100), e.g. 2024-03"
    )


def test_an_unknown_import_is_not_found_in_one_language(client_as: ClientFactory) -> None:
    client = client_as("admin")

    chinese = client.get("/api/v1/imports/987654")
    english = client.get("/api/v1/imports/987654?lang=en")

    assert chinese.status_code == english.status_code == 404
    assert chinese.json["message"] == "导入编号“987654”不存在。"
    _no_english(chinese.json["message"])
    assert english.json["message"] == "Import 987654 not found."


def test_sessions_by_brand_are_refused_in_chinese_or_in_english(app: Flask) -> None:
    with app.app_context(), pytest.raises(MetricsError) as refused:
        session_counts(month_period(dt.date(2024, 6, 1)), Scope("brand", "B01", 1))

    assert str(refused.value) == "直播场次不按品牌统计"
    assert refused.value.say("en") == "Sessions are not counted by brand"
