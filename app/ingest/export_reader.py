"""open_export: pick the table and format of a file, then stream normalised chunks."""

from __future__ import annotations

import csv
import errno
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import python_calamine as calamine

from app.wording import N_, say

from . import cells, detect
from .batch import Cells
from .chunk import Chunk
from .errors import EMPTY_FILE, ImportFileError, Notes
from .normalise import Context, build_chunk
from .platforms import PLATFORMS, ExportFormat
from .platforms.template import Template, platform_code
from .readers import Source, open_sources
from .readers.prefetch import prefetch
from .repeats import RepeatCounter
from .text import display_header

# Library errors a damaged file can raise deep inside a parser, reported as a rejected file.
_PARSER_ERRORS = (
    pa.ArrowException,
    calamine.CalamineError,
    zipfile.BadZipFile,
    UnicodeError,
    csv.Error,
    EOFError,
)


@contextmanager
def _as_import_error() -> Iterator[None]:
    try:
        yield
    except ImportFileError:
        raise
    except _PARSER_ERRORS as exc:
        detail = f"{type(exc).__name__}: {str(exc)[:200]}"
        raise ImportFileError(say(_CORRUPT, detail=detail), "corrupt_file") from exc
    except OSError as exc:  # the temporary files of a long XLSX on a full disk
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise ImportFileError(say(_DISK_FULL), "disk_full") from exc


_CORRUPT = N_("文件内容已损坏或格式异常，无法读取（{detail}）。请从平台重新导出后上传。")
_DISK_FULL = N_(
    "服务器的临时磁盘空间已满，文件没有读完，数据没有变化。"
    "请联系管理员清理磁盘（或把 TMPDIR 指向更大的磁盘）后重新导入。"
)
_UNKNOWN_PLATFORM = N_("未知的平台代码“{platform}”，可选：{choices}。")
_NO_HEADER = N_("文件中没有找到任何表头和数据。请确认导出成功、文件不是空白表格。")


class ExportReader:
    """A recognised export: metadata up front, normalised lines by `iter_chunks()`."""

    def __init__(
        self, source: Source, fmt: ExportFormat, *, platform: str, filename: str, chunk_rows: int
    ) -> None:
        self.source = source
        self.format = fmt
        self.platform = platform
        self.kind = fmt.kind
        self.filename = filename
        self.export_time: datetime | None = fmt.export_time(filename)
        self.total_rows: int | None = source.total_rows
        self.chunk_rows = chunk_rows
        self.columns = fmt.resolve(source.headers)
        self.headers = {
            key: display_header(source.headers[pos]) for key, pos in self.columns.items()
        }
        self.notes = Notes()
        substitute = fmt.substitute_note()
        if substitute:
            self.notes.add("payment_time_substitute", substitute, once=True)

    def iter_chunks(self) -> Iterator[Chunk]:
        """Normalised chunks of about `chunk_rows` data rows, in file order."""
        for _number, chunk in self.numbered_chunks():
            yield chunk

    def numbered_chunks(
        self, takes: Callable[[int], bool] | None = None
    ) -> Iterator[tuple[int, Chunk]]:
        """(number, chunk) of the chunks `takes` wants, in file order; the others are read
        past, neither cleaned nor checked. `takes` runs on a thread of its own."""
        ctx = Context(self.format, self.headers, self.platform, self.notes)
        if takes is not None and not takes(0):
            ctx.seen.add("ids-checked")  # the file's ids are judged on its first chunk only
        with _as_import_error():
            ctx.repeated = self._prepass()
            batches = enumerate(self.source.batches(self.columns, self.chunk_rows))
            wanted = (
                (number, batch) for number, batch in batches if takes is None or takes(number)
            )
            # Cleaning and parsing the next batch overlaps the checks of this one.
            parsed = prefetch(
                ((number, batch, Cells(self.format, batch.frame)) for number, batch in wanted), 1
            )
            for number, batch, cells_ in parsed:
                yield number, build_chunk(ctx, batch, cells_)

    def _prepass(self) -> dict[str, set[str]]:
        """Whole-file counts some line-id rules need (微信: does a product repeat in an order?)."""
        fmt = self.format
        if not fmt.split_parts:
            return {}
        counter = RepeatCounter()
        try:
            for batch in self.source.batches(self.columns, self.chunk_rows):
                c = Cells(fmt, batch.frame, parse=False)
                for name, values in fmt.prepass_keys(c).items():
                    counter.add(name, values)
            return counter.repeated()
        finally:
            counter.close()

    @property
    def warnings(self) -> list[str]:
        """The notes' messages, as people read them."""
        return self.notes.messages()


def open_export(
    path: str | Path,
    *,
    platform: str | None = None,
    password: str | None = None,
    mapping: dict[str, str] | None = None,
    filename: str | None = None,
    chunk_rows: int = 50_000,
) -> ExportReader:
    """Recognise an export file; raises ImportFileError when the whole file is rejected."""
    path = Path(path)
    filename = filename or path.name
    if platform is not None and platform not in PLATFORMS:
        choices = "、".join(PLATFORMS)
        raise ImportFileError(
            say(_UNKNOWN_PLATFORM, platform=platform, choices=choices), "unknown_platform"
        )
    if not path.is_file() or path.stat().st_size == 0:
        raise ImportFileError(say(EMPTY_FILE), "empty_file")
    with _as_import_error():
        source, fmt = _choose(path, password, platform, mapping)
        chosen_platform = platform or fmt.platform
        if isinstance(fmt, Template):
            chosen_platform = platform or _template_platform(source, fmt)
            fmt.file_platform = chosen_platform
        reader = ExportReader(
            source,
            fmt,
            platform=chosen_platform,
            filename=filename,
            chunk_rows=max(int(chunk_rows), 1),
        )
    return reader


def _choose(
    path: Path, password: str | None, platform: str | None, mapping: dict[str, str] | None
) -> tuple[Source, ExportFormat]:
    seen: list[Source] = []
    first_error: ImportFileError | None = None
    for source in open_sources(path, password):
        seen.append(source)
        if mapping:
            try:
                return source, _with_mapping(source, mapping, platform)
            except ImportFileError as exc:
                if exc.code == "not_an_order_export":
                    raise
                first_error = first_error or exc
                continue
        fmt = _recognise(source, platform)
        if fmt is not None:
            return source, fmt
    if not seen:
        raise ImportFileError(say(_NO_HEADER), "empty_file")
    if first_error is not None:
        raise first_error
    for source in seen:
        for row in source.head_rows:
            other = detect.other_download(row)
            if other is not None:
                raise detect.not_an_order_export(other)
    if platform:
        for source in seen:
            for row in source.head_rows:
                found = detect.match(row)
                if found is not None:
                    detect.check_platform(found, platform)
    raise detect.unknown_format(seen[0].headers, platform)


def _recognise(source: Source, platform: str | None) -> ExportFormat | None:
    """The format of the first of the first rows that is a known header (rule 12)."""
    for index, row in enumerate(source.head_rows):
        fmt = detect.match(row, platform)
        if fmt is not None:
            if index != source.header_index:
                source.use_header(index)
            return fmt
    return None


def _with_mapping(source: Source, mapping: dict[str, str], platform: str | None) -> ExportFormat:
    """The saved mapping applied to the first of the first rows it fits."""
    first_error: ImportFileError | None = None
    order = [source.header_index] + [
        i for i in range(len(source.head_rows)) if i != source.header_index
    ]
    for index in order:
        row = source.head_rows[index] if source.head_rows else source.headers
        other = detect.other_download(row, loose=False)
        if other is not None:
            raise detect.not_an_order_export(other)
        try:
            fmt = detect.for_mapping(row, mapping, platform)
        except ImportFileError as exc:
            first_error = first_error or exc
            continue
        if index != source.header_index:
            source.use_header(index)
        return fmt
    raise first_error or detect.unknown_format(source.headers, platform)


def _template_platform(source: Source, fmt: Template) -> str:
    """The platform a template file is for: the first 平台 cell that names one."""
    columns = fmt.resolve(source.headers)
    if "platform" not in columns:
        return "other"
    with closing(source.batches({"platform": columns["platform"]}, 1_000)) as batches:
        batch = next(batches, None)  # the first thousand rows tell
    if batch is None:
        return "other"
    for text in cells.clean(batch.frame["platform"]).dropna().unique():
        code = platform_code(text)
        if code:
            return code
    return "other"
