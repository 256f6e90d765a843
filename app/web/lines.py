"""The order-line explorer page: the lines behind a figure, their totals, exports, one line."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import pgettext

from app.auth import current_scope, roles_required
from app.codes import LINE_STATUSES
from app.metrics.formatting import totals_json
from app.metrics.line_filters import (
    LineFilterError,
    LineFilters,
    LineScopeDenied,
    filter_names,
    parse_line_query,
)
from app.metrics.line_history import line_history
from app.metrics.lines import line_detail, line_page, line_total
from app.web.drill import LINE_FILTER_KEYS, lines_url
from app.web.labels import platform_label
from app.web.nav import roles_for

bp = Blueprint("web_lines", __name__, url_prefix="/lines")
ROLES = roles_for("web_lines.index")


def _chip_labels() -> dict[str, str]:
    return {
        "from": _("起始日期"),
        "to": _("截止日期"),
        "scope": _("范围"),
        "agri": _("农产品"),
        "platform": _("平台"),
        "shop": _("网店"),
        "township": _("乡镇"),
        "village": _("村"),
        "room": _("直播间"),
        "session": _("直播场次"),
        "brand": _("品牌"),
        "product": _("商品"),
        "category": _("品类"),
        "status": _("状态"),
        "unregistered": _("未登记商品"),
        "raw_key": _("平台商品ID/商家编码"),
        "raw_name": _("导出的商品名称"),
        "import": _("导入"),
        "changed_after": _("变更晚于"),
        "basis": _("村播带货额"),
        "branded": _("品牌销售额"),
    }


def status_labels() -> dict[str, str]:
    """Line statuses in the interface language (the msgids are app.codes' Chinese names)."""
    return {code: pgettext("line status", name) for code, name in LINE_STATUSES.items()}


def _shown(key: str, value: Any, names: dict[str, str]) -> str:
    if key == "platform":
        return platform_label(str(value))
    if key == "status":
        return status_labels().get(str(value), str(value))
    if key == "import":
        return f"#{value} {names[key]}" if key in names else f"#{value}"
    if key in names:
        return f"{names[key]}（{value}）"
    if value is True or key == "basis":
        return _("是")
    return str(value)


def _chips(filters: LineFilters) -> list[dict[str, str]]:
    """One removable chip per filter given, showing names, not codes."""
    given = filters.params()
    labels = _chip_labels()
    names = filter_names(filters)
    return [
        {
            "key": key,
            "label": labels[key],
            "value": _shown(key, value, names),
            "remove": lines_url(**{k: v for k, v in given.items() if k != key}),
        }
        for key, value in given.items()
        if key in LINE_FILTER_KEYS
    ]


@bp.route("")
@roles_required(*ROLES)
def index() -> Any:
    """One page of lines for the filters in the URL, with their totals and export links."""
    query = {key: value for key, value in request.args.items() if key != "format"}
    access = current_scope()
    try:
        asked = parse_line_query(query)
        filters = asked.for_access(access)
        page = line_page(filters, access, asked.after, asked.limit)
        total = line_total(filters, access)
    except LineScopeDenied:
        abort(403)
    except LineFilterError as exc:
        problem = _("条件 %(field)s 无法使用：%(message)s 请改正它，或去掉它再看。")
        message = problem % {"field": exc.field, "message": exc.message}
        return render_template("lines/index.html", error=message), 422
    plain = urlencode(
        [(key, value) for key, value in query.items() if key not in ("after", "limit")]
    )
    more = None
    if page.next:
        more = "/lines?" + urlencode({**query, "after": page.next})
    return render_template(
        "lines/index.html",
        error=None,
        chips=_chips(filters),
        total={**totals_json(total), "lines": total.lines},
        lines=page.lines,
        more=more,
        csv_url="/api/v1/lines?" + plain + ("&" if plain else "") + "format=csv",
        xlsx_url="/api/v1/lines?" + plain + ("&" if plain else "") + "format=xlsx",
        line_statuses=status_labels(),
    )


@bp.route("/<int:line_id>")
@roles_required(*ROLES)
def detail(line_id: int) -> str:
    """One order line and the imports that inserted or changed it."""
    line = line_detail(line_id, current_scope())
    if line is None:
        abort(404)
    return render_template(
        "lines/detail.html", line=line, history=line_history(line), line_statuses=status_labels()
    )
