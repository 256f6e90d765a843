"""Brand pages: sales and premium of each brand, its products, and baseline price editing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth import current_scope, roles_required
from app.extensions import db
from app.metrics.retail import retail
from app.models import BaselinePrice, Brand
from app.web import premium_data, registry_forms
from app.web.figures import change, data_years
from app.web.nav import roles_for
from app.web.periods import PeriodChoice, choose_period, period_args

bp = Blueprint("web_premium", __name__, url_prefix="/premium")
ROLES = roles_for("web_premium.index")


@bp.route("")
@roles_required(*ROLES)
def index() -> str:
    """The brand manager's home (the county's, for every brand) for the period of the URL:
    brand sales with 同比 and 环比, against last year by month, premium by month, share by
    platform, products against their baselines and those still without one, and each
    brand's summary."""
    span, years = choose_period(request.args), data_years()
    scope = current_scope()
    brands = premium_data.brands_in_scope(scope)
    home = premium_data.brand_home(brands, span) if brands else None
    trend, trend_links = premium_data.trend_chart(home, span.year) if home else ({}, [])
    by_month = premium_data.premium_chart(home) if home else {}
    return render_template(
        "premium/index.html",
        span=span,
        years=years,
        brands=brands,
        home=home,
        trend=trend,
        trend_links=trend_links,
        by_month=by_month,
        platforms=premium_data.platform_chart(home) if home else {},
        add_link=lambda brand, product: premium_data.add_baseline_link(scope, brand, product),
        rows=premium_data.brand_summaries(brands, span),
    )


def _brand(code: str) -> Brand:
    brand = db.session.scalar(select(Brand).where(Brand.code == code))
    if brand is None:
        abort(404)
    if not current_scope().permits(f"brand:{code}"):
        abort(403)
    return brand


@bp.route("/<code>")
@roles_required(*ROLES)
def brand(code: str) -> str:
    """One brand: sales trend, products against their baselines, and the baselines."""
    found = _brand(code)
    span, years = choose_period(request.args), data_years()
    return _brand_page(found, span, years, errors={}, form={})


def _brand_page(
    found: Brand,
    span: PeriodChoice,
    years: list[int],
    errors: dict[str, str],
    form: dict[str, Any],
    status: int = 200,
) -> Any:
    scope = f"brand:{found.code}"
    home = premium_data.brand_home([found], span)
    trend, trend_links = premium_data.trend_chart(home, span.year)
    total = retail(span.period.start, span.period.end, "month", scope).total
    before = retail(span.last_year.start, span.last_year.end, "month", scope).total
    previous = retail(span.previous.start, span.previous.end, "month", scope).total
    if not form and request.args.get("product"):
        # Sent from a product without a baseline: the new-baseline form filled in for it.
        form = {"product": request.args["product"], "kind": "pre_brand"}
    return render_template(
        "premium/brand.html",
        brand=found,
        span=span,
        years=years,
        total=total,
        yoy=change(total.net, before.net) if before.orders else None,
        mom=change(total.net, previous.net) if previous.orders else None,
        trend=trend,
        trend_links=trend_links,
        detail=premium_data.brand_detail(found, span),
        baselines=premium_data.brand_baselines(found),
        can_edit=premium_data.may_edit_baselines(current_scope(), found),
        errors=errors,
        form=form,
    ), status


def _editable(code: str) -> Brand:
    found = _brand(code)
    if not premium_data.may_edit_baselines(current_scope(), found):
        abort(403)
    return found


def _own_baseline(found: Brand, baseline_id: int) -> BaselinePrice:
    baseline = db.get_or_404(BaselinePrice, baseline_id)
    if baseline.product.brand_id != found.id:
        abort(404)
    return baseline


@bp.route("/<code>/baselines", methods=["POST"])
@bp.route("/<code>/baselines/<int:baseline_id>", methods=["POST"])
@roles_required(*ROLES)
def save_baseline(code: str, baseline_id: int | None = None) -> Any:
    """Add a baseline for one of the brand's products, or change one (admins, own brands)."""
    found = _editable(code)
    baseline = _own_baseline(found, baseline_id) if baseline_id else None
    product = (request.form.get("product") or "").strip()
    if product not in {p.code for p in found.products}:
        errors = {"product": _("请选择本品牌的商品。")}
        outcome = registry_forms.Outcome(errors=errors)
    else:
        outcome = registry_forms.save("baselines", baseline, request.form)
    if outcome.ok:
        flash(_("已保存 %(product)s 的基准价。", product=product), "success")
        return redirect(_brand_url(code))
    span, years = choose_period(request.args), data_years()
    errors = dict(outcome.errors)
    if outcome.message:
        errors["_"] = outcome.message
    form = {**request.form.to_dict(), "id": baseline_id}
    return _brand_page(found, span, years, errors=errors, form=form, status=422)


@bp.route("/<code>/baselines/<int:baseline_id>/delete", methods=["POST"])
@roles_required(*ROLES)
def delete_baseline(code: str, baseline_id: int) -> Response:
    found = _editable(code)
    baseline = _own_baseline(found, baseline_id)
    product = baseline.product.code
    outcome = registry_forms.delete("baselines", baseline, baseline_id)
    if outcome.ok:
        flash(_("已删除 %(product)s 的一条基准价。", product=product), "success")
    else:
        flash(outcome.message or _("无法删除。"), "error")
    return redirect(_brand_url(code))


def _brand_url(code: str) -> str:
    """The brand page for the period the form was sent from."""
    keep: dict[str, Any] = dict(period_args(choose_period(request.args)))
    return url_for("web_premium.brand", code=code, **keep)
