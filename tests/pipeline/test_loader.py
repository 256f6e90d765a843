"""The bulk loader: inserted / updated / unchanged / stale, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import delete, event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from app.extensions import db
from app.ingest import staging
from app.ingest.loader import merge_staged
from app.ingest.matching import Matcher
from app.ingest.staging import HASHED, frame_for_staging, stage_chunk
from app.models import (
    LiveRoom,
    LiveSession,
    OrderLine,
    PlatformListing,
    Product,
    SalesImport,
    Shop,
    Township,
    Village,
)
from tests.support import xdist_worker

EXPORTED = dt.datetime(2024, 7, 1, 0, 0)


@pytest.fixture
def shop(app_ctx):
    township = Township(code="T01", name="许营镇", county="高新区")
    village = Village(code="T01V01", name="汪庄村", township=township)
    shop = Shop(code="S01", platform="douyin", name="旗舰店", village=village)
    product = Product(code="P001", name="许营焖子", category="休闲食品")
    room = LiveRoom(
        code="R01",
        platform="douyin",
        account_id="6218",
        nickname="小姚",
        village=village,
        shop=shop,
    )
    db.session.add_all([township, village, shop, product, room])
    db.session.flush()
    db.session.add_all(
        [
            PlatformListing(platform="douyin", platform_product_id="366", product_id=product.id),
            PlatformListing(platform="douyin", merchant_code="P001-DO", product_id=product.id),
            LiveSession(
                room_id=room.id,
                started_at=dt.datetime(2024, 6, 30, 12, 0),
                ended_at=dt.datetime(2024, 6, 30, 14, 0),
                sales=Decimal("10.00"),
            ),
        ]
    )
    db.session.commit()
    return shop


def _lines(**overrides) -> pd.DataFrame:
    base = {
        "row": [2, 3, 4],
        "order_id": ["A1", "A2", "A2"],
        "line_id": ["A1", "A2-1", "A2-2"],
        "platform_product_id": ["366", None, "999"],
        "merchant_code": [None, "P001-DO", None],
        "product_name": ["许营焖子", "许营焖子", "神秘商品"],
        "quantity": [1, 2, 1],
        "paid_fen": [4515, 9030, 100],
        "refund_fen": [0, 0, 100],
        "status": ["completed", "shipped", "refunded"],
        "raw_status": ["已完成", "已发货", "已关闭 / 退款成功"],
        "created_at": pd.to_datetime(["2024-06-30 12:00", "2024-06-30 16:20", "2024-06-30 16:20"]),
        "paid_at": pd.to_datetime(["2024-06-30 12:01", "2024-06-30 16:25", "2024-06-30 16:25"]),
        "streamer_id": ["6218", None, None],
        "streamer_nickname": ["小姚", None, None],
        "live": [True, False, True],
        "province": ["山东省", None, None],
        "shop_ref": [None, None, None],
        "zero_value": [False, False, False],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def _stage(shop: Shop, lines: pd.DataFrame, exported: dt.datetime = EXPORTED) -> int:
    record = SalesImport(file_name="x.csv", sha256="0" * 64, size=1, stored_path="x")
    db.session.add(record)
    db.session.flush()
    lines["shop_id"] = shop.id
    lines["platform"] = "douyin"
    frame = frame_for_staging(Matcher.load(db.session, "douyin").apply(lines), record.id, exported)
    stage_chunk(db.session.connection(), frame, attempt=1, chunk=0)
    return record.id


def _load(shop: Shop, lines: pd.DataFrame, exported: dt.datetime = EXPORTED):
    result = merge_staged(db.session.connection(), _stage(shop, lines, exported), attempt=1)
    db.session.commit()
    return result


def test_first_load_inserts_and_matches(shop):
    result = _load(shop, _lines())

    assert (result.inserted, result.updated, result.unchanged, result.stale) == (3, 0, 0, 0)
    stored = {line.line_id: line for line in db.session.scalars(select(OrderLine))}
    assert stored["A1"].paid_amount == Decimal("45.15")
    assert stored["A1"].product_id is not None  # by platform product id
    assert stored["A2-1"].product_id == stored["A1"].product_id  # by merchant code
    assert stored["A2-2"].product_id is None  # 未登记商品, raw id kept
    assert stored["A2-2"].raw_product_id == "999"
    assert stored["A1"].room_id is not None and stored["A1"].session_id is not None
    # live-flagged in a shop with exactly one room: the room, but no session at 00:25 Beijing
    assert stored["A2-2"].room_id == stored["A1"].room_id
    assert stored["A2-2"].session_id is None
    # paid 2024-06-30 16:25 UTC is 2024-07-01 00:25 in Beijing
    assert stored["A2-1"].pay_day == dt.date(2024, 7, 1)
    assert result.days == {(dt.date(2024, 6, 30), shop.id), (dt.date(2024, 7, 1), shop.id)}


def test_reload_same_lines_is_unchanged(shop):
    _load(shop, _lines())
    result = _load(shop, _lines())

    assert (result.inserted, result.updated, result.unchanged, result.stale) == (0, 0, 3, 0)
    assert result.days == set()


def test_a_file_of_new_changed_and_known_lines_stores_each_once(shop):
    _load(shop, _lines())
    later = _lines(
        row=[2, 3, 4, 5],
        order_id=["A1", "A2", "A2", "A3"],
        line_id=["A1", "A2-1", "A2-2", "A3"],
        platform_product_id=["366", None, "999", "366"],
        merchant_code=[None, "P001-DO", None, None],
        product_name=["许营焖子", "许营焖子", "神秘商品", "许营焖子"],
        quantity=[1, 2, 1, 3],
        paid_fen=[4515, 9030, 100, 13545],
        refund_fen=[4515, 0, 100, 0],
        status=["refunded", "shipped", "refunded", "paid"],
        raw_status=["已关闭 / 退款成功", "已发货", "已关闭 / 退款成功", "待发货"],
        created_at=pd.to_datetime(
            ["2024-06-30 12:00", *["2024-06-30 16:20"] * 2, "2024-07-02 09:00"]
        ),
        paid_at=pd.to_datetime(["2024-06-30 12:01", *["2024-06-30 16:25"] * 2, "2024-07-02 09:05"]),
        streamer_id=["6218", None, None, None],
        streamer_nickname=["小姚", None, None, None],
        live=[True, False, True, False],
        province=["山东省", None, None, "河南省"],
        shop_ref=[None] * 4,
        zero_value=[False] * 4,
    )

    result = _load(shop, later, EXPORTED + dt.timedelta(days=1))

    assert (result.inserted, result.updated, result.unchanged, result.stale) == (1, 1, 2, 0)
    stored = {line.line_id: line for line in db.session.scalars(select(OrderLine))}
    assert len(stored) == 4
    assert stored["A1"].refund_amount == Decimal("45.15")
    assert stored["A3"].paid_amount == Decimal("135.45")
    assert stored["A3"].first_import_id == stored["A3"].import_id
    assert stored["A1"].first_import_id != stored["A1"].import_id  # changed by the later file
    assert stored["A2-1"].import_id == stored["A2-1"].first_import_id  # unchanged: left alone


def test_a_merge_rolled_back_leaves_nothing_in_the_way_of_the_next(shop):
    _load(shop, _lines())
    one_more = _lines(
        row=[2, 3, 4, 5],
        order_id=["A1", "A2", "A2", "A4"],
        line_id=["A1", "A2-1", "A2-2", "A4"],
        **{
            name: [*values, values[0]]
            for name, values in _lines().items()
            if name not in ("row", "order_id", "line_id")
        },
    )
    import_id = _stage(shop, one_more)
    db.session.commit()  # staged in transactions of their own, as the import task stages

    merge_staged(db.session.connection(), import_id, attempt=1)
    db.session.rollback()  # the merge failed (the database went away, say): nothing kept
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 3

    result = merge_staged(db.session.connection(), import_id, attempt=1)
    db.session.commit()
    assert (result.inserted, result.unchanged) == (1, 3)
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 4


def test_newer_export_updates_and_older_is_stale(shop):
    _load(shop, _lines())
    refunded = _lines(refund_fen=[4515, 0, 100], status=["refunded", "shipped", "refunded"])

    newer = _load(shop, refunded, EXPORTED + dt.timedelta(days=1))
    older = _load(shop, _lines(), EXPORTED - dt.timedelta(days=1))

    assert (newer.inserted, newer.updated, newer.unchanged) == (0, 1, 2)
    assert (older.updated, older.stale) == (0, 3)
    line = db.session.scalar(select(OrderLine).where(OrderLine.line_id == "A1"))
    assert line.refund_amount == Decimal("45.15")  # the older export did not undo the refund


def test_line_hashes_are_the_ones_stored_by_earlier_releases(shop):
    """A re-import of a file loaded before this way of hashing finds its lines unchanged."""
    midnight = pd.to_datetime(["2024-06-30 00:00", "2024-06-30 00:00", "2024-07-01 00:00"])
    for lines in (_lines(), _lines(created_at=midnight, paid_at=midnight, province=[None] * 3)):
        lines["shop_id"], lines["platform"] = shop.id, "douyin"
        frame = frame_for_staging(Matcher.load(db.session, "douyin").apply(lines), 1, EXPORTED)
        earlier = pd.util.hash_pandas_object(frame[list(HASHED)].astype("string"), index=False)

        assert frame["row_hash"].tolist() == earlier.to_numpy().view("int64").tolist()


def test_line_hashes_keep_their_values_across_pandas_releases():
    """row_hash is stored: a pandas upgrade that hashed differently would make every line of
    every re-import look changed. These values are the ones the hash gave before and after it
    was computed from distinct values."""
    frame = pd.DataFrame(
        {
            "platform": ["douyin", "douyin"],
            "shop_id": [1, 1],
            "order_id": ["A1", "A2"],
            "line_id": ["A1", "A2-1"],
            "product_id": pd.array([7, None], dtype="Int64"),
            "raw_product_id": ["366", None],
            "merchant_code": [None, "P001-DO"],
            "product_name": ["许营焖子", "许营焖子"],
            "quantity": [1, 2],
            "paid_amount": [4515, 9030],
            "refund_amount": [0, 0],
            "status": ["completed", "shipped"],
            "raw_status": ["已完成", "已发货"],
            "created_at": pd.to_datetime(["2024-06-30 12:00", "2024-06-30 16:20"]).as_unit("us"),
            "paid_at": pd.to_datetime(["2024-06-30 12:01", "2024-06-30 16:25"]).as_unit("us"),
            "pay_day": [dt.date(2024, 6, 30), dt.date(2024, 7, 1)],
            "streamer_ref": ["6218", None],
            "streamer_nickname": ["小姚", None],
            "live": [True, False],
            "room_id": pd.array([3, None], dtype="Int64"),
            "session_id": pd.array([None, None], dtype="Int64"),
            "province": ["山东省", None],
            "zero_value": [False, False],
            "source": ["order", "order"],
        }
    )

    assert list(frame.columns) == list(HASHED)
    assert staging._line_hashes(frame).view("int64").tolist() == [
        -4887220061990735230,
        -4886637723240735588,
    ]


def _session_id() -> int:
    return db.session.scalar(select(LiveSession.id))


def test_a_line_whose_session_was_deleted_meanwhile_fails_the_merge(shop):
    import_id = _stage(shop, _lines())
    db.session.commit()
    db.session.execute(delete(LiveSession))  # deleted while the file was being staged
    db.session.commit()

    with pytest.raises(IntegrityError):
        merge_staged(db.session.connection(), import_id, attempt=1)
    db.session.rollback()

    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 0


def test_what_the_merged_lines_refer_to_cannot_be_deleted_before_the_merge_commits(shop):
    import_id = _stage(shop, _lines())
    db.session.commit()
    merge_staged(db.session.connection(), import_id, attempt=1)  # not committed yet

    with db.engine.connect() as other:
        if other.dialect.name == "postgresql":
            other.execute(text("SET lock_timeout = '300ms'"))
        else:
            other.execute(text("PRAGMA busy_timeout = 300"))
        with pytest.raises(OperationalError):
            other.execute(text("DELETE FROM live_sessions WHERE id = :id"), {"id": _session_id()})
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(LiveSession)) == 1


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def _replica(statements: list[str]) -> int:
    return sum("session_replication_role = replica" in s for s in statements)


def test_on_postgresql_the_merge_checks_references_once_instead_of_per_line(shop):
    """The suite's PostgreSQL role is a superuser, which may switch the per-row checks off."""
    import_id = _stage(shop, _lines())
    db.session.commit()

    with _statements() as statements:
        result = merge_staged(db.session.connection(), import_id, attempt=1)
        db.session.commit()

    assert result.inserted == 3
    assert _replica(statements) == (1 if db.engine.dialect.name == "postgresql" else 0)


@pytest.mark.parametrize("granted", [False, True])
def test_a_role_checks_references_once_only_when_granted_the_parameter(shop, granted):
    """README, Production: `GRANT SET ON PARAMETER session_replication_role` to the app's role;
    without it every line is checked, with the same result."""
    import_id = _stage(shop, _lines())
    db.session.commit()
    postgresql = db.engine.dialect.name == "postgresql"
    role = f"cunbo_plain_{xdist_worker()}"
    if postgresql:  # SQLite has no roles: it checks every line anyway
        _drop_role(role)
        db.session.execute(text(f"CREATE ROLE {role}"))
        db.session.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        db.session.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"))
        db.session.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"))
        if granted:
            db.session.execute(text(f"GRANT SET ON PARAMETER session_replication_role TO {role}"))
        db.session.execute(text(f"SET LOCAL ROLE {role}"))  # until the commit

    with _statements() as statements:
        result = merge_staged(db.session.connection(), import_id, attempt=1)
        db.session.commit()

    assert _replica(statements) == (1 if postgresql and granted else 0)
    assert result.inserted == 3
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 3
    if postgresql:
        _drop_role(role)


def _drop_role(role: str) -> None:
    if db.session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
        db.session.execute(text(f"REVOKE ALL ON PARAMETER session_replication_role FROM {role}"))
        db.session.execute(text(f"DROP OWNED BY {role}"))
        db.session.execute(text(f"DROP ROLE {role}"))
    db.session.commit()


def test_money_is_stored_to_the_fen_whatever_its_sign_and_size(shop):
    _load(shop, _lines(paid_fen=[-105, 5, 123456789012], refund_fen=[-5, 0, 100]))

    stored = {line.line_id: line for line in db.session.scalars(select(OrderLine))}
    assert [stored[key].paid_amount for key in ("A1", "A2-1", "A2-2")] == [
        Decimal("-1.05"),
        Decimal("0.05"),
        Decimal("1234567890.12"),
    ]
    assert stored["A1"].refund_amount == Decimal("-0.05")
