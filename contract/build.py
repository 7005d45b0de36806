"""The whole pipeline: gather and validate every version first, then write site, PDFs and redlines.

Everything is written into a staging folder beside site/ and swapped in at the end, so a failed or
interrupted build leaves the previous site/ as it was. PDFs are rendered in parallel processes and
kept in a content-hash cache (.cache/build/), so an unchanged version is not rendered again.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import ContractError, Diagnostic
from .files import swap, write_atomic
from .export import to_json
from .model import LANGS, Contract
from .provenance import Source, source
from .validate import validate

PACKAGE = Path(__file__).resolve().parent
# Inputs besides years/ that change what a build writes.
SITE_INPUTS = ("mkdocs.yml", "overrides", "docs_assets", "hooks", "schema")
CACHE = Path(".cache") / "build"


@dataclass
class BuildResult:
    """What a build did: versions, files written or reused, warnings, time."""

    versions: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    pdfs: int = 0
    reused: int = 0
    redlines: int = 0
    unchanged: bool = False
    seconds: float = 0.0
    warnings_count: int | None = None

    def __post_init__(self):
        if self.warnings_count is None:
            self.warnings_count = len(self.warnings)


@dataclass(frozen=True)
class Job:
    """One PDF to render: a contract, or a redline of a version against its predecessor."""

    kind: str  # contract | redline
    version: str
    lang: str
    path: str  # relative to the output folder

    def key(self, contracts: dict[str, Contract], src: Source, code: str) -> str:
        """Return the content hash that decides whether a cached PDF can be reused."""
        # src is this version's own provenance (contract.provenance.source(root, version)).
        parts = [self.kind, self.lang, code, src.label, str(src.timestamp), _fingerprint(contracts[self.version])]
        if self.kind == "redline":
            parts.append(_fingerprint(contracts[contracts[self.version].meta.previous]))
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def gather(root: Path, drafts: bool = False) -> tuple[dict[str, Contract], list[Diagnostic]]:
    """Load and check every version; raise ContractError if any has an error."""
    report, loaded = validate(root)
    if report.errors:
        raise ContractError([d for d in report.sorted() if d.severity == "error"])
    if not drafts:
        loaded = {v: c for v, c in loaded.items() if c.meta.status != "draft"}
    return loaded, [d for d in report.sorted() if d.severity == "warning"]


def build(root: Path, drafts: bool = False, out: Path | None = None, jobs: int | None = None,
          progress: Callable[[str], None] | None = None) -> BuildResult:
    """Validate everything, then build site, PDFs and redlines into out (default root/site) atomically."""
    started = time.perf_counter()
    root = Path(root).resolve()
    out = Path(out).resolve() if out else root / "site"
    say = progress or (lambda _: None)
    stamp = _stamp(root, source(root), drafts)
    last = _read_stamp(root, out)
    if out.is_dir() and last and last["stamp"] == stamp:
        # The same bytes in, the same site out: the last build already validated and wrote them.
        return BuildResult(versions=last["versions"], unchanged=True, warnings_count=last["warnings"], seconds=time.perf_counter() - started)
    contracts, warnings = gather(root, drafts)
    result = BuildResult(versions=sorted(contracts), warnings=warnings)
    staging = _staging(out)
    try:
        _write_all(root, contracts, staging, drafts, jobs, say, result)
        swap(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _write_stamp(root, out, {"stamp": stamp, "versions": result.versions, "warnings": len(warnings)})
    result.seconds = time.perf_counter() - started
    return result


def _write_all(root: Path, contracts: dict[str, Contract], staging: Path, drafts: bool,
               jobs: int | None, say: Callable[[str], None], result: BuildResult) -> None:
    from .site import build_site, default_redlines

    pdf_jobs = _pdf_jobs(contracts)
    redlines = default_redlines(contracts)
    result.redlines = len({v for v, _ in redlines})
    downloads = {(j.version, j.lang, j.kind): j.path for j in pdf_jobs}
    todo = _reuse_cached(root, contracts, staging, pdf_jobs, result)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    # The PDFs render in worker processes while this process builds the site: independent work.
    with ProcessPoolExecutor(max_workers=workers) if workers > 1 else _InProcess() as pool:
        futures = [(job, cached, pool.submit(_render_job, job, contracts, src)) for job, cached, src in todo]
        say("site")
        build_site(root, contracts, staging, drafts=drafts, downloads=downloads, redlines=redlines, planned=True)
        for done, (job, cached, future) in enumerate(futures, start=1):
            data = future.result()
            say(f"[{done}/{len(futures)}] {job.kind} PDF {job.version} {job.lang}")
            write_atomic(staging / job.path, data)
            write_atomic(cached, data)
            result.pdfs += 1


def _pdf_jobs(contracts: dict[str, Contract]) -> list[Job]:
    jobs = []
    for version, contract in sorted(contracts.items()):
        for lang in LANGS:
            jobs.append(Job("contract", version, lang, f"downloads/{version}/klimatkontrakt-{version}-{lang}.pdf"))
            previous = contract.meta.previous
            if previous in contracts:
                jobs.append(Job("redline", version, lang, f"downloads/{version}/redline-{previous}-{version}-{lang}.pdf"))
    return jobs


def _reuse_cached(root: Path, contracts: dict[str, Contract], staging: Path, pdf_jobs: list[Job],
                  result: BuildResult) -> list[tuple[Job, Path, Source]]:
    """Copy the PDFs the cache already has; return the jobs still to render with their cache file and provenance."""
    cache = root / CACHE
    cache.mkdir(parents=True, exist_ok=True)
    code = _code_fingerprint()
    sources = {v: source(root, v) for v in contracts}
    todo = []
    for job in pdf_jobs:
        cached = cache / f"{job.key(contracts, sources[job.version], code)}.pdf"
        if cached.is_file():
            write_atomic(staging / job.path, cached.read_bytes())
            result.reused += 1
        else:
            todo.append((job, cached, sources[job.version]))
    return todo


def _render_job(job: Job, contracts: dict[str, Contract], src: Source) -> bytes:
    """Render one PDF (runs in a worker process)."""
    if job.kind == "contract":
        from .pdf import render_pdf

        return render_pdf(contracts[job.version], job.lang, src)
    from .diff import compare
    from .render.redline_pdf import render_redline_pdf

    new = contracts[job.version]
    return render_redline_pdf(compare(contracts[new.meta.previous], new), job.lang, src, draft=new.meta.status == "draft")


class _InProcess:
    """A stand-in for a process pool that runs each job at once (one job, or --jobs 1)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn, *args):
        return _Done(fn(*args))


@dataclass
class _Done:
    value: bytes

    def result(self) -> bytes:
        return self.value


def _fingerprint(contract: Contract) -> str:
    data = json.dumps(to_json(contract), sort_keys=True, ensure_ascii=False)
    status = [(t.key, t.en_status) for t in contract.texts()]
    return hashlib.sha256((data + json.dumps(status)).encode("utf-8")).hexdigest()


def _code_fingerprint() -> str:
    """Hash the package's code and templates: a new renderer invalidates the cache."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".typ", ".j2", ".yaml", ".html", ".css", ".js") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _stamp(root: Path, src: Source, drafts: bool) -> str:
    """Hash every input of a build: the data, the schemas, the site's files, the code and the commit."""
    digest = hashlib.sha256(f"{src.label} {src.timestamp} {drafts} {_code_fingerprint()}".encode())
    for name in ("years", *SITE_INPUTS):
        base = root / name
        for path in sorted(base.rglob("*")) if base.is_dir() else [base] if base.is_file() else []:
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _stamp_file(root: Path, out: Path) -> Path:
    return root / CACHE / f"stamp-{hashlib.sha256(str(out).encode()).hexdigest()[:12]}.json"


def _read_stamp(root: Path, out: Path) -> dict | None:
    path = _stamp_file(root, out)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_stamp(root: Path, out: Path, stamp: dict) -> None:
    path = _stamp_file(root, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stamp), encoding="utf-8")


def _staging(out: Path) -> Path:
    # Leftovers of an interrupted build are removed; the previous site/ is never touched.
    for old in out.parent.glob(f".{out.name}.staging-*"):
        shutil.rmtree(old, ignore_errors=True)
    staging = out.with_name(f".{out.name}.staging-{os.getpid()}")
    staging.mkdir(parents=True)
    return staging
