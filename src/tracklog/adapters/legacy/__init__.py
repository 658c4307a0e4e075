"""Reading a Sunbird legacy export folder (cqlsh CSV files and the pending queue), and writing
realistic demo exports.

Typical use::

    folder = ExportFolder(path)
    folder.check()                                    # ExportError naming what is missing
    for item in folder.rows(FileName.CONSUMPTION):    # SourceRow | BadLine, streamed
        ...consumption_from_row(item.values)...       # tracklog.domain.legacy_rows
"""

from tracklog.adapters.legacy.cqlsh_csv import (
    BadLine,
    CqlshDialect,
    ExportError,
    SourceRow,
    count_lines,
    read_rows,
)
from tracklog.adapters.legacy.export_folder import (
    OPTIONAL_FILES,
    REQUIRED_FILES,
    ExportFolder,
    FileName,
    read_content_types,
    read_pending,
)

__all__ = [
    "OPTIONAL_FILES",
    "REQUIRED_FILES",
    "BadLine",
    "CqlshDialect",
    "ExportError",
    "ExportFolder",
    "FileName",
    "SourceRow",
    "count_lines",
    "read_content_types",
    "read_pending",
    "read_rows",
]
