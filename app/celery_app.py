"""Celery bound to Flask the way Flask's documentation does it."""

from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app whose tasks run inside this Flask app's context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    settings = app.config["CELERY"]
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = settings.get("broker_transport_options", {}).get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(settings)  # app.config["CELERY"], the task modules included
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
