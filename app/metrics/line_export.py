"""Every chosen line as plain tuples, a batch at a time: what the CSV and XLSX files of
`/api/v1/lines` are written from, at tens of thousands of lines a second with flat memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import Numeric, func, literal_column, select, type_coerce

from app.extensions import db
from app.metrics.line_filters import LineFilters
from app.metrics.lines import chosen_lines
from app.models import LiveRoom, LiveSession, Money, OrderLine, Product, SalesImport, Shop, Streamer

if TYPE_CHECKING:
    from app.auth.scope import AccessScope


# The columns of `iter_export_rows`' tuples, in the order the exported files show them.
EXPORT_COLUMNS = (
    "id",
    "platform",
    "shop_code",
    "shop_name",
    "order_id",
    "line_id",
    "product_code",
    "product_name",  # the registered name, else the exported one
    "raw_product_name",
    "quantity",
    "paid",
    "refund",
    "net",
    "status",
    "raw_status",
    "paid_at",  # Beijing time as text, YYYY-MM-DD HH:MM:SS
    "room",  # the room's nickname, else its code
    "streamer",  # the session's streamer, else the exported nickname
    "session_id",
    "source",
    "import_id",
    "file_name",
)


def iter_export_rows(
    filters: LineFilters, access: AccessScope, batch: int = 5000
) -> Iterator[list[tuple[Any, ...]]]:
    """Every chosen line as a plain tuple in EXPORT_COLUMNS order, `batch` lines at a time.

    For files of a million lines: the line's own columns are read through a server-side cursor
    (flat memory), with the money as the database's Decimals and the payment time formatted
    by the database; the names of shops, products, rooms, streamers and imports come from
    lookups filled once per batch for the ids not seen yet, not from joins on every line.
    Order: newest payment first, as the pages.
    """
    line = OrderLine
    dialect = db.session.get_bind().dialect.name
    stmt = chosen_lines(select(line.id).select_from(line), filters, access).with_only_columns(
        line.id,
        line.platform,
        line.shop_id,
        line.order_id,
        line.line_id,
        line.product_id,
        line.product_name,
        line.quantity,
        _money(line.paid_amount, dialect),
        _money(line.refund_amount, dialect),
        _money(line.paid_amount - line.refund_amount, dialect),
        line.status,
        line.raw_status,
        _beijing_text(line.paid_at, dialect),
        line.room_id,
        line.session_id,
        line.streamer_nickname,
        line.source,
        line.import_id,
    )
    stmt = stmt.order_by(line.pay_day.desc(), line.paid_at.desc(), line.id.desc())
    names = _Names()
    connection = db.session.connection().execution_options(stream_results=True, yield_per=batch)
    result = connection.execute(stmt)
    try:
        for part in result.partitions(batch):
            names.fill(part)
            shops, products, rooms = names.shops, names.products, names.rooms
            streamers, files = names.streamers, names.files
            rows = []
            for (
                line_id,
                platform,
                shop_id,
                order_id,
                sub_id,
                product_id,
                raw_name,
                quantity,
                paid,
                refund,
                net,
                status,
                raw_status,
                paid_at,
                room_id,
                session_id,
                nickname,
                source,
                import_id,
            ) in part:
                shop_code, shop_name = shops[shop_id]
                product_code, product_name = products.get(product_id, _NO_NAME)
                rows.append(
                    (
                        line_id,
                        platform,
                        shop_code,
                        shop_name,
                        order_id,
                        sub_id,
                        product_code,
                        product_name or raw_name,
                        raw_name,
                        quantity,
                        paid,
                        refund,
                        net,
                        status,
                        raw_status,
                        paid_at,
                        rooms.get(room_id),
                        streamers.get(session_id) or nickname,
                        session_id,
                        source,
                        import_id,
                        files[import_id],
                    )
                )
            yield rows
    finally:
        result.close()


_NO_NAME: tuple[None, None] = (None, None)


def _money(amount: Any, dialect: str) -> Any:
    # PostgreSQL's driver gives NUMERIC(14, 2) as exact Decimals already (no per-value step).
    return type_coerce(amount, Money() if dialect == "sqlite" else Numeric(14, 2))


def _beijing_text(moment: Any, dialect: str) -> Any:
    # Asia/Shanghai has kept UTC+8 without daylight saving since 1991; the lines are 2000+.
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M:%S", moment, "+8 hours")
    shifted = moment + literal_column("interval '8 hours'")
    return func.to_char(shifted, "YYYY-MM-DD HH24:MI:SS")


class _Names:
    """Codes and names by id, filled for the ids a batch of export rows brings."""

    def __init__(self) -> None:
        self.shops: dict[int, tuple[str, str]] = {}
        self.products: dict[int | None, tuple[str | None, str | None]] = {}
        self.rooms: dict[int | None, str] = {}
        self.streamers: dict[int | None, str | None] = {}
        self.files: dict[int, str] = {}

    def fill(self, part: Any) -> None:
        shops = {row[2] for row in part} - self.shops.keys()
        products = {row[5] for row in part} - self.products.keys() - {None}
        rooms = {row[14] for row in part} - self.rooms.keys() - {None}
        sessions = {row[15] for row in part} - self.streamers.keys() - {None}
        imports = {row[18] for row in part} - self.files.keys()
        run = db.session.execute
        if shops:
            found = run(select(Shop.id, Shop.code, Shop.name).where(Shop.id.in_(shops)))
            self.shops.update((row_id, (code, name)) for row_id, code, name in found)
        if products:
            coded = select(Product.id, Product.code, Product.name).where(Product.id.in_(products))
            self.products.update((row_id, (code, name)) for row_id, code, name in run(coded))
        if rooms:
            shown = func.coalesce(func.nullif(LiveRoom.nickname, ""), LiveRoom.code)
            found_rooms = run(select(LiveRoom.id, shown).where(LiveRoom.id.in_(rooms)))
            self.rooms.update((row_id, name) for row_id, name in found_rooms)
        if sessions:
            streamed = (
                select(LiveSession.id, Streamer.name)
                .outerjoin(Streamer, Streamer.id == LiveSession.streamer_id)
                .where(LiveSession.id.in_(sessions))
            )
            self.streamers.update((row_id, name) for row_id, name in run(streamed))
        if imports:
            named = select(SalesImport.id, SalesImport.file_name)
            found_files = run(named.where(SalesImport.id.in_(imports)))
            self.files.update((row_id, name) for row_id, name in found_files)
