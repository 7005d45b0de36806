"""The build compares each pair of versions once, and "previous version" means one thing everywhere.

The repository here has a version whose `previous:` is not the version sorted just before it: 2025 replaces
2023 (2024 is a draft that was abandoned), so sorted order and `previous:` disagree.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from collections import Counter
from pathlib import Path

import pytest
from build_helpers import make_repo, run

import contract.diff
from contract.build import site
from contract.build.changes import ChangeSets
from contract.build.jobs import pdf_jobs
from contract.build.run import gather
from contract.cli.main import main
from contract.diff.history import all_timelines, timeline
from contract.diff.lineage import previous_version, previous_versions


def _branch(root: Path) -> Path:
    """Add 2025, a copy of 2024 that names 2023 as its previous version (so against 2024 only its number changed)."""
    shutil.copytree(root / "years" / "2024", root / "years" / "2025")
    meta = root / "years" / "2025" / "contract.yaml"
    text = meta.read_text(encoding="utf-8")
    assert "version: '2024'" in text and "previous: '2023'" in text
    meta.write_text(text.replace("version: '2024'", "version: '2025'"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def branched(tmp_path_factory) -> Path:
    return _branch(make_repo(tmp_path_factory.mktemp("branched") / "repo"))


@pytest.fixture(scope="module")
def contracts(branched):
    loaded, _ = gather(branched, drafts=True)
    assert sorted(loaded) == ["2023", "2024", "2025"]
    return loaded


def test_previous_is_the_contracts_own_and_sorted_order_only_fills_a_gap(contracts):
    assert previous_versions(contracts) == {"2024": "2023", "2025": "2023"}
    unnamed = {**contracts, "2025": _with_previous(contracts["2025"], None)}
    assert previous_version(unnamed, "2025") == "2024"  # nothing named: the version sorted before
    outside = {**contracts, "2025": _with_previous(contracts["2025"], "2019")}
    assert previous_version(outside, "2025") is None  # named but not loaded: none, never the sorted one
    assert previous_version(contracts, "2023") is None  # 2023 names 2022, which is not in the archive


def test_history_and_redline_show_the_same_change_against_the_same_version(contracts):
    changes = ChangeSets()
    own = changes.since_previous(contracts)
    redline = changes.between(contracts["2023"], contracts["2025"])
    assert own["2025"] is redline  # the redline of 2025 is against 2023, the version it names
    assert not redline.empty  # and 2023 → 2025 is not the empty 2024 → 2025
    checked = 0
    for steps in all_timelines(contracts, own).values():
        step = next(s for s in steps if s.version == "2025")
        change = next((s for s in redline.sections if s.new_id == step.id), None)
        if step.present and change is not None and "first" not in step.changes:
            assert step.changes == change.kinds, step.id
            checked += bool(change.kinds)
    assert checked > 0  # some section changed 2023 → 2025, and its history says so


def test_history_without_the_builds_changes_follows_the_same_rule(contracts):
    changes = ChangeSets().since_previous(contracts)
    section = next(s.id for s in contracts["2025"].walk())
    assert timeline(contracts, section) == timeline(contracts, section, changes)


def test_redline_pdfs_and_downloads_name_the_contracts_previous_version(contracts, tmp_path):
    paths = {j.path for j in pdf_jobs(contracts) if j.kind == "redline"}
    assert paths == {f"downloads/{v}/redline-2023-{v}-{lang}.pdf" for v in ("2024", "2025") for lang in ("sv", "en")}
    target = tmp_path / "downloads" / "2025" / "redline-2023-2025-sv.pdf"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"%PDF-")
    assert (
        site.find_downloads(tmp_path, contracts)[("2025", "sv", "redline")] == "downloads/2025/redline-2023-2025-sv.pdf"
    )


def test_the_cache_compares_a_pair_once_and_tells_contents_apart(contracts):
    changes = ChangeSets()
    first = changes.between(contracts["2023"], contracts["2025"])
    assert changes.between(contracts["2023"], contracts["2025"]) is first
    edited = _with_previous(contracts["2025"], "2024")  # other content, same version number: compared anew
    assert changes.between(contracts["2023"], edited) is not first
    assert changes.computed == Counter({("2023", "2025"): 2})


EVERY_PAIR_ONCE = Counter({("2023", "2024"): 1, ("2023", "2025"): 1, ("2024", "2025"): 1})


@pytest.fixture
def comparisons(monkeypatch) -> Counter[tuple[str, str]]:
    """Count the differ's real work by pair of versions: every ChangeSet starts with matching the sections."""
    made: Counter[tuple[str, str]] = Counter()
    real = contract.diff.match

    def counting(old, new):
        made[(old.meta.version, new.meta.version)] += 1
        return real(old, new)

    monkeypatch.setattr(contract.diff, "match", counting)
    return made


@pytest.mark.slow
def test_the_site_command_compares_each_pair_of_versions_once(branched, comparisons, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["site", "--root", str(branched), "--drafts", "--out", str(tmp_path / "site")])
    assert code == 0, out.getvalue() + err.getvalue()
    assert comparisons == EVERY_PAIR_ONCE


@pytest.mark.slow
def test_a_build_compares_each_pair_of_versions_once(branched, comparisons):
    """Count through a whole build, the redline PDFs included (rendered in this process: --jobs 1)."""
    code, out, err = run(branched, "--drafts", "--jobs", "1")
    assert code == 0, out + err
    assert (branched / "site" / "downloads" / "2025" / "redline-2023-2025-en.pdf").is_file()
    page = (branched / "site" / "sv" / "2025" / "index.html").read_text(encoding="utf-8")
    assert "redline-2023-2025-sv.pdf" in page and "redline-2024-2025" not in page
    # The redline pages and PDFs, the compare pages and the history together need every pair, each once.
    assert comparisons == EVERY_PAIR_ONCE


def _with_previous(version, previous):
    from dataclasses import replace

    return replace(version, meta=replace(version.meta, previous=previous))
