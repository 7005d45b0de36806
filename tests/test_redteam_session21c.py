"""Red-team session 21c: the whole build as a hostile or careless user (arguments, output folders, site address).

Each defect found has a reproducer marked `# DEFECT (fixed):` (each fixed since, so it passes); the other
tests are probes that found nothing and keep it so. What was attacked is listed in the session's report.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from contract.cli.main import main
from tests.build_helpers import git, leftovers, make_repo, tree
from tests.processes import finish, start_paused

HUGE = "9" * 5000  # more digits than Python's int() converts (4300): int() raises ValueError


def _run(*argv: str) -> tuple[int, str]:
    """Run the command line in this process; return its exit code and everything it printed."""
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse exits on a usage error
            code = exc.code if isinstance(exc.code, int) else 2
    return code, said.getvalue()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return make_repo(tmp_path_factory.mktemp("red21c") / "repo")


# ---------------------------------------------------------------- --jobs


@pytest.mark.parametrize("jobs", [" 2", "+2", "0x2", "1_0", "-1", "", "1.0", "0"])
def test_odd_jobs_are_a_usage_error_saying_what_is_expected(repo, tmp_path, jobs):
    code, said = _run("build", "--root", str(repo), "--out", str(tmp_path / "out"), "--jobs", jobs)
    assert code == 2
    assert "expected a whole number of at least 1" in said
    assert "Traceback" not in said
    assert not (tmp_path / "out").exists()


# DEFECT (fixed): `--jobs ²` (a superscript two: str.isdigit() says yes, int() says no) and `--jobs` with 5,000 digits
# (more than int() converts) pass _positive's isdigit() test, then int() raises ValueError, which argparse reports
# as "invalid _positive value: '...'": the name of an internal function instead of what is expected, and for the
# long number the whole 5,000-digit argument echoed back. Exit 2 and no traceback, but not the clear error.
@pytest.mark.parametrize("jobs", ["²", HUGE], ids=["superscript-two", "5000-digits"])
def test_jobs_that_only_look_like_digits_say_what_is_expected(repo, tmp_path, jobs):
    code, said = _run("build", "--root", str(repo), "--out", str(tmp_path / "out"), "--jobs", jobs)
    assert code == 2
    assert "_positive" not in said
    assert "expected a whole number of at least 1" in said
    assert len(said) < 1000


# ---------------------------------------------------------------- --out in the repository's own folders


@pytest.mark.parametrize(
    "out", ["years/newdir", "years/2023/x", "", ".", "hooks/out", ".git/out", ".cache/build/out", "schema/../years/y"]
)
def test_an_output_folder_among_the_sources_is_refused_before_anything_is_written(repo, out, monkeypatch):
    monkeypatch.chdir(repo)  # a relative --out is the user's folder, as the shell gives it
    before = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if ".git" not in p.parts)
    code, said = _run("site", "--root", str(repo), "--out", out)
    assert code == 2, said
    assert "error:" in said and "choose a folder of its own with --out" in said
    assert "Traceback" not in said
    after = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if ".git" not in p.parts)
    assert [p for p in after if p not in before and not p.startswith(".cache")] == []


# ---------------------------------------------------------------- --site-url with escapes


@pytest.mark.slow
def test_escaped_markup_in_the_site_url_stays_escaped_in_every_page(repo, tmp_path):
    url = "https://example.org/%3Cscript%3Ex%22%27%FF/"
    code, said = _run("site", "--root", str(repo), "--out", str(tmp_path / "out"), "--site-url", url)
    assert code == 0, said
    pages = {p: p.read_text(encoding="utf-8", errors="replace") for p in (tmp_path / "out").rglob("*.html")}
    assert pages
    assert not [p for p, text in pages.items() if "<script>x" in text or '%3Cscript%3Ex"' in text]
    assert (
        'href="https://example.org/%3Cscript%3Ex%22%27%FF/sv/2023/"' in pages[tmp_path / "out" / "sv/2023/index.html"]
    )
    assert 'href="/%3Cscript%3Ex%22%27%FF/sv/"' in pages[tmp_path / "out" / "404.html"]


# ---------------------------------------------------------------- --out that the operating system refuses


def test_an_output_folder_that_is_a_file_is_a_usage_error(repo, tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    code, said = _run("site", "--root", str(repo), "--out", str(tmp_path / "notes.txt"))
    assert code == 2, said
    assert "is a file, not a folder" in said
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine\n"


# DEFECT (fixed): an --out inside a file (`--out notes.txt/site`, a slip of the user) is exit 1 with "cannot write the output:
# File exists (.../notes.txt)": the operating system's words for mkdir on a path whose parent is a file, which
# says the opposite of what is wrong. `--out notes.txt` itself gets exit 2 and "the output path is a file, not a
# folder"; a folder inside it is the same usage error.
@pytest.mark.parametrize("command", ["site", "build"])
def test_an_output_folder_inside_a_file_is_a_usage_error_naming_the_file(repo, tmp_path, command):
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    code, said = _run(command, "--root", str(repo), "--out", str(tmp_path / "notes.txt" / "site"))
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert "Traceback" not in said
    assert "File exists" not in said
    assert "not a folder" in said
    assert code == 2, said


# DEFECT (fixed): an --out whose last name is longer than the file system allows (255 bytes) is exit 1 with only
# "error: File name too long": no hint what to do, and the exit code of bad data for what is a bad argument.
def test_an_output_folder_with_a_too_long_name_is_a_usage_error_with_a_hint(repo, tmp_path):
    code, said = _run("site", "--root", str(repo), "--out", str(tmp_path / ("a" * 300)))
    assert "Traceback" not in said
    assert code == 2, said
    assert "--out" in said
    assert [p.name for p in tmp_path.iterdir()] == []


# ---------------------------------------------------------------- --out inside another repository


# DEFECT (fixed): the guard refuses an --out inside the built repository's years/, schema/, ... but not inside another
# repository's. A careless user in the years/ folder of one checkout who builds another (`cd a/years &&
# klimatkontrakt site --root ../../b --out site`) gets a site written into a/years/site (and a/years/.site.lock),
# after which every command on a fails: "years/site/contract.yaml: error: the version has no contract.yaml".
@pytest.mark.parametrize("inside", ["years/site", "schema/site"])
def test_an_output_folder_inside_another_repositorys_sources_is_refused(repo, tmp_path, monkeypatch, inside):
    other = make_repo(tmp_path / "other")
    before = sorted(p.relative_to(other).as_posix() for p in other.rglob("*"))
    monkeypatch.chdir(other / inside.split("/")[0])
    code, said = _run("site", "--root", str(repo), "--out", inside.split("/")[1])
    after = sorted(p.relative_to(other).as_posix() for p in other.rglob("*"))
    assert [p for p in after if p not in before] == []
    assert code == 2, said
    assert "choose a folder of its own with --out" in said


# ---------------------------------------------------------------- a real document it was not built around


@pytest.mark.slow
def test_the_imported_seed_builds_to_the_same_bytes_with_one_or_three_jobs(tmp_path, monkeypatch):
    shared = next(p / "shared" / "seeds" for p in Path(__file__).resolve().parents if (p / "shared" / "seeds").is_dir())
    seed = shared / "000_e642925e7fb0b65d.txt"  # the real 2023 text, wherever the checkout sits
    own = make_repo(tmp_path / "repo")
    git(own, "rm", "-rq", "years/2024")  # the signed 2023 and the seed after it: the redline compares the two
    monkeypatch.chdir(own)
    code, said = _run("import", str(seed), "--version", "2025", "--municipality", "Borås Stad", "--out", "years/2025")
    assert code == 0, said
    git(own, "add", "-A", "years")
    git(own, "commit", "-qm", "the seed imported as a draft")
    trees = []
    for jobs in ("1", "3"):
        shutil.rmtree(own / ".cache", ignore_errors=True)  # each renders every PDF itself
        code, said = _run("build", "--root", str(own), "--drafts", "--jobs", jobs, "--out", str(tmp_path / jobs))
        assert code == 0, said
        assert "2025" in said.splitlines()[-1]
        trees.append(tree(tmp_path / jobs))
    assert "downloads/2025/redline-2023-2025-sv.pdf" in trees[0]
    assert trees[0] == trees[1]


# ---------------------------------------------------------------- labels in the repository's i18n/, a failing version


@pytest.mark.slow
def test_an_edited_repository_label_reaches_the_pdfs_the_workers_render(tmp_path):
    own = make_repo(tmp_path / "repo")
    shipped = (Path(__file__).resolve().parents[1] / "contract" / "i18n" / "sv.yaml").read_text(encoding="utf-8")
    assert "\ncontents: Innehåll\n" in shipped
    (own / "i18n").mkdir()
    labels = own / "i18n" / "sv.yaml"
    for word in ("ETT", "TVÅ"):
        labels.write_text(shipped.replace("\ncontents: Innehåll\n", f"\ncontents: Innehåll {word}\n"), encoding="utf-8")
        code, said = _run("build", "--root", str(own), "--jobs", "3", "--out", str(tmp_path / "out"))
        assert code == 0, said
        assert "2 PDFs rendered, 0 reused" in said  # an edited label is a new key: never the PDF of the old one
        pdf = tmp_path / "out" / "downloads" / "2023" / "klimatkontrakt-2023-sv.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert f"Innehåll {word}" in text


@pytest.mark.slow
def test_a_version_failing_its_rules_with_one_job_writes_nothing(tmp_path):
    own = make_repo(tmp_path / "repo")
    contract = own / "years" / "2024" / "contract.yaml"
    text = contract.read_text(encoding="utf-8")
    contract.write_text(text.replace("previous: '2023'", "previous: '2025'"), encoding="utf-8")
    git(own, "commit", "-qam", "a rule error")
    before = sorted(p.name for p in own.iterdir())
    code, said = _run("build", "--root", str(own), "--drafts", "--jobs", "1")
    assert code == 1, said
    assert "years/2024/contract.yaml:6:11: error: previous: '2025' is not a version before '2024'" in said
    assert "Traceback" not in said
    assert sorted(p.name for p in own.iterdir()) == sorted([*before, ".site.lock"])


# ---------------------------------------------------------------- interrupted while the build's own thread renders


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_a_build_with_one_job_stopped_while_its_thread_renders_leaves_nothing(tmp_path, how):
    own = make_repo(tmp_path / "repo")
    build, resume = start_paused(own, "rendering", "--jobs", "1", own_group=True)
    try:
        os.killpg(build.pid, how)
        # It hung once under load, most likely so: the kernel gave the stop to the PDF thread (or one Typst made),
        # and the main thread slept on in the pause's untimed read (contract.output.faults, now a timed wait; see
        # test_signals_to_other_threads). A hang shows every thread's stack in err.
        returncode, out, err = finish(build)
    finally:
        os.close(resume)
    assert (returncode, out, err) == (128 + how, "", "interrupted\n")
    assert leftovers(own) == [] and not (own / "site").exists()
    cache = own / ".cache" / "build"
    strays = [p.name for p in cache.iterdir() if not p.name.endswith(".pdf")] if cache.is_dir() else []
    assert strays == []
    code, said = _run("build", "--root", str(own), "--jobs", "1")
    assert code == 0, said
    assert "note" not in said  # no damaged cache entry, nothing to recover


# ---------------------------------------------------------------- an output named like another output's work folders


# DEFECT (fixed): `--out DIR/.site.staging` (or `.site.old`) is accepted: an absent folder. The next build or site command
# into DIR/site takes it for what an interrupted build of DIR/site left and removes it (with the site command, without
# a word): a complete site the user asked for, lost. Either the name must be refused (exit 2, it is the staging or
# old folder of DIR/site), or a folder marked as another build's output must be left alone.
@pytest.mark.parametrize("name", [".site.staging", ".site.old"])
def test_an_output_named_like_the_staging_folder_of_another_is_not_lost(repo, tmp_path, name):
    first, said = _run("site", "--root", str(repo), "--out", str(tmp_path / name))
    if first == 2:  # refused before anything is written: nothing to lose
        assert "Traceback" not in said and not (tmp_path / name).exists()
        return
    assert first == 0, said
    code, said = _run("site", "--root", str(repo), "--out", str(tmp_path / "site"))
    assert code == 0, said
    assert (tmp_path / name / "sv").is_dir(), f"the site in {name} was removed; the command said: {said}"


@pytest.mark.slow
def test_a_refused_site_command_leaves_an_output_named_like_its_building_folder_whole(repo, tmp_path):
    inner = tmp_path / "x" / ".sv.building"
    first, said = _run("site", "--root", str(repo), "--out", str(inner))
    if first == 2:  # refused before anything is written (a build's own name beside a folder): nothing to lose
        assert "Traceback" not in said and not inner.exists()
        return
    assert first == 0, said
    before = tree(inner)
    assert "sv/2023/index.html" in before
    code, said = _run("site", "--root", str(repo), "--out", str(tmp_path / "x"))
    assert code == 2 and "the output folder is not empty and was not written by klimatkontrakt" in said
    assert tree(inner) == before
