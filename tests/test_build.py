"""python build.py: everything from years/, atomically, reproducibly, and only what changed.

The tests that only read outputs share one built repository (the session fixture built_repo); the
others work on a copy of it, built in this process. Interrupted and concurrent builds, where the
process boundary matters, are in test_output_safety.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from build_helpers import ROOT, copy_repo, leftovers, run, tree


@pytest.mark.slow
def test_build_writes_both_languages_pdfs_and_no_drafts(built_repo):
    assert built_repo.plain.startswith("built 2023: site, 2 PDFs rendered, 0 reused, 0 redlines;")
    site = built_repo.root / "site"
    for path in (
        "index.html",
        "sv/index.html",
        "en/index.html",
        "sv/2023/index.html",
        "en/2023/index.html",
        "downloads/2023/klimatkontrakt-2023-sv.pdf",
        "downloads/2023/klimatkontrakt-2023-en.pdf",
        ".klimatkontrakt-output",
    ):
        assert (site / path).is_file(), path
    assert not (site / "sv" / "2024").exists() and not (site / "downloads" / "2024").exists()
    assert leftovers(built_repo.root) == []


@pytest.mark.slow
def test_drafts_bring_the_2024_draft_and_its_redline(built_repo):
    # The 2023 PDFs are the same with or without drafts, so the second build took them from the cache.
    assert built_repo.drafts.startswith("built 2023, 2024: site, 4 PDFs rendered, 2 reused, 1 redline;")
    drafts = built_repo.root / "drafts"
    assert (drafts / "downloads" / "2024" / "redline-2023-2024-sv.pdf").is_file()
    assert (drafts / "sv" / "2024" / "redline" / "index.html").is_file()


@pytest.mark.slow
def test_two_builds_from_the_same_commit_are_byte_identical(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    shutil.rmtree(repo / ".cache")
    code, out, err = run(repo, "--drafts", "--out", str(tmp_path / "again"))
    assert code == 0, out + err
    assert "6 PDFs rendered, 0 reused" in out
    assert tree(tmp_path / "again") == tree(built_repo.root / "drafts")


@pytest.mark.slow
def test_an_unchanged_rebuild_does_nothing_and_an_edit_renders_only_its_version(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    code, out, _ = run(repo, "--drafts", "--out", str(repo / "drafts"))
    assert code == 0 and out.startswith("nothing changed since the last build of 2023, 2024;")
    clause = repo / "years" / "2024" / "clause.yaml"
    clause.write_text(
        clause.read_text(encoding="utf-8").replace("ska uppdateras", "ska ses över och uppdateras"), encoding="utf-8"
    )
    code, out, err = run(repo, "--drafts", "--out", str(repo / "drafts"))
    assert code == 0, out + err
    assert "4 PDFs rendered, 2 reused" in out  # 2024's contract and redline PDFs; 2023's reused


# What a build that finds nothing changed must not load: it neither validates nor renders (about 0.25 s of imports).
_NOT_FOR_A_NO_OP = {"fontTools", "jinja2", "jsonschema", "markdown", "material", "mkdocs", "pyhanko", "typst"}
_LOADED = """
import json, sys
from contract.cli.main import main
code = main(sys.argv[1:])
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.slow
def test_a_build_with_nothing_changed_loads_no_validator_renderer_or_engine(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, "--root", str(repo), "build"],
        cwd=repo, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("nothing changed since the last build of 2023;"), done
    assert _NOT_FOR_A_NO_OP & set(json.loads(done.stderr.splitlines()[-1])) == set()


@pytest.mark.slow
def test_the_sites_address_reaches_the_404_page_and_another_address_rebuilds(built_repo, tmp_path):
    """publish.yml runs python build.py --site-url "$SITE_URL" with the address GitHub Pages gives."""
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    code, out, err = run(repo, "--site-url", "https://example.org/klimatkontrakt")
    assert code == 0, out + err
    assert out.startswith("built 2023: site, 0 PDFs rendered, 2 reused,")  # only the site depends on the address
    page = (repo / "site" / "404.html").read_text(encoding="utf-8")
    assert 'href="/klimatkontrakt/sv/"' in page and 'href="/klimatkontrakt/en/"' in page and "<script" not in page
    code, out, _ = run(repo, "--site-url", "https://example.org/klimatkontrakt/")
    assert code == 0 and out.startswith("nothing changed since the last build of 2023;")
    code, out, err = run(repo)  # no address: the 404 page finds the site's path itself again
    assert code == 0 and out.startswith("built 2023: site,"), out + err
    assert tree(repo / "site") == tree(built_repo.root / "site")


@pytest.mark.slow
def test_a_failed_build_leaves_the_previous_site_untouched(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    before = tree(repo / "site")
    purpose = repo / "years" / "2023" / "purpose.yaml"
    purpose.write_text(purpose.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    code, out, err = run(repo)
    assert code == 1
    assert out.splitlines() == [
        (
            "years/2023/purpose.yaml:1:1: error: version 2023 is signed and locked, but this file was changed since it was signed "
            "(undo the change (git checkout -- years/2023/purpose.yaml); a needed correction is an erratum: edit, then run "
            'klimatkontrakt erratum 2023 --what-sv "..." --why-sv "...")'
        ),
        "years/2023/purpose.yaml:4:5: error: unknown field 'titel' (did you mean 'title'?)",
    ]
    assert "Traceback" not in err
    assert tree(repo / "site") == before
    assert leftovers(repo) == []
