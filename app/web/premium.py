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
from app.web.charts import year_on_year
from app.web.dashboard import monthly_trend, trend_links
from app.web.figures import chosen_span
from app.web.nav import roles_for

bp = Blueprint("web_premium", __name__, url_prefix="/premium")
ROLES = roles_for("web_premium.index")


@bp.route("")
@roles_required(*ROLES)
def index() -> str:
    """The brands the user may see, with sales to date, premium and extra revenue."""
    span, years = chosen_span(request.args.get("year"))
    brands = premium_data.brands_in_scope(current_scope())
    return render_template(
        "premium/index.html",
        span=span,
        years=years,
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
    span, years = chosen_span(request.args.get("year"))
    return _brand_page(found, span, years, errors={}, form={})


def _brand_page(
    found: Brand,
    span: Any,
    years: list[int],
    errors: dict[str, str],
    form: dict[str, Any],
    status: int = 200,
) -> Any:
    scope = f"brand:{found.code}"
    months, this, last = monthly_trend(scope, span)
    total = retail(span.period.start, span.period.end, "month", scope).total
    return render_template(
        "premium/brand.html",
        brand=found,
        span=span,
        years=years,
        total=total,
        trend=year_on_year(months, this, last, span.year),
        trend_links=trend_links(scope, months, this, last, branded=True),
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
        return redirect(url_for("web_premium.brand", code=code, year=request.args.get("year")))
    span, years = chosen_span(request.args.get("year"))
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
    return redirect(url_for("web_premium.brand", code=code, year=request.args.get("year")))
