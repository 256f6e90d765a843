"""Content-addressed storage: every call copies through a temporary file of its own."""

from __future__ import annotations

import hashlib
import threading
from io import BytesIO
from pathlib import Path

import pytest

from app.ingest import ImportFileError
from app.ingest.storage import PARTIAL_PREFIX, keep_stream, store_upload


class PausingStream(BytesIO):
    """Hands out its first block, then waits until every other upload has started copying."""

    def __init__(
        self, content: bytes, folder: Path, barrier: threading.Barrier, seen: list[set[str]]
    ) -> None:
        super().__init__(content)
        self.folder = folder
        self.barrier = barrier
        self.seen = seen
        self.reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        if self.reads == 2:  # the temporary file exists, the copy is half done
            self.barrier.wait(timeout=10)
            self.seen.append({p.name for p in self.folder.glob(PARTIAL_PREFIX + "*")})
            self.barrier.wait(timeout=10)
        return super().read(4 if self.reads == 1 else size)


def test_concurrent_uploads_never_share_a_temporary_file(tmp_path: Path) -> None:
    contents = [f"订单,{n}\n".encode() * 1000 for n in range(4)]
    barrier = threading.Barrier(len(contents))
    seen: list[set[str]] = []
    streams = [PausingStream(content, tmp_path, barrier, seen) for content in contents]
    results: list[tuple[Path, str, int]] = []
    lock = threading.Lock()

    def store(stream: PausingStream) -> None:
        stored = store_upload(stream, tmp_path, "orders.csv")
        with lock:
            results.append(stored)

    threads = [threading.Thread(target=store, args=(stream,)) for stream in streams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert all(len(names) == len(contents) for names in seen)  # four partial files at once
    assert {sha for _path, sha, _size in results} == {
        hashlib.sha256(content).hexdigest() for content in contents
    }
    for path, sha, size in results:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha and path.stat().st_size == size
    assert list(tmp_path.glob(PARTIAL_PREFIX + "*")) == []


def test_the_same_bytes_are_kept_once(tmp_path: Path) -> None:
    first = keep_stream(BytesIO(b"a,b\n1,2\n"), tmp_path, "一.CSV")
    second = keep_stream(BytesIO(b"a,b\n1,2\n"), tmp_path, "二.csv")

    assert first.path == second.path and first.path.name == first.sha256 + ".csv"
    assert (first.created, second.created) == (True, False)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [first.path]


def test_a_stream_past_the_limit_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as refused:
        keep_stream(BytesIO(b"x" * 5000), tmp_path, "大.csv", limit=4096)

    assert refused.value.code == "file_too_large"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_broken_stream_leaves_nothing(tmp_path: Path) -> None:
    class Broken(BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise OSError("connection reset by peer")

    with pytest.raises(OSError):
        keep_stream(Broken(), tmp_path, "断.csv")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
