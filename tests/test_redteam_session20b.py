"""Red-team session 20b: the build's PDF job hand-back and the result caches, attacked as a hostile or careless user.

What was attacked, and what was found, is listed in the session's report.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from contract.cli.main import main
from tests.processes import tmpfs


@pytest.mark.slow  # a whole build, with its PDFs
@pytest.mark.parametrize("options", ["ro"], ids=["read-only"])  # no write at all: full would prove no more
def test_a_full_or_read_only_temporary_folder_does_not_stop_the_build(repo_copy, tmp_path, monkeypatch, options):
    # The build made MkDocs' pages and Typst's main file in TMPDIR, so a full or read-only one stopped it. Both are
    # made beside the output now (MkDocs) or not at all (Typst reads its source as an input): TMPDIR is never written.
    with tmpfs(tmp_path / "tmp", options) as folder:
        monkeypatch.setattr(tempfile, "tempdir", str(folder))  # what TMPDIR=folder gives a fresh process
        code = main(["build", "--root", str(repo_copy), "--jobs", "2"])
        assert sorted(folder.iterdir()) == []
    assert code == 0
    assert sorted(p.name for p in repo_copy.iterdir() if p.name.startswith(".site")) == [".site.lock"]


@pytest.mark.slow  # pandoc makes a Word file
@pytest.mark.parametrize("options", ["size=1m,nr_inodes=1", "ro"], ids=["full", "read-only"])
def test_a_full_or_read_only_temporary_folder_is_named_as_such_not_as_the_output(
    repo_copy, tmp_path, monkeypatch, capsys, options
):
    # TMPDIR full or read-only: the command failed cleanly, but said "cannot write the output" and told the user to
    # "choose another folder with --out", which cannot help: the folder that failed is the temporary one. The Word
    # export still makes its files there.
    out = tmp_path / "kontrakt.docx"
    with tmpfs(tmp_path / "tmp", options) as folder:
        monkeypatch.setattr(tempfile, "tempdir", str(folder))
        code = main(["docx", "2023", "--lang", "sv", "--root", str(repo_copy), "-o", str(out)])
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert code == 1
    assert "Traceback" not in err
    assert f"{folder}: error: cannot write a temporary file" in err, err
    assert "TMPDIR" in err and "--out" not in err, err
    assert not out.exists()


@pytest.mark.slow  # a build started in a process of its own, killed while its workers render
def test_a_build_killed_while_rendering_leaves_nothing_in_tmpdir_and_its_claims_go_with_its_staging(
    tmp_path, monkeypatch
):
    # The job claims lived in a kk-claims-* folder in TMPDIR: a killed build (SIGKILL, the OOM killer) left one there
    # for every kill, which no later build removed. In the staging folder, the next build's recovery drops them.
    from contract.output.files import recover
    from tests.processes import paused_with_own_tmpdir

    repo, temporary, build, resume = paused_with_own_tmpdir(tmp_path, monkeypatch, "rendering", "--jobs", "3")
    build.kill()
    build.communicate()
    os.close(resume)
    assert sorted(p.name for p in temporary.iterdir()) == []
    left = sorted(p.name for p in repo.iterdir() if p.name.startswith(".site"))
    assert left == [".site.lock", ".site.staging"], left
    assert (repo / ".site.staging" / ".claims").is_dir()
    recover(repo / "site")
    assert sorted(p.name for p in repo.iterdir() if p.name.startswith(".site")) == [".site.lock"]


@pytest.mark.slow  # a build started in a process of its own, paused while its workers render
def test_a_claims_folder_removed_during_the_build_is_a_clean_error_not_an_internal_one(tmp_path):
    # Nobody can claim a job once its claims folder is gone (a careless clean-up of hidden folders, or a temp
    # cleaner when it lived in TMPDIR): the worker returned None, and the build stopped with "internal error:
    # TypeError" (exit 2). It is a clean error now, exit 1, and site/ is not written.
    from tests.build_helpers import make_repo
    from tests.processes import start_paused

    repo = make_repo(tmp_path / "repo")
    # With the draft, the redlines are claimed (the contracts' PDFs are the workers' since their versions loaded).
    build, resume = start_paused(repo, "rendering", "--jobs", "3", "--drafts")
    shutil.rmtree(repo / ".site.staging" / ".claims")
    os.write(resume, b"x")
    os.close(resume)
    out, err = build.communicate()
    assert build.returncode == 1, out + err
    assert "internal error" not in out + err and "Traceback" not in err
    assert "the build's working folder was removed while it ran" in out + err
    assert not (repo / "site").exists()
