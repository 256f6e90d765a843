"""The 未登记商品 page: unmatched products as exported, registering one, and the workbook."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth import current_scope, roles_required
from app.extensions import db
from app.metrics.periods import Period
from app.metrics.scope import parse_scope
from app.metrics.unregistered import Worklist, unregistered_products
from app.models import Brand, Product
from app.registry.enrol import (
    ListingKeys,
    NewProduct,
    RegistrationError,
    category_choices,
    register_listing,
    register_product,
    suggested_code,
)
from app.reports.worklist import write_worklist
from app.web.drill import lines_url
from app.web.figures import data_years, scope_param
from app.web.formatting import full_number
from app.web.nav import roles_for
from app.web.periods import PeriodChoice, choose_period, period_args
from app.wording import reader_language

bp = Blueprint("web_unregistered", __name__, url_prefix="/unregistered")
ROLES = roles_for("web_unregistered.index")
WRITERS = roles_for("web_unregistered.register")
READERS = roles_for("web_unregistered.workbook")
SHOWN = 300  # rows on the page; the workbook has them all
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD_FIELDS = ("period", "month", "quarter", "year", "from", "to")
PRODUCT_FIELDS = ("code", "name", "brand", "category", "pricing_unit", "units_per_item")


def _choice() -> PeriodChoice:
    """The period of the URL (app.web.periods), or of the register form's hidden fields; a
    bare `from`/`to`, as older links and the dashboard's note have it, is a custom range."""
    args = request.args.to_dict()
    if request.method == "POST":
        args.update({key: request.form[key] for key in PERIOD_FIELDS if request.form.get(key)})
    if not args.get("period") and not args.get("year") and args.get("from") and args.get("to"):
        args["period"] = "custom"
    return choose_period(args)


def _worklist(period: Period, limit: int | None) -> Worklist:
    param = scope_param(current_scope())
    if param is None:
        abort(403)
    return unregistered_products(period, parse_scope(param), limit)


def _period_args(choice: PeriodChoice) -> dict[str, Any]:
    """The URL parameters that keep the period on the page's links and forms."""
    return dict(period_args(choice))


@bp.route("")
@roles_required(*ROLES)
def index() -> str:
    """The worklist of the period, net first; each row links to its lines and to 登记."""
    choice = _choice()
    period = choice.period
    worklist = _worklist(period, SHOWN)
    scope = str(worklist.scope)
    rows = [
        {
            "row": row,
            "lines_link": lines_url(
                from_=period.start,
                to=period.end,
                scope=None if scope == "county" else scope,
                platform=row.platform,
                unregistered=True,
                raw_key=row.platform_product_id or row.merchant_code,
                raw_name=row.name,
            ),
            "register_link": url_for(
                "web_unregistered.register",
                platform=row.platform,
                product_id=row.platform_product_id or "",
                merchant_code=row.merchant_code or "",
                name=row.name or "",
                **_period_args(choice),
            ),
        }
        for row in worklist.rows
    ]
    return render_template(
        "unregistered/index.html",
        worklist=worklist,
        rows=rows,
        period=period,
        span=choice,
        period_args=_period_args(choice),
        years=data_years(),
        can_register=current_user.role in WRITERS,
    )


@bp.route("/workbook.xlsx")
@roles_required(*READERS)
def workbook() -> Response:
    """The whole worklist as 商品 and 平台商品 sheets, to complete and load as the registry."""
    period = _choice().period
    buffer = io.BytesIO()
    write_worklist(buffer, _worklist(period, None))
    buffer.seek(0)
    name = f"未登记商品-{period.start.isoformat()}-{period.end.isoformat()}.xlsx"
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/register", methods=["GET", "POST"])
@roles_required(*WRITERS)
def register() -> Any:
    """One row registered in one step: a new product with its listing, or a listing onto an
    existing product; the stored lines are matched again at once."""
    choice = _choice()
    source = request.form if request.method == "POST" else request.args
    keys = ListingKeys(
        source.get("platform", "").strip(),
        source.get("product_id", "").strip() or None,
        source.get("merchant_code", "").strip() or None,
    )
    mode = source.get("mode", "new")
    values = {name: (source.get(name) or "").strip() for name in PRODUCT_FIELDS}
    values["existing"] = (source.get("existing") or "").strip()
    raw_name = (source.get("name") or "").strip()
    errors: dict[str, str] = {}
    if request.method == "GET":
        values["name"] = raw_name
        values["code"] = suggested_code(keys) if keys.platform else ""
    else:
        try:
            if mode == "existing":
                done = register_listing(values["existing"].split(" ", 1)[0], keys)
            else:
                done = register_product(_new_product(values), keys)
        except RegistrationError as exc:
            errors = {
                _field(name): problem.say(reader_language())
                for name, problem in exc.problems.items()
            }
        else:
            moved = done.rematched
            flash(
                _(
                    "已登记到商品 %(code)s：%(lines)s 条订单行已匹配，"
                    "%(net)s 元从未登记商品转入已登记。",
                    code=done.product_code,
                    lines=moved.sale_lines,
                    net=full_number(moved.net),
                ),
                "success",
            )
            return redirect(url_for("web_unregistered.index", **_period_args(choice)))
    return render_template(
        "unregistered/register.html",
        keys=keys,
        raw_name=raw_name,
        mode=mode,
        values=values,
        errors=errors,
        brands=list(db.session.execute(select(Brand.code, Brand.name).order_by(Brand.code))),
        categories=category_choices(),
        products=list(
            db.session.execute(select(Product.code, Product.name).order_by(Product.code))
        ),
        period_args=_period_args(choice),
    ), (422 if errors else 200)


def _new_product(values: dict[str, str]) -> NewProduct:
    return NewProduct(
        code=values["code"],
        name=values["name"],
        brand=values["brand"] or None,
        category=values["category"] or None,
        pricing_unit=values["pricing_unit"] or None,
        units_per_item=values["units_per_item"] or None,
    )


def _field(name: str) -> str:
    """The form input a problem belongs to (the existing product's is `existing`)."""
    return {"product": "existing", "platform_product_id": "keys", "merchant_code": "keys"}.get(
        name, name
    )
