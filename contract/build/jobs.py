"""A build's PDF jobs: which PDFs to render, which the cache has, and those the workers start as versions load."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import shutil
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Diagnostic
from ..model import Contract, Pos
from ..output.files import write_atomic
from ..output.guard import writing
from ..render import labels
from ..source.provenance import Source, source
from . import stamps
from .stamps import CACHE

if TYPE_CHECKING:
    from .run import BuildResult
    from .workers import Pool


@dataclass(frozen=True)
class Job:
    """One PDF to render: a contract, or a redline of a version against its predecessor."""

    kind: str  # contract | redline
    version: str
    lang: str
    path: str  # relative to the output folder

    def key(self, prints: dict[str, str], previous: dict[str, str], src: Source, code: str) -> str:
        """Return the content hash that decides whether a cached PDF can be reused.

        prints: each version's fingerprint; previous: each version's predecessor (diff.lineage);
        src: this version's own provenance (contract.provenance.source(root, version)).
        """
        parts = [self.kind, self.lang, code, src.label, str(src.timestamp), prints[self.version]]
        if self.kind == "redline":
            parts.append(prints[previous[self.version]])
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def pdf_jobs(contracts: dict[str, Contract]) -> list[Job]:
    """Return every PDF of these versions: each language's contract, and its redline where there is a previous."""
    from ..diff.lineage import previous_version

    jobs = []
    for version, contract in sorted(contracts.items()):
        previous = previous_version(contracts, version)
        for lang in contract.languages:
            jobs.append(Job("contract", version, lang, f"downloads/{version}/klimatkontrakt-{version}-{lang}.pdf"))
            if previous is not None:
                jobs.append(
                    Job("redline", version, lang, f"downloads/{version}/redline-{previous}-{version}-{lang}.pdf")
                )
    return jobs


def reuse_cached(
    inputs: Inputs, contracts: dict[str, Contract], staging: Path, pdf_jobs: list[Job], result: BuildResult
) -> list[tuple[Job, str, Source]]:
    """Copy the PDFs the cache already has; return the jobs still to render with their cache key and provenance."""
    cache = inputs.root / CACHE
    with writing(cache):
        cache.mkdir(parents=True, exist_ok=True)
    from ..diff.lineage import previous_versions

    prints = {v: inputs.fingerprint(v, c) for v, c in contracts.items()}
    previous = previous_versions(contracts)
    todo = []
    for job in pdf_jobs:
        src = inputs.source(job.version)
        key = job.key(prints, previous, src, inputs.code)
        data = cached(cache, key, result.notes)
        if data is not None:
            write_atomic(staging / job.path, data)
            result.reused += 1
        else:
            todo.append((job, key, src))
    return todo


def labels_fingerprint() -> str:
    """Hash the label catalogues of the repository's languages (its own i18n/ too): a PDF's words come from them."""
    digest = hashlib.sha256()
    for lang, file in labels.registered():
        digest.update(lang.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def cached(cache: Path, key: str, notes: list[Diagnostic]) -> bytes | None:
    """Return the cached PDF of key if its content still has the hash in its name; drop a damaged one with a note."""
    for entry in sorted(cache.glob(f"{key}-*.pdf")):
        # A link is never the build's own entry: it would publish whatever it points at.
        data = None if entry.is_symlink() or not entry.is_file() else entry.read_bytes()
        if data is not None and entry.name == f"{key}-{stamps.sha256(data)}.pdf":
            return data
        notes.append(
            Diagnostic(
                Pos(str(entry)),
                "note",
                "this cached PDF was damaged (its content does not match "
                "the hash it was stored with); it is rendered again",
                code="cache-damaged",
            )
        )
        with writing(cache):
            if entry.is_dir() and not entry.is_symlink():  # a folder by that name: the cache is the build's own
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)  # another build may have dropped it first
    return None


def fingerprint(contract: Contract) -> str:
    """Hash everything of a version that its PDFs show: the model, each text's translation status, the subjects."""
    from ..render.export import to_json

    data = json.dumps(to_json(contract), sort_keys=True, ensure_ascii=False)
    status = [(t.key, [t.status(lang) for lang in contract.translations]) for t in contract.texts()]
    # Not contract text, so not in the export, yet the signature fields' seed values of the PDF are made from it.
    subjects = [(p.id, sorted(p.certificate_subject.items())) for p in contract.parties]
    return hashlib.sha256((data + json.dumps(status) + json.dumps(subjects)).encode("utf-8")).hexdigest()


@dataclass
class Inputs:
    """What the jobs' cache keys are made of, worked out once per build: sources, fingerprints, the renderer."""

    root: Path
    sources: dict[str, Source] = field(default_factory=dict)
    prints: dict[str, tuple[Contract, str]] = field(default_factory=dict)

    def source(self, version: str) -> Source:
        if version not in self.sources:
            self.sources[version] = source(self.root, version)
        return self.sources[version]

    def fingerprint(self, version: str, contract: Contract) -> str:
        if version not in self.prints or self.prints[version][0] is not contract:
            self.prints[version] = (contract, fingerprint(contract))
        return self.prints[version][1]

    @functools.cached_property
    def code(self) -> str:
        """Return the code, the engine and fonts, and the labels: what renders every PDF."""
        return stamps.renderer_fingerprint() + labels_fingerprint()


@dataclass
class Started:
    """The contract PDFs handed to the workers as each version loads, before the checks run (gather's `on_load`).

    A contract PDF depends on its own version only, so a worker lays it out while this process checks every
    version and makes the site. A job started here serves the build only under the cache key the build computes
    once every version is checked, so it is the same PDF; a build that fails its checks stops the workers.
    """

    inputs: Inputs
    pool: Pool
    drafts: bool
    futures: dict[str, Future] = field(default_factory=dict)

    def offer(self, version: str, contract: Contract) -> None:
        """Start the PDFs of a version just loaded, unless the cache has them or no worker is running yet."""
        if not isinstance(self.pool, ProcessPoolExecutor) or (contract.meta.status == "draft" and not self.drafts):
            return  # --jobs 1 renders in this process, after the checks; a deferred pool expects the cache to serve
        from . import workers

        with contextlib.suppress(OSError):  # only saves time: the build finds out about the cache itself
            src, prints = self.inputs.source(version), {version: self.inputs.fingerprint(version, contract)}
            for job in pdf_jobs({version: contract}):  # one version alone: its contracts, no redline
                key = job.key(prints, {}, src, self.inputs.code)
                if key not in self.futures and not any((self.inputs.root / CACHE).glob(f"{key}-*.pdf")):
                    args = (job.kind, job.lang, contract, False, src, labels.registered())
                    self.futures[key] = self.pool.submit(workers.render, *args)

    def first(self, todo: list[tuple[Job, str, Source]]) -> list[tuple[Job, str, Source]]:
        """Return todo with the jobs started here first, in the order the pool runs them."""
        return sorted(todo, key=lambda item: item[1] not in self.futures)
