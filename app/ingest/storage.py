"""Uploaded files kept content-addressed by SHA-256, and sealed passwords for encrypted ones."""

from __future__ import annotations

import base64
import hashlib
import shutil
from pathlib import Path
from typing import BinaryIO

from cryptography.fernet import Fernet, InvalidToken

CHUNK = 1024 * 1024


def store_upload(stream: BinaryIO, folder: str | Path, original_name: str) -> tuple[Path, str, int]:
    """Copy an upload into `folder/<sha[:2]>/<sha><suffix>`; return (path, sha256, size)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    partial = folder / f".incoming-{id(stream)}"
    with partial.open("wb") as out:
        while block := stream.read(CHUNK):
            digest.update(block)
            size += len(block)
            out.write(block)
    sha = digest.hexdigest()
    target = folder / sha[:2] / (sha + Path(original_name).suffix.lower())
    target.parent.mkdir(exist_ok=True)
    if target.exists():
        partial.unlink()
    else:
        shutil.move(partial, target)
    return target, sha, size


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
