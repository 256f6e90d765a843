"""Registry CRUD under /api/v1 (townships … categories) and the workbook upload."""

from __future__ import annotations

from app.api.crud import crud_blueprint
from app.api.registry_workbook import blp as workbook_blp
from app.registry.resources import RESOURCES

blueprints = [crud_blueprint(resource) for resource in RESOURCES] + [workbook_blp]
