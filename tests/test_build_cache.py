"""Issue #10, the cache and the no-op stamp: a damaged cache entry or stamp, and outputs changed since the last build."""

from __future__ import annotations

import shutil

import pytest
from build_helpers import copy_repo, edit_style, make_repo, run, tree

from contract.build.stamps import read_stamp, stamp_file


@pytest.fixture
def repo(tmp_path):
    """A committed repository that has never been built."""
    return make_repo(tmp_path / "repo").resolve()


# ---------------------------------------------------------------- the cache and the no-op stamp


@pytest.mark.slow
def test_a_damaged_cache_entry_is_rendered_again_with_one_note(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    published = (repo / "site" / "downloads" / "2023" / "klimatkontrakt-2023-sv.pdf").read_bytes()
    entry = next(p for p in (repo / ".cache" / "build").glob("*.pdf") if p.read_bytes() == published)
    entry.write_text("x\n", encoding="utf-8")
    edit_style(repo)
    code, out, err = run(repo)
    assert code == 0 and "1 PDFs rendered, 1 reused" in out
    assert err == (
        f"{entry}: note: this cached PDF was damaged (its content does not match the hash it was stored with); "
        "it is rendered again\n"
    )
    assert (repo / "site" / "downloads" / "2023" / "klimatkontrakt-2023-sv.pdf").read_bytes() == published
    assert entry.read_bytes() == published
    (repo / "docs_assets" / "kk.css").write_text("/* again */\n", encoding="utf-8")
    code, out, err = run(repo)
    assert (code, err) == (0, "") and "0 PDFs rendered, 2 reused" in out


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["remove sv", "change a page", "add a file"])
def test_outputs_missing_or_changed_since_the_last_build_are_built_again(built_repo, tmp_path, damage):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    site = repo / "site"
    before = tree(site)
    if damage == "remove sv":
        shutil.rmtree(site / "sv")
    elif damage == "change a page":
        (site / "en" / "index.html").write_text("defaced\n", encoding="utf-8")
    else:  # a file the build did not write is never deleted: the build refuses until it is moved out
        (site / "sv" / "extra.html").write_text("left here\n", encoding="utf-8")
        code, out, _ = run(repo)
        assert code == 2 and out.startswith(f"{site}: error: the output folder holds 'sv/extra.html', which")
        assert (site / "sv" / "extra.html").read_text(encoding="utf-8") == "left here\n"
        return
    code, out, _ = run(repo)
    assert code == 0 and out.startswith("built 2023: site, 0 PDFs rendered, 2 reused")
    assert tree(site) == before


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[]",
        b"null",
        b'{"stamp": 1}',
        b'{"stamp": "x", "versions": [], "warnings": 0, "outputs": []}',
    ],
)
def test_a_damaged_stamp_reads_as_no_stamp(repo, data):
    stamp = stamp_file(repo, repo / "site")
    stamp.parent.mkdir(parents=True)
    stamp.write_bytes(data)
    assert read_stamp(repo, repo / "site") is None


@pytest.mark.slow
def test_a_build_with_a_damaged_stamp_builds_again(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    stamp_file(repo, repo / "site").write_text('{"stamp": [', encoding="utf-8")
    code, out, err = run(repo)
    assert code == 0 and out.startswith("built 2023: site, 0 PDFs rendered, 2 reused"), out + err
