"""An upload whose file names no shop: the shop is picked when only one fits, asked for when
several do, and nothing is kept while asking (the page, the API and the CLI alike). A file that
names its shops keeps them: one the uploader may not import for refuses the file, never
booking its lines to the uploader's own shop."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.ingest.service import create_import, run_import
from app.ingest.shop_choice import FileHead, choose_shop, read_head
from app.models import OrderLine, PlatformListing, Product, SalesImport, Shop, User, Village
from tests.support import bearer_client
from tests.uploads.conftest import imports_count, stored_files

HEADER = "主订单编号,子订单编号,选购商品,商品数量,商品ID,订单应付金额,支付完成时间,订单状态\n"
LISTED = "3661318609139099603"


def douyin_csv(prefix: str, product: str = LISTED, rows: int = 2) -> bytes:
    """A 抖店 export with no 店铺ID column: the file does not name its shop (ids by `prefix`)."""
    number = 1000 + ord(prefix)
    body = "".join(
        f"6{number:06d}{n:012d},6{number:06d}{n:011d}1,黑猪肉,1,{product},59.90,"
        f"2022-03-0{n + 1} 10:00:00,已完成\n"
        for n in range(rows)
    )
    return (HEADER + body).encode()


def named_csv(prefix: str, shops: list[str]) -> bytes:
    """A 抖店 export with a 店铺ID column, one row per entry of `shops` naming that shop."""
    number = 1000 + ord(prefix)
    body = "".join(
        f"6{number:06d}{n:012d},6{number:06d}{n:011d}1,黑猪肉,1,{LISTED},59.90,"
        f"2022-03-0{n % 9 + 1} 10:00:00,已完成,{shop}\n"
        for n, shop in enumerate(shops)
    )
    return (HEADER.replace("订单状态\n", "订单状态,店铺ID\n") + body).encode()


def post(client: FlaskClient, content: bytes, name: str = "抖店订单.csv", **form: str):
    data = {"file": (BytesIO(content), name), **form}
    return client.post("/api/v1/imports", data=data, content_type="multipart/form-data")


@pytest.fixture
def second_douyin_shop(app: Flask, shops: None) -> None:
    """A second 抖音 shop (P03, township T02) beside P01 (T01), and a listed product."""
    with app.app_context():
        village = db.session.scalar(db.select(Village).where(Village.code == "V0201"))
        db.session.add(Shop(code="P03", platform="douyin", name="西村抖音店", village=village))
        product = Product(code="G001", name="黑猪肉")
        db.session.add(product)
        db.session.flush()
        db.session.add(
            PlatformListing(platform="douyin", platform_product_id=LISTED, product_id=product.id)
        )
        db.session.commit()


def shop_of(app: Flask, import_id: int) -> str | None:
    with app.app_context():
        record = db.session.get(SalesImport, import_id)
        return record.shop.code if record and record.shop else None


def test_a_users_only_shop_of_the_platform_is_picked(
    app: Flask, second_douyin_shop: None, enqueued: list[int]
) -> None:
    # Township T01 has P01 (抖音) only: its user sends no shop and the file names none.
    township = bearer_client(app, "town-t01", "township", {"township": ["T01"]})
    answer = post(township, douyin_csv("A"))

    assert answer.status_code == 202, answer.json
    assert shop_of(app, answer.json["id"]) == "P01" and answer.json["shop"] == "P01"
    assert enqueued == [answer.json["id"]]


def test_two_shops_fit_the_upload_asks_and_keeps_nothing(
    app: Flask, second_douyin_shop: None, officer: FlaskClient, enqueued: list[int]
) -> None:
    answer = post(officer, douyin_csv("B"))

    assert answer.status_code == 422
    assert answer.json["code"] == "shop_required"
    # Only the 抖音 shops are offered, not the 快手 one.
    assert [c["code"] for c in answer.json["candidates"]] == ["P01", "P03"]
    assert answer.json["candidates"][0] == {"code": "P01", "name": "东村好物", "platform": "douyin"}
    assert (
        "东村好物（P01）" in answer.json["message"]
        and "西村抖音店（P03）" in answer.json["message"]
    )
    assert imports_count(app) == 0 and stored_files(app) == [] and enqueued == []
    # Answered: the same file with the chosen shop is queued.
    chosen = post(officer, douyin_csv("B"), shop="P03")
    assert chosen.status_code == 202 and shop_of(app, chosen.json["id"]) == "P03"


def test_the_shop_whose_listings_the_file_sells_is_picked(
    app: Flask, second_douyin_shop: None, officer: FlaskClient, tmp_path: Path
) -> None:
    # P01 has sold the listed product before; P03 never has.
    earlier = tmp_path / "earlier.csv"
    earlier.write_bytes(douyin_csv("C"))
    with app.app_context():
        record = create_import(earlier, platform="douyin", shop_code="P01")
        assert run_import(record.id).status == "succeeded"
    answer = post(officer, douyin_csv("D"))

    assert answer.status_code == 202, answer.json
    assert shop_of(app, answer.json["id"]) == "P01"
    # A product no listing names tells nothing: asked again.
    unknown = post(officer, douyin_csv("E", product="999"))
    assert unknown.status_code == 422 and unknown.json["code"] == "shop_required"


def test_the_same_bytes_asked_again_answer_with_their_import(
    app: Flask, second_douyin_shop: None, officer: FlaskClient
) -> None:
    first = post(officer, douyin_csv("F"), shop="P03")
    again = post(officer, douyin_csv("F"))

    assert first.status_code == 202
    assert again.status_code == 200 and again.json["id"] == first.json["id"]


def test_a_file_naming_its_shop_needs_no_choice_from_the_county(
    app: Flask, second_douyin_shop: None, officer: FlaskClient
) -> None:
    named = douyin_csv("G").decode().replace("订单状态\n", "订单状态,店铺ID\n", 1)
    named = named.replace("已完成\n", "已完成,P03\n")
    answer = post(officer, named.encode())

    assert answer.status_code == 202 and answer.json["shop"] is None  # each row names its shop


def test_the_page_asks_in_the_same_form_without_javascript(
    app: Flask, second_douyin_shop: None
) -> None:
    client = bearer_client(app, "officer-page", "officer")
    answer = client.post(
        "/imports",
        data={"file": (BytesIO(douyin_csv("H")), "抖店订单.csv"), "shop": ""},
        content_type="multipart/form-data",
    )
    html = answer.get_data(as_text=True)

    assert answer.status_code == 422
    assert 'id="shop-choice" role="alert">' in html
    assert 'name="chosen_shop" value="P01"' in html and 'name="chosen_shop" value="P03"' in html
    assert 'value="P02" data-platform="kuaishou" hidden disabled' in html
    assert imports_count(app) == 0 and stored_files(app) == []
    picked = client.post(
        "/imports",
        data={"file": (BytesIO(douyin_csv("H")), "抖店订单.csv"), "chosen_shop": "P03"},
        content_type="multipart/form-data",
    )
    assert picked.status_code == 302 and "watch=" in picked.headers["Location"]


def test_the_cli_names_the_shops_to_choose_among(app: Flask, second_douyin_shop: None, tmp_path):
    path = tmp_path / "抖店订单.csv"
    path.write_bytes(douyin_csv("J"))
    result = app.test_cli_runner().invoke(args=["import", str(path)])

    assert result.exit_code != 0
    assert "[shop_required]" in result.output and "西村抖音店（P03）" in result.output
    assert imports_count(app) == 0


def test_choose_shop_reads_the_head_of_the_file(app: Flask, second_douyin_shop: None, tmp_path):
    path = tmp_path / "抖店订单.csv"
    path.write_bytes(douyin_csv("K"))
    with app.app_context():
        head = read_head(path)
        shops = db.session.scalars(db.select(Shop).order_by(Shop.code)).all()
        assert head.platform == "douyin" and not head.names_shop
        assert head.product_ids == frozenset({LISTED})
        asked = choose_shop(head, shops, rows_may_name=True)
        assert asked.asks and [s.code for s in asked.candidates] == ["P01", "P03"]
        only = choose_shop(head, [s for s in shops if s.code != "P03"], rows_may_name=False)
        assert (only.shop.code, only.reason) == ("P01", "only")


def booked_shops(app: Flask) -> dict[str, int]:
    """How many stored order lines each shop has."""
    with app.app_context():
        rows = db.session.execute(
            db.select(Shop.code, db.func.count(OrderLine.id))
            .join(OrderLine, OrderLine.shop_id == Shop.id)
            .group_by(Shop.code)
        ).all()
        return {code: count for code, count in rows}


@pytest.mark.parametrize("named", [["P03", "P03"], ["P01", "P03"], ["999"]])
def test_a_file_naming_a_shop_not_the_uploaders_is_refused_and_nothing_kept(
    app: Flask, second_douyin_shop: None, enqueued: list[int], named: list[str]
) -> None:
    # T01's officer has one 抖音 shop (P01); P03 is T02's, 999 is registered nowhere.
    township = bearer_client(app, "town-t01", "township", {"township": ["T01"]})
    answer = post(township, named_csv("L", named))

    assert answer.status_code == 403, answer.json
    assert answer.json["code"] == "shop_out_of_scope"
    foreign = sorted(set(named) - {"P01"})
    assert all(f"“{ref}”" in answer.json["message"] for ref in foreign)
    assert "“P01”" not in answer.json["message"]
    assert imports_count(app) == 0 and stored_files(app) == [] and enqueued == []
    assert booked_shops(app) == {}
    english = township.post(
        "/api/v1/imports?lang=en",
        data={"file": (BytesIO(named_csv("L", named)), "抖店订单.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert english.json["code"] == "shop_out_of_scope"
    assert "outside your area" in english.json["message"]


def test_a_file_naming_the_uploaders_own_shop_is_imported_to_it(
    app: Flask, second_douyin_shop: None, enqueued: list[int]
) -> None:
    township = bearer_client(app, "town-t01", "township", {"township": ["T01"]})
    answer = post(township, named_csv("M", ["P01", "P01", "P01"]))

    assert answer.status_code == 202, answer.json
    assert answer.json["shop"] == "P01" and enqueued == [answer.json["id"]]
    with app.app_context():
        assert run_import(answer.json["id"]).status == "succeeded"
    assert booked_shops(app) == {"P01": 3}


def test_a_chosen_shop_does_not_let_a_file_naming_another_townships_shop_in(
    app: Flask, second_douyin_shop: None, enqueued: list[int]
) -> None:
    township = bearer_client(app, "town-t01", "township", {"township": ["T01"]})
    answer = post(township, named_csv("R", ["P01", "P03"]), shop="P01")

    assert answer.status_code == 403, answer.json
    assert answer.json["code"] == "shop_out_of_scope" and "“P03”" in answer.json["message"]
    assert imports_count(app) == 0 and stored_files(app) == [] and enqueued == []
    # Their own shop named, or a 店铺ID the registry does not know: the chosen shop takes it.
    own = post(township, named_csv("S", ["P01", "4473829"]), shop="P01")
    assert own.status_code == 202 and own.json["shop"] == "P01"
    with app.app_context():
        assert run_import(own.json["id"]).status == "succeeded"
    assert booked_shops(app) == {"P01": 2}


def test_rows_past_the_head_naming_another_townships_shop_fail_the_import(
    app: Flask, second_douyin_shop: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first rows name P01 only, so the upload is taken; a later row names T02's P03.
    monkeypatch.setattr("app.ingest.shop_choice.HEAD_ROWS", 2)
    township = bearer_client(app, "town-t01", "township", {"township": ["T01"]})
    answer = post(township, named_csv("N", ["P01", "P01", "P03", "P01"]))
    assert answer.status_code == 202 and answer.json["shop"] == "P01"

    with app.app_context():
        record = run_import(answer.json["id"])
        assert (record.status, record.code) == ("failed", "shop_out_of_scope")
        assert "“P03”" in record.message and "“P01”" not in record.message
    assert booked_shops(app) == {}  # not even P01's rows: all of a file or none of it


def test_a_chosen_shop_never_takes_the_rows_of_another_shop(
    app: Flask, second_douyin_shop: None, tmp_path: Path
) -> None:
    path = tmp_path / "named.csv"
    path.write_bytes(named_csv("O", ["P01", "P03", ""]))
    with app.app_context():
        # The county centre chose P01: the row naming P03 stays P03's, the blank one is P01's.
        county = create_import(path, platform="douyin", shop_code="P01")
        assert run_import(county.id).status == "succeeded"
    assert booked_shops(app) == {"P01": 2, "P03": 1}

    path.write_bytes(named_csv("Q", ["P01", "P03"]))
    bearer_client(app, "town-t01", "township", {"township": ["T01"]})
    with app.app_context():
        # T01's officer chose their P01 for the same kind of file: refused whole.
        user = db.session.scalar(db.select(User).where(User.login == "town-t01"))
        township = create_import(path, platform="douyin", shop_code="P01", user_id=user.id)
        record = run_import(township.id)
        assert (record.status, record.code) == ("failed", "shop_out_of_scope")
    assert booked_shops(app) == {"P01": 2, "P03": 1}


def test_choose_shop_never_gives_a_file_naming_other_shops_the_only_shop(
    app: Flask, second_douyin_shop: None
) -> None:
    with app.app_context():
        own = db.session.scalars(db.select(Shop).where(Shop.code == "P01")).all()
        both = db.session.scalars(db.select(Shop).where(Shop.code.in_(["P01", "P03"]))).all()
        for refs in ({"999"}, {"P01", "999"}, {"P03"}):
            head = FileHead("douyin", True, shop_refs=frozenset(refs))
            refused = choose_shop(head, own, rows_may_name=False)
            assert refused.refuses and refused.shop is None
            assert refused.outside == tuple(sorted(refs - {"P01"}))
        own_named = choose_shop(
            FileHead("douyin", True, shop_refs=frozenset({"P01"})), own, rows_may_name=False
        )
        assert (own_named.shop.code, own_named.reason) == ("P01", "file")
        several = choose_shop(
            FileHead("douyin", True, shop_refs=frozenset({"P01", "P03"})), both, rows_may_name=False
        )
        assert (several.shop, several.reason) == (None, "file")  # each row keeps its own
        # A shop column left blank in the first rows names nothing: the only shop is picked.
        blank = choose_shop(FileHead("douyin", True), own, rows_may_name=False)
        assert (blank.shop.code, blank.reason) == ("P01", "only")
