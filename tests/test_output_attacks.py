"""Red-team reproducers for issue #10: arguments and repository content that made a build write where it must not.

Each test is a defect found by attacking the build's output safety; it failed before its fix.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import select
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from build_helpers import ROOT, copy_repo, edit_style, leftovers, make_repo, run, run_process
from processes import pool_workers, start_paused, tmpfs

from contract.build.jobs import cached as _cached
from contract.build.stamps import stamp_file
from contract.cli.site import site_writes
from contract.errors import UsageError
from contract.output.files import write_atomic
from contract.output.guard import MARKER_TEXT, check_folder, mark

CHOOSE = "(choose a folder of its own with --out, e.g. --out site)"


@pytest.fixture
def repo(tmp_path) -> Path:
    """A committed repository that has never been built."""
    return make_repo(tmp_path / "repo").resolve()


def test_a_lock_file_planted_as_a_link_is_refused_and_its_target_kept(repo):
    contract = repo / "years" / "2023" / "contract.yaml"
    before = contract.read_bytes()
    (repo / ".site.lock").symlink_to(contract)
    code, err, _ = run(repo, "--no-wait")
    assert code == 2
    assert f"{repo / '.site.lock'}: error: the lock file is a symbolic link" in err
    assert contract.read_bytes() == before
    assert not (repo / "site").exists()


@pytest.mark.parametrize("where", ["years", "elsewhere"])
def test_a_build_outside_a_repository_is_refused_before_anything_is_written(repo, tmp_path, where):
    folder = repo / "years" if where == "years" else tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    before = sorted(os.listdir(folder))
    code, err, _ = run(folder, "--no-wait")
    assert code == 2
    assert f"{folder}: error: this is not a klimatkontrakt repository (it has no years/ folder)" in err
    assert sorted(os.listdir(folder)) == before


@pytest.mark.parametrize("link", [".cache", ".cache/build"])
def test_a_cache_folder_that_is_a_link_is_refused_and_nothing_written_through_it(repo, tmp_path, link):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine\n", encoding="utf-8")
    (repo / link).parent.mkdir(parents=True, exist_ok=True)
    (repo / link).symlink_to(victim)
    code, out, _ = run(repo, "--no-wait")
    assert code == 1
    assert f"{repo / link}: error: the build cache is a symbolic link" in out
    assert sorted(os.listdir(victim)) == ["keep.txt"]
    assert not (repo / "site").exists()


def test_a_cache_entry_that_is_a_link_is_never_published(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not a PDF of the contract\n")
    cache = tmp_path / "cache"
    cache.mkdir()
    entry = cache / f"{'a' * 64}-{hashlib.sha256(secret.read_bytes()).hexdigest()}.pdf"
    entry.symlink_to(secret)
    notes: list = []
    assert _cached(cache, "a" * 64, notes) is None
    assert [n.code for n in notes] == ["cache-damaged"]
    assert not entry.is_symlink() and secret.exists()


def test_a_cache_entry_that_is_a_folder_is_dropped_and_rendered_again(tmp_path):
    # Red team 21b (read, not run): a folder with a cache entry's name stopped the build with "cannot write the
    # output", since only a file can be unlinked. The cache is the build's own: the folder goes, with a note.
    cache = tmp_path / "cache"
    entry = cache / f"{'a' * 64}-{'0' * 64}.pdf"
    (entry / "inside").mkdir(parents=True)
    notes: list = []
    assert _cached(cache, "a" * 64, notes) is None
    assert [n.code for n in notes] == ["cache-damaged"]
    assert not entry.exists()


def test_a_marker_planted_in_a_folder_of_documents_does_not_let_a_build_replace_it(repo, tmp_path):
    documents = tmp_path / "Documents"
    (documents / "sv").mkdir(parents=True)
    (documents / ".klimatkontrakt-output").write_text("Written by klimatkontrakt\n", encoding="utf-8")
    (documents / "report.odt").write_bytes(b"my report")
    (documents / "sv" / "brev.txt").write_bytes(b"my letter")
    code, out, _ = run(repo, "--no-wait", "--out", str(documents))
    assert code == 2
    assert out.startswith(f"{documents}: error: the output folder holds 'report.odt', which klimatkontrakt did not")
    assert sorted(os.listdir(documents)) == [".klimatkontrakt-output", "report.odt", "sv"]


def test_a_marked_folder_is_replaced_only_when_it_holds_nothing_but_what_its_marker_lists(tmp_path):
    site = tmp_path / "site"
    (site / "sv").mkdir(parents=True)
    (site / "sv" / "index.html").write_text("page\n", encoding="utf-8")
    mark(site, ["sv/index.html"])
    check_folder(tmp_path / "repo", site)
    (site / "sv" / "notes.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(UsageError, match=re.escape("holds 'sv/notes.txt', which klimatkontrakt did not write")):
        check_folder(tmp_path / "repo", site)
    (site / "sv" / "notes.txt").unlink()
    (site / ".git").symlink_to(tmp_path)
    with pytest.raises(UsageError, match=re.escape("holds '.git', which klimatkontrakt did not write")):
        check_folder(tmp_path / "repo", site)


@pytest.mark.slow
def test_a_built_site_with_a_file_of_the_user_or_a_git_folder_added_is_not_replaced(built_repo, tmp_path):
    root = copy_repo(built_repo.root, tmp_path / "copy")
    site = root / "site"
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")
    code, out, _ = run(root, "--no-wait")
    assert (code, out.split(",")[0]) == (2, f"{site}: error: the output folder holds '.git/HEAD'")
    assert (site / ".git" / "HEAD").is_file()
    shutil.rmtree(site / ".git")
    code, out, _ = run(root, "--no-wait")
    assert code == 0 and out.startswith("nothing changed")
    edit_style(root)
    assert run(root, "--no-wait")[0] == 0
    (site / "sv" / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert run(root, "--no-wait")[:2] == (
        2,
        f"{site}: error: the output folder holds 'sv/notes.txt', which "
        "klimatkontrakt did not write; a build replaces its output folder whole "
        "(move it out of the folder, or choose another folder with --out)\n",
    )


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_build_stopped_by_a_signal_says_so_and_leaves_no_staging_folder_and_no_workers(repo, stop):
    build, resume = start_paused(
        repo, "rendering", "--jobs", "3"
    )  # nothing cached: two workers render while the build makes the site
    workers = pool_workers(build.pid)
    handles = [os.pidfd_open(pid) for pid in workers]
    try:
        assert len(workers) == 2
        os.kill(build.pid, stop)
        os.close(resume)
        _, err = build.communicate()
        assert (build.returncode, err) == (128 + stop, "interrupted\n")
        for handle in handles:  # readable once that process has ended; the timeout only guards against a hang
            assert select.select([handle], [], [], 60)[0], "a worker outlived the build it belonged to"
        assert leftovers(repo) == [] and not (repo / "site").exists()
    finally:
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for handle in handles:
            os.close(handle)


def test_an_output_folder_inside_another_output_folder_is_refused(repo, tmp_path):
    site = repo / "site"
    (site / "sv").mkdir(parents=True)
    mark(site, ["sv/"])
    for inner in (site / "sub", site / "sv" / "deeper"):
        code, out, _ = run(repo, "--no-wait", "--out", str(inner))
        assert (code, out) == (
            2,
            f"{inner}: error: the output folder is inside {site}, the output folder of another "
            f"build, which replaces it whole {CHOOSE}\n",
        )
    assert sorted(os.listdir(site)) == [".klimatkontrakt-output", "sv"] and os.listdir(site / "sv") == []


def test_a_link_planted_at_the_temporary_name_of_a_file_is_not_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("mine\n", encoding="utf-8")
    (tmp_path / f".stamp.json.{os.getpid()}.tmp").symlink_to(victim)
    write_atomic(tmp_path / "stamp.json", "{}")
    assert victim.read_text(encoding="utf-8") == "mine\n"
    assert (tmp_path / "stamp.json").read_text(encoding="utf-8") == "{}"
    assert sorted(os.listdir(tmp_path)) == ["stamp.json", "victim.txt"]


@pytest.mark.slow
def test_a_build_killed_while_writing_its_stamp_leaves_no_temporary_file_after_the_next(built_repo, tmp_path):
    root = copy_repo(built_repo.root, tmp_path / "copy")
    edit_style(root)  # site built again, PDFs from the cache: the first write into the cache is the stamp
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KLIMATKONTRAKT_FAULT": "kill:written-build"}
    killed = run_process(root, "--no-wait", env=env)
    assert killed.returncode == -signal.SIGKILL
    cache = root / ".cache" / "build"
    assert [p.name for p in cache.glob(".stamp-*.tmp")] != []
    code, out, _ = run(root, "--no-wait")
    assert code == 0 and out.startswith("built 2023: site, 0 PDFs rendered, 2 reused")
    assert [p.name for p in cache.glob(".*")] == []


def test_an_output_folder_that_is_a_mount_point_is_refused_before_the_build(repo, tmp_path):
    with tmpfs(tmp_path / "usb", "size=1m") as mount:
        code, out, _ = run(repo, "--no-wait", "--out", str(mount))
        assert code == 2
        assert out == (
            f"{mount}: error: the output folder is a mount point, and a build replaces its output "
            f"folder whole by renaming it (use a folder inside it, e.g. --out {mount / 'site'})\n"
        )
        assert os.listdir(mount) == []


def test_a_forged_marker_without_a_file_list_owns_nothing(repo, tmp_path):
    documents = tmp_path / "Documents"
    (documents / "sv").mkdir(parents=True)
    (documents / ".klimatkontrakt-output").write_text("Written by klimatkontrakt\n", encoding="utf-8")
    (documents / "sv" / "brev.txt").write_bytes(b"my letter")
    code, out, _ = run(repo, "--no-wait", "--out", str(documents))
    assert code == 2 and out.startswith(f"{documents}: error: the output folder holds 'sv/brev.txt', which")
    assert (documents / "sv" / "brev.txt").read_bytes() == b"my letter"


def test_a_marker_written_before_it_listed_files_still_owns_what_builds_wrote_then(tmp_path):
    site = tmp_path / "site"
    (site / "sv").mkdir(parents=True)
    (site / "sv" / "index.html").write_text("page\n", encoding="utf-8")
    (site / ".klimatkontrakt-output").write_text(MARKER_TEXT, encoding="utf-8")
    check_folder(tmp_path / "repo", site)


def test_a_stamp_that_is_a_pipe_is_ignored_instead_of_read_forever(repo):
    stamp = stamp_file(repo, repo / "site")
    stamp.parent.mkdir(parents=True)
    os.mkfifo(stamp)
    code = (
        f"from contract.build.stamps import read_stamp; from pathlib import Path; "
        f"print(read_stamp(Path({str(repo)!r}), Path({str(repo / 'site')!r})))"
    )
    # The timeout only guards against the hang this test is about.
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "None\n")


def test_the_marker_is_replaced_not_written_through_a_hard_link(tmp_path):
    source = tmp_path / "contract.yaml"
    source.write_text("version: 2023\n", encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    os.link(source, site / ".klimatkontrakt-output")
    mark(site, ["sv/"])
    assert source.read_text(encoding="utf-8") == "version: 2023\n"


def test_what_a_killed_site_command_leaves_in_its_folder_stays_its_own(tmp_path):
    out = tmp_path / "out"
    for leftover in (".sv.staging/index.html", ".en.old-123/index.html", "sv/index.html"):
        (out / leftover).parent.mkdir(parents=True, exist_ok=True)
        (out / leftover).write_text("page\n", encoding="utf-8")
    (out / ".index.html.99999.tmp").write_text("half\n", encoding="utf-8")
    mark(out, site_writes(("sv", "en")))
    check_folder(tmp_path / "repo", out)
    (out / ".svx").write_text("mine\n", encoding="utf-8")
    with pytest.raises(UsageError, match=re.escape("holds '.svx', which klimatkontrakt did not write")):
        check_folder(tmp_path / "repo", out)


@pytest.mark.parametrize("inside", [".cache", ".cache/build"])
def test_the_build_cache_is_never_the_output_folder(repo, inside):
    code, out, _ = run(repo, "--no-wait", "--out", str(repo / inside))
    assert (code, out) == (
        2,
        f"{repo / inside}: error: the output folder is or is inside the repository's .cache/, "
        f"which holds the build cache {CHOOSE}\n",
    )
    assert not (repo / ".cache").exists()
