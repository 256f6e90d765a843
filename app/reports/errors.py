"""The reports layer's domain errors: each carries a stable `code` the edges branch on."""

from __future__ import annotations

from app.metrics.errors import MetricsError


class ReportsError(MetricsError):
    """A month close or report that cannot be done as asked; `message` says what to do."""

    code = "reports_error"

    def __init__(self, message: str, month: str) -> None:
        super().__init__(message)
        self.message = message
        self.month = month


class MonthAlreadyClosed(ReportsError):
    """The month has a close already; closes are never overwritten."""

    code = "month_already_closed"


class CloseNeedsConfirmation(ReportsError):
    """Closing this month is allowed, but only when the person closing it confirms."""

    code = "close_needs_confirmation"


class MonthNotFinished(CloseNeedsConfirmation):
    """The month has not ended yet in Beijing time: sales of its last days are still to come."""

    code = "month_not_finished"


class PreviousMonthOpen(CloseNeedsConfirmation):
    """The month before has sales or sessions and is not closed yet."""

    code = "previous_month_open"


class MonthNotStarted(ReportsError):
    """The month lies in the future in Beijing time: there is nothing to close yet."""

    code = "month_not_started"
