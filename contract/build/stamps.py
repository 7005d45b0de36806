"""What a build leaves to decide the next one: the hash of its inputs, the list of its outputs, the code's hash.

A build does nothing when the stamp of its output folder says the same inputs made the same outputs, still
in place; these records live in the cache folder (.cache/build/), one per output folder.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from ..output.files import write_atomic
from ..resources import PACKAGE
from ..source.provenance import Source

CACHE = Path(".cache") / "build"
MAX_RECORD = 16 * 2**20  # far above any stamp or record the build writes
# Inputs besides years/ that change what a build writes.
SITE_INPUTS = ("mkdocs.yml", "overrides", "docs_assets", "hooks", "schema", "klimatkontrakt.yaml", "i18n")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def outputs(folder: Path) -> dict[str, str]:
    """Return the hash of every file under folder by its relative path: what the no-op decision checks."""
    return {p.relative_to(folder).as_posix(): sha256(p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()}


@lru_cache(maxsize=1)  # the stamp, the PDF record and every cache key ask for it; the code does not change meanwhile
def code_fingerprint() -> str:
    """Hash the package's code and templates: a new renderer invalidates the cache."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if (
            path.is_file()
            and path.suffix in (".py", ".typ", ".j2", ".yaml", ".html", ".css", ".js")
            and "__pycache__" not in path.parts
        ):
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def stamp(root: Path, src: Source, drafts: bool, site_url: str | None = None) -> str:
    """Hash every input of a build: the data, the schemas, the site's files, the code, the commit and the address."""
    head = f"{src.label} {src.timestamp} {drafts} {site_url or ''} {code_fingerprint()}"
    return inputs_hash(root, ("years", *SITE_INPUTS), head)


def inputs_hash(root: Path, names: tuple[str, ...], head: str) -> str:
    """Hash head and every file under the named files and folders of root, with their paths."""
    digest = hashlib.sha256(head.encode())
    for name in names:
        base = root / name
        for path in sorted(base.rglob("*")) if base.is_dir() else [base] if base.is_file() else []:
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode())
                with path.open("rb") as file:  # in pieces: a stray giant file in years/ must not fill the memory
                    for piece in iter(lambda: file.read(2**20), b""):
                        digest.update(piece)
    return digest.hexdigest()


def stamp_file(root: Path, out: Path) -> Path:
    # Named after out relative to the repository, so a copied repository keeps its stamp.
    name = out.relative_to(root).as_posix() if out.is_relative_to(root) else str(out)
    return root / CACHE / f"stamp-{hashlib.sha256(name.encode()).hexdigest()[:12]}.json"


def built_before_markers(root: Path, out: Path) -> bool:
    """Tell whether out is a site/ a build wrote before output markers existed (so the first new build may replace it).

    Such a build left a stamp named after out's absolute path, without a list of outputs, and wrote nothing else there.
    """
    legacy = root / CACHE / f"stamp-{hashlib.sha256(str(out).encode()).hexdigest()[:12]}.json"
    try:
        stamp = json.loads(legacy.read_text(encoding="utf-8"))
        names = {p.name for p in out.iterdir()}
    except (OSError, ValueError, RecursionError):
        return False
    return (
        out == root / "site"
        and isinstance(stamp, dict)
        and "stamp" in stamp
        and "outputs" not in stamp
        and names <= {"index.html", "sv", "en", "downloads"}
    )


def read_json(path: Path) -> dict:
    """Return a small JSON record of the cache, or {} when it is missing, damaged or not a plain file."""
    if path.is_symlink() or not path.is_file():  # a pipe would be read forever, a link read from elsewhere
        return {}
    try:
        if path.stat().st_size > MAX_RECORD:  # never read a tampered giant whole
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: "[[[[..." nested deeper than json can read
        return {}
    return data if isinstance(data, dict) else {}


def read_stamp(root: Path, out: Path) -> dict | None:
    """Return the last build's stamp of out, or None when it is missing or damaged (the build then runs)."""
    data = read_json(stamp_file(root, out))
    shape = {"stamp": str, "versions": list, "warnings": int, "outputs": dict}
    if not all(isinstance(data.get(k), t) for k, t in shape.items()):
        return None
    return data


def write_stamp(root: Path, out: Path, stamp: dict) -> None:
    write_atomic(stamp_file(root, out), json.dumps(stamp))
