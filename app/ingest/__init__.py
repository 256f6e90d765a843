"""Reading platform sales exports into normalised order lines (see CONTRACT.md)."""

from .chunk import LINE_COLUMNS, Chunk
from .errors import ImportFileError, RowError
from .export_reader import ExportReader, open_export
from .platforms import PLATFORMS

__all__ = [
    "LINE_COLUMNS",
    "PLATFORMS",
    "Chunk",
    "ExportReader",
    "ImportFileError",
    "RowError",
    "open_export",
]
