"""Hostile workbooks built byte by byte: zip bombs, lying headers, far cells, macro containers.

The archive is written by hand (not with zipfile) so an entry can carry a deflate stream made
of one compressed block repeated, and headers that say whatever a test wants.
"""

from __future__ import annotations

import random
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

MB = 1 << 20
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@dataclass
class Entry:
    """One archive member: its stored bytes and what the headers will claim about them."""

    name: str
    data: bytes  # raw deflate stream, or the plain bytes when stored
    crc: int
    size: int  # real uncompressed size
    method: int = 8
    claimed_size: int | None = None  # a lie written into both headers
    claimed_crc: int | None = None


def deflated(name: str, plain: bytes) -> Entry:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return Entry(name, packer.compress(plain) + packer.flush(), zlib.crc32(plain), len(plain))


def repeated(name: str, head: bytes, block: bytes, times: int, tail: bytes) -> Entry:
    """head + block * times + tail, compressed once per distinct piece (full flushes)."""

    def piece(data: bytes) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)

    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    stream = piece(head) + piece(block) * times + piece(tail) + final
    return Entry(name, stream, crc, len(head) + len(block) * times + len(tail))


def write_zip(path: Path, entries: list[Entry]) -> Path:
    out = bytearray()
    central = bytearray()
    for e in entries:
        name = e.name.encode()
        size = e.size if e.claimed_size is None else e.claimed_size
        crc = e.crc if e.claimed_crc is None else e.claimed_crc
        offset = len(out)
        fields = (20, 0, e.method, 0, 0x21, crc, len(e.data), min(size, 0xFFFFFFFF), len(name))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + name + e.data
        central += (
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset) + name
        )
    start = len(out)
    out += central
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0
    )
    path.write_bytes(bytes(out))
    return path


def sheet(rows: str, dimension: str | None = None, ns: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<worksheet xmlns="{NS}" xmlns:r="{REL}" {ns}>{dim}'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


HEADER_ROW = (
    '<row r="1">'
    + "".join(f'<c r="{col}1" t="inlineStr"><is><t>列{col}</t></is></c>' for col in "ABC")
    + "</row>"
)


def parts(content_type: str = SHEET_TYPE, extra_types: str = "", rels: str = "") -> list[Entry]:
    """Every part of a one-sheet workbook except the sheet itself."""
    types = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PKG_REL[:-13]}content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{content_type}"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>{extra_types}</Types>'
    )
    root = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    links = '<externalReferences><externalReference r:id="rId9"/></externalReferences>'
    book = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
        f"{links if rels else ''}</workbook>"
    )
    book_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f"{rels}</Relationships>"
    )
    return [
        deflated("[Content_Types].xml", types.encode()),
        deflated("_rels/.rels", root.encode()),
        deflated("xl/workbook.xml", book.encode()),
        deflated("xl/_rels/workbook.xml.rels", book_rels.encode()),
    ]


def workbook(path: Path, sheet_xml: bytes, *extra: Entry, **kwargs: str) -> Path:
    return write_zip(
        path, [*parts(**kwargs), deflated("xl/worksheets/sheet1.xml", sheet_xml), *extra]
    )


def ratio_bomb(path: Path, megabytes: int = 600) -> Path:
    """About 2.4 MB that inflates 255:1 to `megabytes` of cells: under the old 300:1 limit."""
    cell = b'<c r="A2" t="inlineStr"><is><t>x</t></is></c>'
    noise = random.Random(1)
    pieces, size = [], 0
    while size < MB:  # one random number every 250 cells sets the ratio
        pieces.append(cell * 250 + b'<c r="B2"><v>%d</v></c>' % noise.getrandbits(40))
        size += len(pieces[-1])
    block = b"".join(pieces)[:MB]
    block = block[: block.rindex(b"</c>") + 4]
    head, tail = sheet(HEADER_ROW + '<row r="2">').split(b"</row>", 1)
    entry = repeated(
        "xl/worksheets/sheet1.xml", head + b"</row>", block, megabytes, b"</row>" + tail
    )
    return write_zip(path, [*parts(), entry])


def lying_bomb(path: Path, megabytes: int = 1024) -> Path:
    """About 2.6 MB inflating 400:1 to `megabytes`; its headers claim 64 KB, CRC to match."""
    block = b'<c r="A2"><v>1</v></c>' * (MB // 22)
    head, tail = sheet(HEADER_ROW + '<row r="2">').split(b"</row>", 1)
    head += b"</row>"
    entry = repeated("xl/worksheets/sheet1.xml", head, block, megabytes, b"</row>" + tail)
    claimed = 64 << 10
    entry.claimed_size = claimed
    entry.claimed_crc = zlib.crc32((head + block)[:claimed])
    return write_zip(path, [*parts(), entry])


def far_cell(path: Path, dimension: str | None = None, cell: str = '<c r="XFD1048576">') -> Path:
    """A header row and one cell far away: a dense range of 17 billion cells."""
    rows = HEADER_ROW + f'<row r="1048576">{cell}<v>1</v></c></row>'
    return workbook(path, sheet(rows, dimension))
