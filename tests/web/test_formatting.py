"""The one way pages show numbers: 元 / 万元 / 亿元, signed percentages, 百分点, whole counts,
小时 and quantities without trailing zeros, in Chinese and in English."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from flask import Flask, render_template_string

from app.web.formatting import (
    amount,
    count,
    full_number,
    hours,
    integer,
    money,
    money_number,
    percent,
    points,
    quantity,
    short_number,
    signed_percent,
)


@pytest.fixture
def page(app: Flask):
    with app.test_request_context():
        yield


@pytest.mark.usefixtures("page")
@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (Decimal("465.3"), "465.30 元", "¥465.30"),
        (Decimal("8000"), "8,000.00 元", "¥8,000.00"),
        (Decimal("29113500.456"), "2,911.35 万元", "¥29.11M"),
        (Decimal("1590000000"), "15.90 亿元", "¥1.59B"),
        (Decimal("-25000"), "-2.50 万元", "¥-25,000.00"),
        (None, "—", "—"),
    ],
)
def test_money_reads_in_yuan_wan_or_yi_with_cents(value, zh, en) -> None:
    assert money(value, language="zh") == zh
    assert money(value, language="en") == en


@pytest.mark.usefixtures("page")
def test_amount_shows_the_short_figure_with_the_exact_one_on_hover() -> None:
    assert str(amount(Decimal("465.3"))) == '<span class="num" title="465.30">465.30</span>'
    assert str(amount(Decimal("29113500.456"))) == (
        '<span class="num" title="29,113,500.46">2,911.35万</span>'
    )
    assert money_number(Decimal("1590000000"), language="en") == "1.59B"
    assert full_number(Decimal("1590000000"), language="en") == "1,590,000,000.00"


@pytest.mark.usefixtures("page")
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("0.43"), "+43.0%"),
        (Decimal("-0.06"), "−6.0%"),
        (Decimal("0"), "0.0%"),
        (Decimal("-0.0004"), "0.0%"),  # rounds to zero: no sign
        (Fraction(11, 30), "+36.7%"),
        (0.1234, "+12.3%"),
        (None, "—"),
    ],
)
def test_changes_have_one_decimal_and_a_sign(value, shown) -> None:
    assert signed_percent(value, language="zh") == shown
    assert signed_percent(value, language="en") == shown


@pytest.mark.usefixtures("page")
def test_shares_and_rates_have_one_decimal() -> None:
    assert percent(Decimal("0.43")) == "43.0%"
    assert percent(Fraction(1, 3), language="en") == "33.3%"
    assert percent(Decimal("1.2345")) == "123.5%"
    assert percent(Decimal("0.0125"), 2) == "1.25%"


@pytest.mark.usefixtures("page")
def test_differences_of_rates_are_in_points() -> None:
    assert points(Decimal("2.46")) == "+2.5"
    assert points(Decimal("-6"), unit=True, language="zh") == "−6.0 百分点"
    assert points(Decimal("-6"), unit=True, language="en") == "−6.0 pp"
    assert points(Decimal("0.01"), unit=True) == "0.0 百分点"


@pytest.mark.usefixtures("page")
def test_counts_are_whole_numbers() -> None:
    assert integer(Decimal("1497.04"), language="zh") == "1,497"
    assert integer(Decimal("1497.5"), language="en") == "1,498"
    assert str(count(Decimal("1497.04"))) == '<span class="num" title="1,497.04">1,497</span>'
    assert str(count(125000)) == '<span class="num" title="125,000">125,000</span>'
    assert str(count(None)) == '<span class="num">—</span>'


@pytest.mark.usefixtures("page")
def test_durations_are_hours_with_one_decimal() -> None:
    assert hours(Decimal("2")) == "2.0 小时"
    assert hours(Decimal("2.25"), language="en") == "2.3 h"
    assert hours(Decimal("1234.5"), unit=False) == "1,234.5"
    assert hours(None) == "—"


@pytest.mark.usefixtures("page")
def test_quantities_drop_trailing_zeros() -> None:
    assert quantity(Decimal("2.0000")) == "2"
    assert quantity(Decimal("2.5000"), language="en") == "2.5"
    assert quantity(Decimal("1234.1250")) == "1,234.125"
    assert short_number(Decimal("2.0000")) == "2"


def test_templates_format_in_the_readers_language(app: Flask) -> None:
    template = (
        "{{ v|money }}|{{ c|signed_percent }}|{{ p|points(unit=True) }}|{{ h|hours }}"
        "|{{ n|integer }}|{{ q|quantity }}"
    )
    values = {
        "v": Decimal("29113500"),
        "c": Decimal("-0.06"),
        "p": Decimal("3"),
        "h": Decimal("2"),
        "n": Decimal("1497.04"),
        "q": Decimal("2.0000"),
    }
    with app.test_request_context("/?lang=zh"):
        from flask import session

        session["lang"] = "zh"
        zh = render_template_string(template, **values)
        session["lang"] = "en"
        en = render_template_string(template, **values)
    assert zh == "2,911.35 万元|−6.0%|+3.0 百分点|2.0 小时|1,497|2"
    assert en == "¥29.11M|−6.0%|+3.0 pp|2.0 h|1,497|2"
