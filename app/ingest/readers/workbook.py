"""An OOXML workbook's parts a reader needs (sheets, styles, shared strings), and what both
workbook sources share: the refusal of an unreadable workbook, the header's trailing blanks."""

from __future__ import annotations

import io
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

from app.wording import N_, say

from ..cells import TEXT
from ..errors import ImportFileError
from .guards import stream_entry
from .sheet_xml import Styles, style_kinds, unescape

_UNREADABLE = N_(
    "Excel 文件无法读取（{detail}）。请确认文件完整，或在 Excel/WPS 中另存为 .xlsx 后重新上传。"
)
_REL_DOC = "/officeDocument"


def _unreadable(exc: Exception) -> ImportFileError:
    return ImportFileError(say(_UNREADABLE, detail=exc), code="unreadable_workbook")


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


class Workbook:
    """The parts of an OOXML workbook a reader needs: its sheets, styles and shared strings."""

    def __init__(self, payload: Path | bytes) -> None:
        self.payload = payload
        try:
            with self.open() as fh:
                archive = zipfile.ZipFile(fh)
                self.infos = {info.filename: info for info in archive.infolist()}
                main = self._main_part(archive)
                self.sheets, shared_part, styles_part, self.date1904 = self._workbook(archive, main)
                self.styles = self._styles(archive, styles_part)
                self.shared_part = shared_part
        except (zipfile.BadZipFile, ET.ParseError, KeyError, ValueError) as exc:
            raise _unreadable(exc) from exc
        self._shared: pa.Array | None = None

    def open(self) -> BinaryIO:
        if isinstance(self.payload, bytes):
            return io.BytesIO(self.payload)
        return open(self.payload, "rb")

    @property
    def shared(self) -> pa.Array:
        """The shared strings, read once when a sheet first needs them."""
        if self._shared is None:
            self._shared = self._read_shared()
        return self._shared

    def stream(self, part: str) -> Iterator[tuple[bytes, float]]:
        """A part's inflated bytes in pieces, under the archive limits, with progress."""
        info = self.infos.get(part)
        if info is None:
            return
        with self.open() as fh:
            yield from stream_entry(fh, info)

    def _main_part(self, archive: zipfile.ZipFile) -> str:
        for rel in _rels(archive, "_rels/.rels", ""):
            if rel[1].endswith(_REL_DOC):
                return rel[2]
        return "xl/workbook.xml"

    def _workbook(
        self, archive: zipfile.ZipFile, main: str
    ) -> tuple[list[tuple[str, str]], str | None, str | None, bool]:
        base = posixpath.dirname(main)
        rels = {rid: (kind, target) for rid, kind, target in _rels(archive, _rels_of(main), base)}
        root = ET.fromstring(archive.read(main))
        sheets = []
        for node in root.iter():
            if _local(node.tag) != "sheet":
                continue
            rid = next((v for k, v in node.attrib.items() if _local(k) == "id"), None)
            kind, target = rels.get(rid or "", ("", ""))
            state = node.get("state", "visible")
            if kind.endswith("/worksheet") and state == "visible" and target in self.infos:
                sheets.append((node.get("name", ""), target))
        date1904 = any(
            _local(n.tag) == "workbookPr" and n.get("date1904", "0") in ("1", "true")
            for n in root.iter()
        )
        shared = next((t for k, t in rels.values() if k.endswith("/sharedStrings")), None)
        styles = next((t for k, t in rels.values() if k.endswith("/styles")), None)
        return sheets, shared, styles, date1904

    def _styles(self, archive: zipfile.ZipFile, part: str | None) -> Styles:
        if not part or part not in self.infos:
            return Styles(date1904=self.date1904)
        root = ET.fromstring(archive.read(part))
        custom: dict[int, str] = {}
        xfs: list[int] = []
        for node in root:
            if _local(node.tag) == "numFmts":
                for fmt in node:
                    if fmt.get("numFmtId", "").isdigit():
                        custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
            elif _local(node.tag) == "cellXfs":
                for xf in node:
                    value = xf.get("numFmtId", "0")
                    xfs.append(int(value) if value.isdigit() else 0)
        return Styles(style_kinds(xfs, custom), self.date1904)

    def _read_shared(self) -> pa.Array:
        part = self.shared_part
        if not part or part not in self.infos:
            return pa.array([], TEXT)
        texts: list[str] = []
        parser: ET.XMLPullParser = ET.XMLPullParser(events=("end",))
        for data, _ in self.stream(part):
            parser.feed(data)
            for event in parser.read_events():
                node: object = event[-1]
                if not isinstance(node, ET.Element) or _local(node.tag) != "si":
                    continue
                parts = []
                for child in node:
                    name = _local(child.tag)
                    if name == "t":
                        parts.append(child.text or "")
                    elif name == "r":
                        parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
                texts.append(unescape("".join(parts)))
                node.clear()
        parser.close()
        return pa.array(texts, TEXT)


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _rels(archive: zipfile.ZipFile, part: str, base: str) -> list[tuple[str, str, str]]:
    """(id, type, target part) of a relationships part; missing part: none."""
    try:
        root = ET.fromstring(archive.read(part))
    except KeyError:
        return []
    out = []
    for node in root:
        target = node.get("Target", "")
        if node.get("TargetMode") == "External":
            continue
        full = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        out.append((node.get("Id", ""), node.get("Type", ""), posixpath.normpath(full)))
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
