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


# (endpoint, status, Chinese, English): one refusal per edge that shows a domain error.
REFUSALS = [
    (
        "/api/v1/metrics/retail?from=2024-01-01&to=2024-06-30&scope=township:T99",
        400,
        "未知乡镇编码“T99”",
        "Unknown township code T99",
    ),
    ("/api/v1/lines?scope=village:Z99", 422, "未知村编码“Z99”", "Unknown village code Z99"),
    (
        "/api/v1/reports/monthly/2024-13.xlsx",
        400,
        "月份“2024-13”应写成 YYYY-MM（2000 至 2100 年），如 2024-03",
        "Month 2024-13 should be written YYYY-MM (years 2000 to 2100), e.g. 2024-03",
    ),
    ("/api/v1/imports/987654", 404, "导入编号“987654”不存在。", "Import 987654 not found."),
]


@pytest.mark.parametrize(
    ("path", "status", "zh", "en"), REFUSALS, ids=["metrics", "lines", "reports", "imports"]
)
def test_a_refusal_is_said_in_the_readers_language(
    client_as: ClientFactory, path: str, status: int, zh: str, en: str
) -> None:
    client = client_as("admin")
    joiner = "&" if "?" in path else "?"

    chinese = client.get(path)
    english = client.get(f"{path}{joiner}lang=en")

    assert chinese.status_code == english.status_code == status
    assert chinese.json["message"] == zh
    if "YYYY" not in zh:  # the month's pattern is the one Latin word a Chinese refusal may hold
        _no_english(chinese.json["message"])
    assert english.json["message"] == en


def test_sessions_by_brand_are_refused_in_chinese_or_in_english(app: Flask) -> None:
    with app.app_context(), pytest.raises(MetricsError) as refused:
        session_counts(month_period(dt.date(2024, 6, 1)), Scope("brand", "B01", 1))

    assert str(refused.value) == "直播场次不按品牌统计"
    assert refused.value.say("en") == "Sessions are not counted by brand"
