"""The whole pipeline: gather and validate every version first, then write site, PDFs and redlines.

One build at a time writes an output folder (contract.output holds its lock and refuses folders it
must not replace). Everything is written into a staging folder beside site/ and swapped in at the end,
so a failed or interrupted build leaves the previous site/ as it was. PDFs are rendered in parallel
processes and kept in a content-hash cache (.cache/build/), each entry checked against the hash in its
name before reuse, so an unchanged version is not rendered again.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import interrupts
from ..errors import ContractError, Diagnostic
from ..model import Contract, Pos
from ..output import faults
from ..output.files import drop_temporaries, staging_path, swap, write_atomic
from ..output.guard import claim, mark, writing
from ..render import labels
from ..source.provenance import Source, source
from . import stamps
from .jobs import Inputs, Job, Started, pdf_jobs, reuse_cached
from .stamps import CACHE

if TYPE_CHECKING:  # loaded when a build writes; a no-op build needs none of them
    from concurrent.futures import Future

    from ..diff.changeset import ChangeSet
    from . import workers
    from .changes import ChangeSets

# What the PDFs are made from (with the code and the commit): the rest of SITE_INPUTS changes only the web pages.
PDF_INPUTS = ("years", "schema", "klimatkontrakt.yaml", "i18n")
PDF_RECORD = "pdf-inputs.json"  # the hash of PDF_INPUTS the cache was last filled from, with and without drafts


@dataclass
class BuildResult:
    """What a build did: versions, files written or reused, warnings, time."""

    versions: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)
    pdfs: int = 0
    reused: int = 0
    redlines: int = 0
    unchanged: bool = False
    seconds: float = 0.0
    warnings_count: int | None = None

    def __post_init__(self):
        if self.warnings_count is None:
            self.warnings_count = len(self.warnings)


def gather(
    root: Path, drafts: bool = False, on_load: Callable[[str, Contract], None] | None = None
) -> tuple[dict[str, Contract], list[Diagnostic]]:
    """Load and check every version; raise ContractError if any has an error.

    on_load is told of each version that loads without an error, before its checks run.
    """
    from ..checks.validate import validate

    report, loaded = validate(root, on_load=on_load)
    if report.errors:
        raise ContractError([d for d in report.sorted() if d.severity == "error"])
    if not drafts:
        loaded = {v: c for v, c in loaded.items() if c.meta.status != "draft"}
    return loaded, [d for d in report.sorted() if d.severity == "warning"]


def build(
    root: Path,
    drafts: bool = False,
    out: Path | None = None,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
    wait: bool = True,
    notice: Callable[[str], None] | None = None,
    site_url: str | None = None,
) -> BuildResult:
    """Validate everything, then build site, PDFs and redlines into out (default root/site) atomically.

    Another build writing out is waited for (notice says so), or refused with UsageError if not wait.
    site_url is the address the site is published at (default: mkdocs.yml's site_url, if any).
    """
    started = time.perf_counter()
    root = Path(root).resolve()
    out = Path(out).resolve() if out else root / "site"
    with claim(root, out, wait, notice, known=stamps.built_before_markers(root, out)) as repaired:
        result = _build_claimed(root, out, drafts, jobs, progress or (lambda _: None), site_url)
    result.notes[:0] = [Diagnostic(Pos(str(out)), "note", done, code="output-repaired") for done in repaired]
    result.seconds = time.perf_counter() - started
    return result


def _build_claimed(
    root: Path, out: Path, drafts: bool, jobs: int | None, say: Callable[[str], None], site_url: str | None = None
) -> BuildResult:
    """Build into out, whose lock this process holds; do nothing if the last build's inputs and outputs are intact."""
    _check_cache(root)
    with writing(root / CACHE):
        drop_temporaries(root / CACHE)  # what a build killed while writing the cache left; nobody reads them
    src = source(root)
    stamp, pdf_inputs = stamps.build_hashes(root, src, drafts, site_url, PDF_INPUTS)
    last = stamps.read_stamp(root, out)
    if last and last["stamp"] == stamp and out.is_dir() and stamps.outputs(out) == last["outputs"]:
        # The same bytes in, the same site out, still in place: the last build already validated and wrote them.
        return BuildResult(versions=last["versions"], unchanged=True, warnings_count=last["warnings"])
    from . import workers  # here: a no-op build loads no multiprocessing

    pool, record = _start_workers(root, jobs, pdf_inputs, drafts)
    started = Started(Inputs(root), pool, drafts)
    staging = staging_path(out)
    try:
        with pool, workers.stopping(pool):
            faults.point("validating")  # the workers are starting: a test interrupts the build here
            contracts, warnings = gather(root, drafts, on_load=started.offer)
            interrupts.check()  # a Ctrl-C that a finalizer swallowed while the versions were checked
            result = BuildResult(versions=sorted(contracts), warnings=warnings)
            with writing(out):
                staging.mkdir()
                _write_all(root, contracts, staging, drafts, started, say, result, site_url)
                mark(staging, [p.relative_to(staging).as_posix() for p in staging.rglob("*") if not p.is_dir()])
                faults.point("staged")
                interrupts.check()
                outputs = stamps.outputs(staging)
                swap(staging, out, step=lambda done: faults.point(f"swap-{done}"))
    finally:  # a second Ctrl-C must not leave half of the staging folder
        interrupts.whole(lambda: shutil.rmtree(staging, ignore_errors=True))
    with writing(root / CACHE):
        stamps.write_stamp(
            root, out, {"stamp": stamp, "versions": result.versions, "warnings": len(warnings), "outputs": outputs}
        )
        with contextlib.suppress(OSError):  # only saves a later build time: never fail a build that is published
            write_atomic(root / CACHE / PDF_RECORD, json.dumps(record, sort_keys=True))
    faults.point("stamped")
    return result


def _start_workers(root: Path, jobs: int | None, pdf_inputs: str, drafts: bool) -> tuple[workers.Pool, dict[str, str]]:
    """Start the PDF workers; return them and the record of the PDFs' inputs to write once the build succeeds.

    They load the PDF toolchain while this process validates, unless the PDFs' inputs are those the cache was
    last filled from (a site-only edit): then they start only if a PDF must be rendered after all.
    """
    from ..source.languages import load_languages
    from . import workers

    # At most a contract and a redline per version folder and language: the folders are counted, not read.
    folders = [p for p in (root / "years").iterdir() if p.is_dir()] if (root / "years").is_dir() else []
    record = {k: v for k, v in stamps.read_json(root / CACHE / PDF_RECORD).items() if k in ("drafts", "signed")}
    kind = "drafts" if drafts else "signed"  # a build with drafts renders more PDFs than one without
    pool = workers.start(jobs, 2 * len(load_languages(root).all) * len(folders), record.get(kind) != pdf_inputs)
    return pool, {**record, kind: pdf_inputs}


def _write_all(
    root: Path,
    contracts: dict[str, Contract],
    staging: Path,
    drafts: bool,
    started: Started,
    say: Callable[[str], None],
    result: BuildResult,
    site_url: str | None = None,
) -> None:
    """Write site and PDFs into staging: the PDFs render in the pool while this process builds the site."""
    from . import workers
    from .changes import ChangeSets
    from .redlines import default_redlines
    from .site import build_site

    everything = pdf_jobs(contracts)
    downloads = {(j.version, j.lang, j.kind): j.path for j in everything}
    todo = started.first(reuse_cached(started.inputs, contracts, staging, everything, result))
    if isinstance(started.pool, workers.InProcess):  # signed originals last: their fields' Python waits for the site
        todo.sort(
            key=lambda item: item[0].kind == "contract" and item[0].lang == contracts[item[0].version].languages[0]
        )
    # Every comparison of this build, made once for the redline PDFs, redline and compare pages and history.
    changes = ChangeSets()
    # In staging, not in TMPDIR: a killed build's claims go with its staging folder (files.recover), none is published.
    claims = workers.Claims(str(staging / ".claims"))
    os.mkdir(claims.folder)
    try:
        submitted = _submit(todo, contracts, changes, started, claims)
        faults.point("rendering")
        interrupts.check()
        say("site")
        redlines = default_redlines(contracts, changes=changes)
        result.redlines = len({v for v, _ in redlines})
        build_site(
            root, contracts, staging, drafts, downloads, redlines, planned=True, changes=changes, site_url=site_url
        )
        in_process = isinstance(started.pool, workers.InProcess)  # --jobs 1: one PDF at a time, in its thread
        holders = [holder for holder, _ in submitted] if in_process else workers.render_rest(submitted, claims)
        _collect(root, staging, todo, holders, say, result, started.pool)
    finally:
        claims.close()


def _submit(
    todo: list[tuple[Job, str, Source]],
    contracts: dict[str, Contract],
    changes: ChangeSets,
    started: Started,
    claims: workers.Claims,
) -> list[tuple[Future | workers.Done, tuple]]:
    """Hand every job to the pool, claimed by whoever renders it (a job started as its version loaded is the worker's)."""
    from . import workers

    submitted: list[tuple[Future | workers.Done, tuple]] = []
    for index, (job, key, src) in enumerate(todo):
        subject, draft = _subject(job, contracts, changes)
        job_args = (job.kind, job.lang, subject, draft, src, labels.registered())
        begun = started.futures.get(key)
        if begun is not None and claims.take(index):  # a worker has it since it loaded: render_rest must not
            submitted.append((begun, job_args))
            continue
        holder = started.pool.submit(workers.claimed, claims.folder, index, workers.render, *job_args)
        submitted.append((holder, job_args))
    return submitted


def _collect(
    root: Path,
    staging: Path,
    todo: list[tuple[Job, str, Source]],
    holders: list[Future | workers.Done],
    say: Callable[[str], None],
    result: BuildResult,
    pool: workers.Pool,
) -> None:
    """Write each rendered PDF into staging and the cache, in the jobs' order."""
    from . import workers

    for done, ((job, key, _), holder) in enumerate(zip(todo, holders, strict=True), start=1):
        # A wait that only a worker ends: a swallowed Ctrl-C, or one given to another thread, must not wait for it,
        # nor a worker that died without its pool noticing (workers.result).
        data = interrupts.waiting(functools.partial(workers.result, pool, holder), TimeoutError)
        if data is None:  # nobody could claim the job: its claims folder was removed while the build ran
            message = f"the build's working folder was removed while it ran: {job.path} was not rendered"
            hint = "leave the build's hidden folders alone while it runs, and run it again"
            raise ContractError([Diagnostic(Pos(str(staging)), "error", message, hint, "output-removed")])
        say(f"[{done}/{len(todo)}] {job.kind} PDF {job.version} {job.lang}")
        write_atomic(staging / job.path, data)
        with writing(root / CACHE):
            write_atomic(root / CACHE / f"{key}-{stamps.sha256(data)}.pdf", data)
        result.pdfs += 1


def _subject(job: Job, contracts: dict[str, Contract], changes: ChangeSets) -> tuple[Contract | ChangeSet, bool]:
    """Return what a job renders (its contract, or the build's ChangeSet of a redline) and whether it is a draft."""
    from ..diff.lineage import previous_versions

    new = contracts[job.version]
    if job.kind == "contract":
        return new, False
    previous = previous_versions(contracts)[job.version]  # a redline job exists only when there is one
    return changes.between(contracts[previous], new), new.meta.status == "draft"


def _check_cache(root: Path) -> None:
    """Raise ContractError if the cache folder is a link (the build would write through it) or a file."""
    for folder in (root / CACHE.parent, root / CACHE):
        if folder.is_symlink():
            message = "the build cache is a symbolic link, and the build would write and delete files where it points"
            hint = f"remove the link; the build makes {CACHE.as_posix()}/ itself"
            raise ContractError([Diagnostic(Pos(str(folder)), "error", message, hint, "cache-link")])
        if folder.exists() and not folder.is_dir():
            message = "the build keeps its cache in a folder here, and this is a file"
            hint = f"move the file away; the build makes {CACHE.as_posix()}/ itself"
            raise ContractError([Diagnostic(Pos(str(folder)), "error", message, hint, "cache-file")])
