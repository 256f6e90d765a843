"""品牌溢价: explicit baselines win, else a pre-brand price from the 12 months before joining."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.premium import combined_premium
from app.metrics.premium import premium as typed_premium
from app.metrics.rollup_write import rebuild_all
from app.models import BaselinePrice
from tests.figures_json import premium

if TYPE_CHECKING:
    from .conftest import County

D = dt.date
YEAR = (D(2024, 1, 1), D(2024, 12, 31))


@pytest.fixture
def priced(county: County) -> County:
    """P001 (B01 from 2024-01-15, 2 斤 per item) sells 20 斤 for 108 元 before joining."""
    c = county
    c.add(
        c.line("S01", "a", "60", quantity=6, day=D(2023, 6, 1)),
        c.line("S01", "b", "50", quantity=5, refund="50", status="refunded", day=D(2023, 7, 1)),
        c.line("S01", "c", "48", quantity=4, day=D(2023, 8, 1)),
        c.line("S01", "d", "130", quantity=10, refund="10", day=D(2024, 2, 1)),
        c.line("S01", "e", "70", quantity=5, day=D(2024, 3, 1)),
        c.line("S01", "f", "30", quantity=3, refund="30", status="refunded", day=D(2024, 3, 2)),
        c.line("S02", "g", "70", product="P002", quantity=2, day=D(2024, 4, 1)),
    )
    db.session.add_all(
        [
            BaselinePrice(
                product_id=c["P002"],
                kind="reference",
                unit_price=Decimal("3"),
                valid_from=D(2024, 1, 1),
            ),
            # Expired before 2024: not valid in the period, so the reference price applies.
            BaselinePrice(
                product_id=c["P002"],
                kind="pre_brand",
                unit_price=Decimal("2.5"),
                valid_from=D(2020, 1, 1),
                valid_to=D(2023, 12, 31),
            ),
        ]
    )
    db.session.commit()
    rebuild_all()
    db.session.commit()
    return c


def test_brand_premium(priced: County) -> None:
    assert premium("B01", *YEAR) == {
        "brand": "B01",
        "from": "2024-01-01",
        "to": "2024-12-31",
        "premium": 0.171171,  # 260 / (30 × 5.4 + 20 × 3) − 1
        "extra_revenue": "38.00",
        "products": [
            {
                "product": "P001",
                "unit_price": 6.3333,
                "baseline": 5.4,
                "baseline_kind": "pre_brand",
                "units": 30.0,
                "net": "190.00",
                "premium": 0.17284,
                "extra_revenue": "28.00",  # 190 − 30 × 5.4
            },
            {
                "product": "P002",
                "unit_price": 3.5,
                "baseline": 3.0,
                "baseline_kind": "reference",
                "units": 20.0,
                "net": "70.00",
                "premium": 0.166667,
                "extra_revenue": "10.00",
            },
        ],
        "without_baseline": [],
        "reasons": {},
    }


def test_pre_brand_needs_twenty_pricing_units(priced: County) -> None:
    db.session.execute(db.delete(BaselinePrice))
    from app.models import OrderLine

    db.session.execute(db.delete(OrderLine).where(OrderLine.order_id == "c"))
    db.session.commit()
    rebuild_all()
    db.session.commit()
    result = premium("B01", *YEAR)
    assert result["without_baseline"] == ["P001", "P002"]
    assert result["products"] == [] and result["premium"] is None
    assert result["extra_revenue"] is None and "无可比商品" in result["reasons"]["premium"]


def test_explicit_pre_brand_wins_over_computed(priced: County) -> None:
    db.session.add(
        BaselinePrice(
            product_id=priced["P001"],
            kind="pre_brand",
            unit_price=Decimal("6"),
            valid_from=D(2023, 1, 1),
        )
    )
    db.session.commit()
    p001 = premium("B01", *YEAR)["products"][0]
    assert (p001["baseline"], p001["premium"]) == (6.0, 0.055556)


def test_brand_without_any_baseline_lists_its_products(priced: County) -> None:
    result = premium("B02", *YEAR)
    assert result["without_baseline"] == ["P004", "P006"] and result["premium"] is None
    with pytest.raises(MetricsError, match="B99"):
        premium("B99", *YEAR)


def test_rollup_and_raw_agree(priced: County) -> None:
    assert premium("B01", *YEAR) == premium("B01", *YEAR, source="raw")


def test_typed_premium_keeps_exact_ratios_and_brands_combine(priced: County) -> None:
    """The metric is exact; only the JSON rounds. Brands together weigh by volume, as one."""
    found = typed_premium("B01", *YEAR)
    # 260 / (30 × 5.4 + 20 × 3) − 1, beyond the 6 decimals the JSON keeps
    assert found.premium is not None
    assert found.premium.quantize(Decimal("1e-12")) == Decimal("0.171171171171")
    assert (found.compared_net, found.baseline_value) == (Decimal(260), Decimal(222))
    p001 = found.products[0]
    assert p001.unit_price is not None and p001.unit_price * 3 == Decimal(19)
    assert p001.extra_revenue == Decimal(28)
    without = typed_premium("B02", *YEAR)  # no baseline at all: adds nothing to the weights
    assert combined_premium([found, without]) == (found.premium, Decimal(38))
    assert combined_premium([without]) == (None, None)
