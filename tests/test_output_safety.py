"""Issue #10, output safety: which folders a build may replace, one build at a time, kills, full disks, the network.

Builds run in this process unless the process boundary is what a test checks (a kill, two builds at
once). Kills and pauses happen at named steps (contract.faults, KLIMATKONTRAKT_FAULT), never after a
guessed time.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import os
import resource
import signal
import threading
from pathlib import Path
from typing import ClassVar

import pytest
from build_helpers import (
    copy_repo,
    edit_style,
    git,
    leftovers,
    make_repo,
    run,
    run_process,
    tree,
)
from processes import tmpfs

from contract.build.stamps import built_before_markers
from contract.cli.main import main
from contract.output.files import recover

CHOOSE = "(choose a folder of its own with --out, e.g. --out site)"
ABOVE = "the output folder is the repository or a folder above it, and a build replaces its output folder whole"


@pytest.fixture
def repo(tmp_path) -> Path:
    """A committed repository that has never been built."""
    return make_repo(tmp_path / "repo").resolve()


def _listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# ---------------------------------------------------------------- output folders


@pytest.mark.parametrize(
    "out, message",
    [
        (".", ABOVE),
        ("..", ABOVE),
        ("years", "the output folder is or is inside the repository's years/, which holds sources"),
        ("years/2023", "the output folder is or is inside the repository's years/, which holds sources"),
        ("schema", "the output folder is or is inside the repository's schema/, which holds sources"),
        ("contract", "the output folder is or is inside the repository's contract/, which holds sources"),
        (".git", "the output folder is or is inside the repository's .git/, which holds sources"),
    ],
)
def test_the_build_refuses_the_repository_above_it_and_its_sources(repo, out, message):
    before, around = tree(repo), _listing(repo.parent)
    code, stdout, stderr = run(repo, "--out", str(repo / out))
    assert (code, stdout, stderr) == (2, f"{(repo / out).resolve()}: error: {message} {CHOOSE}\n", "")
    assert tree(repo) == before and _listing(repo.parent) == around


@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_jobs_must_be_a_positive_number(repo, jobs, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--root", str(repo), "--jobs", jobs])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(
        f"error: argument --jobs: expected a whole number of at least 1, got {jobs!r}\n"
    )
    assert not (repo / "site").exists()


def test_a_marker_does_not_make_a_source_folder_an_output(repo):
    (repo / "years" / ".klimatkontrakt-output").write_text("forged\n", encoding="utf-8")
    code, stdout, _ = run(repo, "--out", str(repo / "years"))
    assert (code, stdout) == (
        2,
        (
            f"{repo / 'years'}: error: the output folder is or is inside the repository's years/, "
            f"which holds sources {CHOOSE}\n"
        ),
    )


def test_the_build_refuses_a_folder_with_files_of_someone_else(repo, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me\n", encoding="utf-8")
    code, stdout, _ = run(repo, "--out", str(notes))
    assert code == 2
    assert stdout == (
        f"{notes}: error: the output folder is not empty and was not written by klimatkontrakt (it holds 'todo.txt'); "
        "a build replaces its output folder whole (choose another folder with --out, or empty this one yourself)\n"
    )
    assert _listing(notes) == ["todo.txt"] and _listing(tmp_path) == ["notes", "repo"]


def test_the_build_refuses_a_marked_folder_that_holds_tracked_files(repo):
    public = repo / "public"
    public.mkdir()
    (public / "page.html").write_text("<p>committed by hand</p>\n", encoding="utf-8")
    (public / ".klimatkontrakt-output").write_text("marker\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a committed site")
    code, stdout, _ = run(repo, "--out", str(public))
    assert (code, stdout) == (
        2,
        f"{public}: error: the output folder holds files tracked by git, e.g. .klimatkontrakt-output {CHOOSE}\n",
    )


def test_the_build_refuses_a_file_and_a_link_to_the_repository(repo, tmp_path):
    (tmp_path / "a-file").write_text("text\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(repo)
    assert run(repo, "--out", str(tmp_path / "a-file"))[:2] == (
        2,
        f"{tmp_path / 'a-file'}: error: the output path is a file, not a folder {CHOOSE}\n",
    )
    assert run(repo, "--out", str(tmp_path / "link"))[:2] == (2, f"{repo}: error: {ABOVE} {CHOOSE}\n")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "text\n"


def test_site_out_refuses_a_folder_with_files_of_someone_else(repo, tmp_path):
    mine = tmp_path / "mine"
    (mine / "sv").mkdir(parents=True)
    (mine / "sv" / "draft.md").write_text("my notes\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["site", "--root", str(repo), "--out", str(mine)])
    assert code == 2
    assert out.getvalue() == (
        f"{mine}: error: the output folder is not empty and was not written by klimatkontrakt (it holds 'sv'); "
        "a build replaces its output folder whole (choose another folder with --out, or empty this one yourself)\n"
    )
    assert tree(mine) == {"sv/draft.md": hashlib.sha256(b"my notes\n").hexdigest()}


@pytest.mark.slow
def test_site_out_writes_an_empty_folder_marks_it_and_may_write_it_again(repo, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for _ in range(2):
        with contextlib.redirect_stderr(io.StringIO()):
            assert main(["site", "--root", str(repo), "--out", str(empty)]) == 0
    assert _listing(empty) == [".klimatkontrakt-output", "404.html", "en", "index.html", "sv"]
    assert (empty / "sv" / "2023" / "index.html").is_file()


def test_a_site_built_before_markers_existed_is_known_by_its_stamp_and_nothing_else(repo):
    def old_stamp(out: Path) -> None:
        name = f"stamp-{hashlib.sha256(str(out).encode()).hexdigest()[:12]}.json"
        (repo / ".cache" / "build").mkdir(parents=True, exist_ok=True)
        (repo / ".cache" / "build" / name).write_text(
            '{"stamp": "0", "versions": ["2023"], "warnings": 0}', encoding="utf-8"
        )

    site, public = repo / "site", repo / "public"
    for folder in (site, public):
        (folder / "sv").mkdir(parents=True)
        (folder / "index.html").write_text("<p>built</p>\n", encoding="utf-8")
        old_stamp(folder)
    assert built_before_markers(repo, site)
    assert not built_before_markers(repo, public)  # only the default site/ was ever adopted this way
    (site / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert not built_before_markers(repo, site)
    assert run(repo)[:2] == (
        2,
        (
            f"{site}: error: the output folder is not empty and was not written by klimatkontrakt (it holds "
            "'index.html'); a build replaces its output folder whole (choose another folder with --out, or empty "
            "this one yourself)\n"
        ),
    )


def test_repair_restores_the_newest_old_site_and_removes_only_its_own_leftovers(tmp_path):
    site = tmp_path / "site"
    for name in (".site.old-41", ".site.staging-41", ".site.staging", ".site.building", ".site.notes"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(name, encoding="utf-8")
    (tmp_path / ".site.old-40").symlink_to(tmp_path / ".site.notes")  # a link is never followed or removed
    assert recover(site) == [
        "restored site/ from before an interrupted build",
        "removed .site.staging/ left by an interrupted build",
        "removed .site.staging-41/ left by an interrupted build",
    ]
    assert (site / "index.html").read_text(encoding="utf-8") == ".site.old-41"
    # No build makes .site.building (only .LANG.building inside an output, dropped by drop_scratch): it may be a
    # user's, and it stays (red team 21b).
    assert _listing(tmp_path) == [".site.building", ".site.notes", ".site.old-40", "site"]
    assert recover(site) == []


# ---------------------------------------------------------------- full disk, read-only folder


@contextlib.contextmanager
def _read_only(folder: Path):
    """Make folder unwritable; yield it with the error the system gives: a read-only mount for root, else permissions."""
    if os.geteuid() == 0:
        with tmpfs(folder, "ro,size=64k"):
            yield folder, "Read-only file system"
        return
    folder.mkdir()
    folder.chmod(0o555)
    try:
        yield folder, "Permission denied"
    finally:
        folder.chmod(0o755)


@pytest.mark.slow
def test_a_full_disk_is_a_clear_error_and_leaves_nothing_behind(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    with tmpfs(tmp_path / "small", "size=64k") as small:
        code, out, err = run(repo, "--out", str(small / "site"))
        assert code == 1 and "Traceback" not in err
        pdf = small / ".site.staging" / "downloads" / "2023" / "klimatkontrakt-2023-sv.pdf"
        assert out == (
            f"{small / 'site'}: error: cannot write the output: No space left on device ({pdf}) "
            "(free some space, or choose another folder with --out)\n"
        )
        assert _listing(small) == [".site.lock"]


def test_a_read_only_folder_is_a_clear_error(repo, tmp_path):
    with _read_only(tmp_path / "ro") as (readonly, reason):
        code, out, _ = run(repo, "--out", str(readonly / "site"))
        assert (code, out) == (
            1,
            (
                f"{readonly}: error: cannot write the output: {reason} ({readonly / '.site.lock'}) "
                "(check that the folder can be written, or choose another folder with --out)\n"
            ),
        )
        assert _listing(readonly) == []


def test_a_command_writing_into_a_read_only_folder_says_so(repo, tmp_path):
    with _read_only(tmp_path / "ro") as (readonly, reason):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["export", "--root", str(repo), "2023", "--format", "json", "-o", str(readonly / "2023.json")])
        assert (code, out.getvalue()) == (1, "")
        assert (
            err.getvalue()
            == f"{readonly / '2023.json'}: error: {reason} (check that the folder can be written, or write somewhere else)\n"
        )
        assert _listing(readonly) == []


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG instead of killing


@pytest.mark.slow
def test_a_file_size_limit_is_a_clear_error_without_privileges(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    edit_style(repo)
    before = tree(repo / "site")
    result = run_process(repo, preexec_fn=_limit_file_size)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.startswith(f"{repo / 'site'}: error: cannot write the output: File too large (")
    assert tree(repo / "site") == before and leftovers(repo) == []
    assert not [p for p in repo.rglob("*.tmp")]


# ---------------------------------------------------------------- the network


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Record every request path; answer 404."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_error(404)

    def log_message(self, format, *args) -> None:
        pass


@pytest.mark.slow
def test_the_build_fetches_nothing_a_text_points_at(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        clause = repo / "years" / "2024" / "clause.yaml"
        text = clause.read_text(encoding="utf-8")
        assert "ska uppdateras" in text
        clause.write_text(
            text.replace("ska uppdateras", f"ska uppdateras ![bild]({base}/image.png) [länk]({base}/page)", 1),
            encoding="utf-8",
        )
        code, out, err = run(repo, "--drafts", "--out", str(repo / "drafts"))
        assert code in (0, 1) and "internal error" not in out + err  # 1: validation may refuse images in texts
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert _Recorder.seen == []
