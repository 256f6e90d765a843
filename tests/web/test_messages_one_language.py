"""Refusals are said whole in one language: Chinese with no English tail, English on request."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.metrics.errors import MetricsError
from app.metrics.indicators import indicator_value
from app.metrics.periods import month_period, parse_month
from app.metrics.premium import premium
from app.metrics.scope import COUNTY, parse_scope

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.usefixtures("registry")
def test_metrics_refusals_are_chinese_with_their_english_apart(app: Flask) -> None:
    with app.app_context():
        period = month_period(parse_month("2024-06"))
        cases = {
            lambda: parse_scope("township:T99"): ("未知乡镇编码“T99”", "Unknown township code T99"),
            lambda: premium("B99", "2024-01-01", "2024-06-30"): (
                "未知品牌编码“B99”",
                "Unknown brand code B99",
            ),
            lambda: indicator_value("no_such", COUNTY, period): (
                "未知指标“no_such”",
                "Unknown indicator no_such",
            ),
        }
        for call, (chinese, english) in cases.items():
            with pytest.raises(MetricsError) as refused:
                call()
            assert str(refused.value) == refused.value.say("zh") == chinese
            assert not LATIN_WORD.search(chinese.replace("no_such", ""))
            assert refused.value.say("en") == english
