"""The refusal of an upload, as every way of uploading reports it (page, API, command line).

Its own module so the upload service (tasks.uploads) and the shop choice (tasks.upload_shops)
both raise it; `from tasks.uploads import UploadError` still works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.wording import Wording

if TYPE_CHECKING:
    from tasks.upload_shops import ShopOption


class UploadError(Exception):
    """An upload refused before anything was kept; `code` is stable, `message` is for people.

    `shop_required` carries the shops to choose among (`candidates`)."""

    def __init__(
        self,
        code: str,
        message: Wording | tuple[str, str],
        candidates: tuple[ShopOption, ...] = (),
    ) -> None:
        chinese, english = (message.zh, message.en) if isinstance(message, Wording) else message
        super().__init__(chinese)
        self.code = code
        self.message = chinese
        self.message_en = english
        self.candidates = candidates

    def say(self, language: str) -> str:
        return self.message_en if language == "en" else self.message
