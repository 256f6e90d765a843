"""The one error metrics raise: a request that cannot be answered as asked."""


class MetricsError(ValueError):
    """Bad parameters (unknown scope code, bad date, unsupported combination); says what to fix."""
