"""What a build leaves to decide the next one: the hash of its inputs, the list of its outputs, the code's hash.

A build does nothing when the stamp of its output folder says the same inputs made the same outputs, still
in place; these records live in the cache folder (.cache/build/), one per output folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import font_source_sans_pro

from ..output.files import write_atomic
from ..resources import PACKAGE
from ..source.provenance import Source

CACHE = Path(".cache") / "build"
MAX_RECORD = 16 * 2**20  # far above any stamp or record the build writes
# Inputs besides years/ that change what a build writes, or whether it may (glossary.yaml: its errors stop a build,
# and its warnings are counted).
SITE_INPUTS: tuple[str, ...] = ("mkdocs.yml", "overrides", "docs_assets", "hooks", "schema", "klimatkontrakt.yaml")
SITE_INPUTS += ("i18n", "glossary.yaml")
# The folders Typst is given fonts from (contract.pdf.compile.FONT_DIR): a changed font changes every PDF.
PDF_FONT_DIRS = (Path(font_source_sans_pro.font_directory),)
PDF_ENGINES = ("typst", "pyhanko")  # the packages whose output is in a PDF's bytes: Typst's, and the signature fields
# The packages whose output is in the site's bytes: the pages (MkDocs, Material, Jinja, Markdown and its extensions)
# and the search index (Pagefind).
SITE_ENGINES = ("mkdocs", "mkdocs-material", "jinja2", "markdown", "pymdown-extensions", "pagefind", "pagefind-bin")


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


@lru_cache(maxsize=1)  # read once per process: the engine does not change meanwhile
def engine_fingerprint() -> str:
    """Hash what makes a PDF besides our code: the engines' versions and every font file Typst is given.

    The typst package bundles fonts of its own, which its version stands for; pyHanko writes the signature
    fields into the contract PDF. Upgrading either, or a changed font file, makes every cached PDF stale.
    """
    digest = hashlib.sha256(_versions(PDF_ENGINES).encode())
    for folder in PDF_FONT_DIRS:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(b"\0" + path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def site_engine_fingerprint() -> str:
    """Hash the versions of the packages that make the site: an upgraded MkDocs or Material builds it again."""
    return hashlib.sha256(_versions(SITE_ENGINES).encode()).hexdigest()[:16]


def _versions(packages: tuple[str, ...]) -> str:
    names = []
    for package in packages:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:  # not installed as a distribution: nothing to tell versions apart by
            version = "unknown"
        names.append(f"{package} {version}\n")
    return "".join(names)


def renderer_fingerprint() -> str:
    """Return what identifies the renderer of a build: our code and templates, then the PDF engine and fonts."""
    return f"{code_fingerprint()} {engine_fingerprint()}"


def stamp_head(src: Source, drafts: bool, site_url: str | None = None) -> str:
    """Return the head of a build's stamp, hashed with years/ and SITE_INPUTS: commit, drafts, address, renderer."""
    return f"{src.label} {src.timestamp} {drafts} {site_url or ''} {renderer_fingerprint()} {site_engine_fingerprint()}"


def pdf_head(src: Source) -> str:
    """Return the head of the record of the PDFs' inputs: the commit and the renderer."""
    return f"{src.label} {src.timestamp} {renderer_fingerprint()}"


def build_hashes(
    root: Path, src: Source, drafts: bool, site_url: str | None, pdf_inputs: tuple[str, ...]
) -> tuple[str, str]:
    """Return a build's stamp and the hash of its PDFs' inputs, reading years/ once for both."""
    site = ("years", *SITE_INPUTS)
    stamp, pdfs = inputs_hashes(root, [(site, stamp_head(src, drafts, site_url)), (pdf_inputs, pdf_head(src))])
    return stamp, pdfs


def inputs_hash(root: Path, names: tuple[str, ...], head: str) -> str:
    """Hash head and every file under the named files and folders of root, with their paths."""
    return inputs_hashes(root, [(names, head)])[0]


def inputs_hashes(root: Path, wanted: Sequence[tuple[tuple[str, ...], str]]) -> list[str]:
    """Return inputs_hash(root, names, head) of each (names, head), reading every file once.

    Each list of names must keep the order the longest list gives them (one walk serves all), so that each
    hash is the very value inputs_hash alone gives: a build's caches stay valid.
    """
    order = list(dict.fromkeys(name for names, _ in sorted(wanted, key=lambda w: -len(w[0])) for name in names))
    if any([n for n in order if n in names] != list(names) for names, _ in wanted):
        raise ValueError("the lists of inputs disagree on their order")
    digests = [(set(names), hashlib.sha256(head.encode())) for names, head in wanted]
    for name in order:
        feed = [digest for names, digest in digests if name in names]
        base = root / name
        for path in _files(base):
            if not _hook_bytecode(path.relative_to(root)):
                _feed(feed, os.fsencode(path.relative_to(root).as_posix()), path)  # any name the system allows
    return [digest.hexdigest() for _, digest in digests]


def _files(base: Path) -> list[Path]:
    """Return the files under base (or base itself), sorted as rglob's list sorts them, linked folders included.

    MkDocs reads overrides/ and copies docs_assets/ through a linked folder, which rglob does not enter: an edit
    there was no change. A folder already walked (a link looping back) is not entered again; folders are walked in name order.
    """
    if not base.is_dir():
        return [base] if base.is_file() else []
    found: list[Path] = []
    seen: set[str] = set()
    for folder, subfolders, names in os.walk(base, followlinks=True):
        seen.add(os.path.realpath(folder))
        subfolders[:] = sorted(name for name in subfolders if os.path.realpath(os.path.join(folder, name)) not in seen)
        found += [path for path in (Path(folder, name) for name in names) if path.is_file()]
    return sorted(found)


def _hook_bytecode(path: Path) -> bool:
    """Whether a path (from the root) is Python's bytecode of hooks/, written when MkDocs loads the hook: no input.

    Only that: a __pycache__ folder elsewhere (docs_assets/, copied into the site whole; years/, where it would be
    listed as a version) or anything but bytecode in it changes what a build makes.
    """
    parts = path.parts
    return parts[0] == "hooks" and len(parts) > 2 and parts[-2] == "__pycache__" and path.suffix == ".pyc"


def _feed(digests: list, name: bytes, path: Path) -> None:
    for digest in digests:
        digest.update(name)
    with path.open("rb") as file:  # in pieces: a stray giant file in years/ must not fill the memory
        for piece in iter(lambda: file.read(2**20), b""):
            for digest in digests:
                digest.update(piece)


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
