"""The compiled site templates, kept between MkDocs builds: compiling them was a third of a site-only build.

Jinja compiles every theme template (Material's and overrides/) on each MkDocs build, once per language. Its own
bytecode cache keeps the compiled code, checked against each template's source; entries live in the build cache
(.cache/build/templates/), in a folder per Python, Jinja, MkDocs and Material version, since compiled code is only
valid for the versions that made it. The cache only saves time: an entry that cannot be read is compiled again, and
one that cannot be written is not kept. Where a folder on the way or an entry is a symbolic link, the disk is not
used: the build never writes through a link planted in its cache, nor reads an entry from wherever one points.
Its entries are code, trusted as Python trusts __pycache__ beside the sources: whoever can write .cache/ can also
write hooks/ or build.py, and no workflow restores it from elsewhere (a cache git tracks is not read at all).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import marshal
import os
import pickle
import sys
import types
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader
from jinja2.bccache import Bucket, BytecodeCache, bc_magic

from ..output.files import write_atomic
from ..output.tracked import keeper

if TYPE_CHECKING:
    from mkdocs.theme import Theme

FOLDER = "templates"
MAX_ENTRY = 4 * 2**20  # far above any compiled template; a larger file is not one of ours


# Compiled templates by Jinja's key (the template's name and file), for every build of this process: each language's,
# and every repository's (Material's templates are the same files for all). Each entry's source checksum is checked.
_COMPILED: dict[str, bytes] = {}


class TemplateCache(BytecodeCache):
    """Jinja's bytecode cache in a folder, and in memory for the builds of one process."""

    def __init__(
        self, folder: Path, memory: dict[str, bytes] | None = None, base: Path | None = None, disk: bool = True
    ) -> None:
        self.folder = folder
        self.memory = _COMPILED if memory is None else memory
        self.base = base or folder  # no folder from base down to folder may be a link
        self.disk = disk

    def _linked(self) -> bool:
        """Tell whether a folder from base down to the entries' folder is a symbolic link, or cannot be looked at
        (another user's folder): then the disk is unused."""
        path = self.folder
        try:
            while self.disk and not path.is_symlink():
                if path in (self.base, path.parent):
                    return False
                path = path.parent
        except OSError:
            pass
        return True

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.memory.get(bucket.key) or self._read(self.folder / bucket.key)
        if data is None:
            return
        # Jinja's own reading unpickles the checksum: damaged bytes raised UnpicklingError or AttributeError (an
        # internal error), and pickle runs code. The header is compared as bytes instead: magic, then the checksum.
        head = bc_magic + pickle.dumps(bucket.checksum, 2)
        if not data.startswith(head):  # other versions', another text's, or damaged: compile again
            return
        try:
            code = marshal.loads(data[len(head) :])
        except (EOFError, ValueError, TypeError, MemoryError):  # a damaged entry: compile again
            return
        if isinstance(code, types.CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        out = io.BytesIO()
        bucket.write_bytecode(out)
        self.memory[bucket.key] = out.getvalue()
        if self._linked():
            return
        with contextlib.suppress(OSError):  # a read-only checkout builds as before, compiling every time
            write_atomic(self.folder / bucket.key, out.getvalue())

    def _read(self, path: Path) -> bytes | None:
        try:
            if self._linked() or path.is_symlink():
                return None
            if path.is_file() and path.stat().st_size <= MAX_ENTRY:
                return path.read_bytes()
        except OSError:
            pass
        return None


def template_cache(cache: Path) -> TemplateCache:
    """Return the template cache under a build cache folder, as the repository is now (memory is per process).

    Where git tracks anything in the cache (`git add -f` commits an ignored folder), the disk is not used: a
    committed entry with a valid header would run its own code in every build of the commit, publishing. Asked
    again for each build: serve runs for hours, and the cache may be committed meanwhile.
    """
    return TemplateCache(cache / FOLDER / _versions(), base=cache.parent, disk=keeper(cache.parent) is None)


@lru_cache(maxsize=1)  # the versions of the code this process runs: they do not change while it runs
def _versions() -> str:
    """Name the versions compiled code depends on: Python's, Jinja's, MkDocs' and Material's."""
    names = [sys.version] + [_version(dist) for dist in ("jinja2", "mkdocs", "mkdocs-material")]
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]


def _version(dist: str) -> str:
    try:
        return f"{dist} {metadata.version(dist)}"
    except metadata.PackageNotFoundError:
        return f"{dist} ?"


def use_template_cache(theme: Theme, cache: Path) -> None:
    """Make the Jinja environment MkDocs asks this theme for use the template cache under cache."""
    plain = theme.get_env
    kept = template_cache(cache)  # a configuration is loaded for each build of a language and each live rebuild

    def get_env() -> Environment:
        env = plain()
        env.bytecode_cache = kept
        if type(env.loader) is FileSystemLoader:
            env.loader = ThemeLoader(env.loader.searchpath, env.loader.encoding, env.loader.followlinks)
        return env

    theme.get_env = get_env  # type: ignore[method-assign]


class ThemeLoader(FileSystemLoader):
    """Jinja's loader of the theme's files, whose listing leaves out hidden files and folders without walking them.

    MkDocs lists every theme file to copy the static ones, and drops each path with a part that starts with a dot.
    Material's hidden .icons folder holds some 14,000 icons: walking it took about 0.06 s of each language's build.
    Templates from hidden folders still load by name (Material includes its icons so).
    """

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for searchpath in self.searchpath:
            for folder, subfolders, files in os.walk(searchpath, followlinks=self.followlinks):
                subfolders[:] = [name for name in subfolders if not name.startswith(".")]
                prefix = os.path.relpath(folder, searchpath).replace(os.sep, "/")
                found.update(
                    name if prefix == "." else f"{prefix}/{name}" for name in files if not name.startswith(".")
                )
        return sorted(found)
