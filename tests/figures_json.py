"""The figures as the API and `cunbo metrics --json` print them: each metric through the one
serialiser (app.metrics.formatting), so tests assert on the JSON of SPEC §6."""

from __future__ import annotations

from typing import Any

from app.metrics import growth as _growth
from app.metrics import live as _live
from app.metrics import live_sessions as _sessions
from app.metrics import premium as _premium
from app.metrics import retail as _retail
from app.metrics import targets as _targets
from app.metrics.formatting import (
    growth_json,
    live_json,
    premium_json,
    progress_json,
    retail_json,
    sessions_json,
)


def retail(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return retail_json(_retail.retail(*args, **kwargs))


def growth(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return growth_json(_growth.growth(*args, **kwargs))


def premium(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return premium_json(_premium.premium(*args, **kwargs))


def live_year(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return live_json(_live.live_year(*args, **kwargs))


def target_progress(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return progress_json(_targets.target_progress(*args, **kwargs))


def sessions_report(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return sessions_json(_sessions.sessions_report(*args, **kwargs))
