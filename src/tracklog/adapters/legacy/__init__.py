"""Reading a Sunbird legacy export folder (cqlsh CSV files and the pending queue), and writing
realistic demo exports.

Typical use::

    folder = ExportFolder(path)
    folder.check()                                    # ExportError naming what is missing
    for item in folder.rows(LegacyFile.CONSUMPTION):    # SourceRow | BadLine, streamed
        ...consumption_from_row(item.values)...       # tracklog.domain.legacy_rows
"""

from tracklog.adapters.legacy.cqlsh_csv import CqlshDialect, count_lines, read_rows
from tracklog.adapters.legacy.export_folder import (
    OPTIONAL_FILES,
    REQUIRED_FILES,
    ExportFolder,
    read_content_types,
    read_pending,
)
from tracklog.domain.legacy import BadLine, ExportError, LegacyFile, SourceRow

__all__ = [
    "OPTIONAL_FILES",
    "REQUIRED_FILES",
    "BadLine",
    "CqlshDialect",
    "ExportError",
    "ExportFolder",
    "LegacyFile",
    "SourceRow",
    "count_lines",
    "read_content_types",
    "read_pending",
    "read_rows",
]
