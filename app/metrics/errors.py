"""The one error metrics raise: a request that cannot be answered as asked."""

from __future__ import annotations

from app.wording import Wording


class MetricsError(ValueError):
    """Bad parameters (unknown scope code, bad date, unsupported combination); says what to fix.

    Raised with a `Wording` (app.wording `say`), it is said in Chinese by `str` and in the
    reader's language by `say`; a plain message is Chinese only."""

    def __init__(self, message: str | Wording, *args: object) -> None:
        self.wording = message if isinstance(message, Wording) else None
        super().__init__(str(message), *args)

    def say(self, language: str = "zh") -> str:
        return self.wording.say(language) if self.wording is not None else str(self)
