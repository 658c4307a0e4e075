"""Files handed out by the API: a ``Content-Disposition`` any id can go into safely."""

from __future__ import annotations

import re
from urllib.parse import quote

_NOT_PLAIN_ASCII = re.compile(r"[^A-Za-z0-9._-]")


def attachment(filename: str) -> str:
    """RFC 6266: the exact name as ``filename*`` (UTF-8, percent-encoded) for every modern client,
    and an ASCII ``filename`` fallback in which any other character (quotes, backslashes,
    control characters, non-ASCII) is replaced by ``_``, so a header can never be broken."""
    fallback = _NOT_PLAIN_ASCII.sub("_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
