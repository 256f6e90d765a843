"""Uploaded files kept content-addressed by SHA-256, and sealed passwords for encrypted ones."""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.fernet import Fernet, InvalidToken

from app.ingest.errors import ImportFileError
from app.wording import N_, Wording, say

CHUNK = 1024 * 1024
PARTIAL_PREFIX = ".incoming-"


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file kept at `folder/<sha[:2]>/<sha><suffix>`; `created` if no earlier copy existed."""

    path: Path
    sha256: str
    size: int
    created: bool

    def as_tuple(self) -> tuple[Path, str, int]:
        return self.path, self.sha256, self.size


def keep_stream(
    stream: BinaryIO, folder: str | Path, original_name: str, *, limit: int | None = None
) -> StoredFile:
    """Copy a stream into content-addressed storage, hashing it on the way.

    The bytes go first to a temporary file of its own (unique per call, so concurrent uploads
    in several processes never share one), which is removed if the copy fails or passes `limit`.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(
        dir=folder, prefix=PARTIAL_PREFIX, suffix=".part", delete=False
    ) as out:
        partial = Path(out.name)
        try:
            while block := stream.read(CHUNK):
                size += len(block)
                if limit is not None and size > limit:
                    raise ImportFileError(too_large_message(limit), code="file_too_large")
                digest.update(block)
                out.write(block)
        except BaseException:
            out.close()
            partial.unlink(missing_ok=True)
            raise
    sha = digest.hexdigest()
    target = folder / sha[:2] / (sha + Path(original_name).suffix.lower())
    target.parent.mkdir(exist_ok=True)
    if target.exists():
        partial.unlink()
        return StoredFile(target, sha, size, created=False)
    os.replace(partial, target)  # same folder, so one atomic rename
    return StoredFile(target, sha, size, created=True)


def too_large_message(limit: int) -> Wording:
    size = f"{limit / 2**20:.0f} MB" if limit >= 2**20 else f"{max(limit // 1024, 1)} KB"
    return say(
        N_("文件超过 {size} 的上传上限：请在平台后台按较短的时间段分几次导出，再分别上传。"),
        size=size,
    )


def store_upload(stream: BinaryIO, folder: str | Path, original_name: str) -> tuple[Path, str, int]:
    """Copy an upload into `folder/<sha[:2]>/<sha><suffix>`; return (path, sha256, size)."""
    return keep_stream(stream, folder, original_name).as_tuple()


def store_path(path: str | Path, folder: str | Path) -> tuple[Path, str, int]:
    """`store_upload` for a file already on disk (the CLI)."""
    with Path(path).open("rb") as stream:
        return store_upload(stream, folder, Path(path).name)


def _fernet(secret_key: str) -> Fernet:
    key = base64.urlsafe_b64encode(hashlib.sha256(secret_key.encode()).digest())
    return Fernet(key)


def seal_password(password: str, secret_key: str) -> str:
    """Encrypt a file password with the app's SECRET_KEY, so a retried task can open the file."""
    return _fernet(secret_key).encrypt(password.encode()).decode()


def open_password(sealed: str | None, secret_key: str) -> str | None:
    if not sealed:
        return None
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
