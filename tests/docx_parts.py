"""Edit the parts of a Word file the tests made: change some, add or replace others (a .docx is a zip of XML)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path


def rewrite(path: Path, edit: Mapping[str, Callable[[bytes], bytes]] = {}, put: Mapping[str, str] = {}) -> Path:
    """Rewrite path: each part named in edit through its function, each part in put written (replaced or new)."""
    source, buffer = zipfile.ZipFile(path), io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            if item.filename not in put:
                data = source.read(item)
                target.writestr(item, edit[item.filename](data) if item.filename in edit else data)
        for name, text in put.items():
            target.writestr(name, text)
    path.write_bytes(buffer.getvalue())
    return path
