"""The registry (名录): regions, shops, rooms, streamers, brands, products, targets, sessions.

`load_workbook` reads the county's registry workbook (SPEC §5) and `export_workbook` writes
it back; both speak the same sheets and Chinese headers.
"""

from app.registry.exporter import export_workbook
from app.registry.reader import RegistryFileError
from app.registry.result import LoadResult, RowError, SheetCounts
from app.registry.service import load_workbook

__all__ = [
    "LoadResult",
    "RegistryFileError",
    "RowError",
    "SheetCounts",
    "export_workbook",
    "load_workbook",
]
