"""Unbound extensions, bound to the app in the factory."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# No default limits: only the routes that ask for one (login, uploads) are limited. Set here,
# not from app.config: Flask-Limiter keeps these from the first app it is bound to.
# A 429 says when to retry (Retry-After). With Redis down, counting falls back to this process's
# memory and any other storage error is logged and let through: signing in never fails on it.
limiter = Limiter(
    key_func=get_remote_address,
    headers_enabled=True,
    swallow_errors=True,
    in_memory_fallback_enabled=True,
)
