"""Every chosen line as CSV made by PostgreSQL itself (`COPY (SELECT …) TO STDOUT`).

The same cells as the portable path (`app.metrics.line_export.iter_export_rows` turned into
cells by the API): the names of shops, products, rooms, streamers and files joined in; platform
and status by their Chinese names; text a spreadsheet would run as a formula with a leading
apostrophe (the rule of `app.spreadsheet.runs_as_formula`, written as a regular expression); the
payment time in Beijing time. The database formats and quotes every cell and streams the rows
as it reads them, so a million lines leave at the speed of the disk, with flat memory here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, case, cast, func, literal, literal_column, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.codes import LINE_STATUSES, PLATFORMS
from app.extensions import db
from app.metrics.line_filters import LineFilters
from app.metrics.lines import chosen_lines
from app.models import LiveRoom, LiveSession, OrderLine, Product, SalesImport, Shop, Streamer

if TYPE_CHECKING:
    from app.auth.scope import AccessScope

CHUNK = 1024 * 1024  # bytes handed on at a time
# app.spreadsheet.FORMULA_STARTS and PLAIN_NUMBER in PostgreSQL's regular expressions.
_FORMULA_START = "^[-=+@\t\r]"
_PLAIN_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def copy_supported() -> bool:
    """Whether the session's database can write the CSV itself (PostgreSQL through psycopg)."""
    return db.session.get_bind().dialect.name == "postgresql"


def iter_csv_rows(filters: LineFilters, access: AccessScope) -> Iterator[bytes]:
    """The chosen lines' CSV rows (no header, UTF-8, `\\n` line ends), ~1 MB at a time, newest
    payment first, in the columns of `app.metrics.line_export.EXPORT_COLUMNS`."""
    compiled = _select(filters, access).compile(
        dialect=db.session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    params = _bound(compiled)
    raw = db.session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        statement = f"COPY ({compiled.string}) TO STDOUT WITH (FORMAT csv)"
        with cursor.copy(statement, params) as copy:
            buffer = bytearray()
            for data in copy:
                buffer += data
                if len(buffer) >= CHUNK:
                    yield bytes(buffer)
                    buffer.clear()
            if buffer:
                yield bytes(buffer)


def _bound(compiled: Any) -> Mapping[str, Any]:
    """The statement's parameters as the driver takes them (the column types' own bind steps)."""
    processors = compiled._bind_processors
    values = compiled.construct_params()
    return {
        name: processors[name](value) if name in processors else value
        for name, value in values.items()
    }


def _select(filters: LineFilters, access: AccessScope) -> Any:
    line = OrderLine
    shop, product, room = aliased(Shop), aliased(Product), aliased(LiveRoom)
    session, streamer, upload = aliased(LiveSession), aliased(Streamer), aliased(SalesImport)
    room_name = func.coalesce(func.nullif(room.nickname, ""), room.code)
    stmt = chosen_lines(select(line.id).select_from(line), filters, access)
    stmt = (
        stmt.join(shop, shop.id == line.shop_id)
        .outerjoin(product, product.id == line.product_id)
        .outerjoin(room, room.id == line.room_id)
        .outerjoin(session, session.id == line.session_id)
        .outerjoin(streamer, streamer.id == session.streamer_id)
        .join(upload, upload.id == line.import_id)
    )
    return stmt.with_only_columns(
        line.id,
        _label(line.platform, PLATFORMS),
        _text(shop.code),
        _text(shop.name),
        _text(line.order_id),
        _text(line.line_id),
        _text(product.code),
        _text(func.coalesce(product.name, line.product_name)),
        _text(line.product_name),
        line.quantity,
        line.paid_amount,
        line.refund_amount,
        line.paid_amount - line.refund_amount,
        _label(line.status, LINE_STATUSES),
        _text(line.raw_status),
        func.to_char(line.paid_at + literal_column("interval '8 hours'"), "YYYY-MM-DD HH24:MI:SS"),
        _text(room_name),
        _text(func.coalesce(streamer.name, line.streamer_nickname)),
        line.session_id,
        _text(line.source),
        line.import_id,
        _text(upload.file_name),
    ).order_by(line.pay_day.desc(), line.paid_at.desc(), line.id.desc())


def _label(code: Any, names: Mapping[str, str]) -> ColumnElement[Any]:
    """A code by its Chinese name (an unknown code as itself)."""
    return case(*((code == key, literal(name)) for key, name in names.items()), else_=code)


def _text(value: Any) -> ColumnElement[Any]:
    """Text from a file or the registry: empty as no value (as the portable writer leaves it),
    and with a leading apostrophe where a spreadsheet would run it as a formula."""
    text = func.nullif(cast(value, String), "")
    formula = text.regexp_match(_FORMULA_START) & ~text.regexp_match(_PLAIN_NUMBER)
    return case((formula, literal("'") + text), else_=text)
