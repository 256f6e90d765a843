"""Error pages for browsers; API paths keep the JSON errors of flask-smorest."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.auth import wants_json
from app.extensions import api


def _messages() -> dict[int, str]:
    return {
        400: _("请求无效，请检查后重试。"),
        401: _("请先登录。"),
        403: _("您的账号没有权限打开此页面。如需开通，请联系县电商公共服务中心管理员。"),
        404: _("找不到这个页面。"),
        405: _("不支持这种请求方式。"),
        413: _("文件太大。"),
        429: _("尝试次数过多，请稍后再试。"),
        500: _("服务器出错了，请稍后再试；如果一直出现，请联系管理员。"),
    }


def handle_http_error(error: HTTPException) -> Any:
    if wants_json():
        return api.handle_http_exception(error)
    code = error.code or 500
    if isinstance(error, CSRFError):
        message = _("页面已过期或缺少安全令牌，请刷新页面后重新提交。")
    elif code == 400 and error.description and not _is_default(error):
        message = error.description
    else:
        message = _messages().get(code, error.name)
    return render_template("error.html", code=code, message=message), code


def _is_default(error: HTTPException) -> bool:
    return error.description == type(error).description


def register_error_pages(app: Flask) -> None:
    """Replace flask-smorest's app-wide JSON handler with one that renders pages for browsers."""
    app.register_error_handler(HTTPException, handle_http_error)
