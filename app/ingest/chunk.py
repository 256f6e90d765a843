"""The unit handed to the loader: normalised order lines plus the rows left out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .errors import RowError

STR_COLUMNS = (
    "order_id",
    "line_id",
    "platform_product_id",
    "merchant_code",
    "product_name",
    "status",
    "raw_status",
    "streamer_id",
    "streamer_nickname",
    "province",
    "shop_ref",
)
LINE_COLUMNS = (
    "row",
    "order_id",
    "line_id",
    "platform_product_id",
    "merchant_code",
    "product_name",
    "quantity",
    "paid_fen",
    "refund_fen",
    "status",
    "raw_status",
    "created_at",
    "paid_at",
    "streamer_id",
    "streamer_nickname",
    "live",
    "province",
    "shop_ref",
    "zero_value",
)
STATUSES = ("unpaid", "paid", "shipped", "completed", "refunded", "cancelled", "unknown")


@dataclass
class Chunk:
    """Valid lines (`lines`, columns LINE_COLUMNS) and rejected rows (`errors`) of one slice."""

    lines: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    progress: float = 0.0

    def records(self) -> Iterator[dict[str, Any]]:
        """Lines as plain dicts: None for missing, int, bool, naive datetime (UTC)."""
        frame = self.lines.astype(object)
        frame = frame.where(self.lines.notna(), None)
        for rec in frame.to_dict("records"):
            for key in ("created_at", "paid_at"):
                if rec[key] is not None:
                    rec[key] = rec[key].to_pydatetime()
            yield rec
