"""Issue #14's output-safety leftovers: what -o may remove or replace, how results are recognised, the PDF cache key."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contract.output.files import drop_temporaries_of
from contract.output.marks import is_marked, mark
from tests.build_helpers import copy_repo, git, make_repo, run, tree
from tests.cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[1]


@functools.cache  # each result is computed once per test process: a redline takes a third of a second
def _printed(*argv: str) -> str:
    """Return what a command prints on standard output, which is what it writes with -o."""
    result = run_cli("--root", ROOT, *argv)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _dead_pid() -> int:
    """Return the process id of a process that has ended and been reaped."""
    process = subprocess.Popen(["true"])
    assert process.wait() == 0
    return process.pid


# ---------------------------------------------------------------- 1. only the written output's own leftovers go


def test_another_files_dead_temporary_in_the_output_folder_stays(tmp_path):
    dead = _dead_pid()
    others = {
        f".notes.txt.{dead}.tmp": "another tool's file, named like ours",
        f".2022.md.{dead}.tmp": "another output's leftover: not this run's to judge",
        f".2023.md.x.{dead}.tmp": "a longer name that starts alike",
    }
    for name, text in others.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / f".2023.md.{dead}.tmp").write_text("half an export", encoding="utf-8")
    result = run_cli("--root", ROOT, "export", "2023", "--format", "markdown", "-o", tmp_path / "2023.md")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == (
        f"removed {tmp_path / f'.2023.md.{dead}.tmp'}, left by an interrupted run\nwrote {tmp_path / '2023.md'}\n"
    )
    assert {name: (tmp_path / name).read_text(encoding="utf-8") for name in others} == others
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*others, "2023.md"])


def test_a_name_with_glob_characters_drops_only_its_own_leftover(tmp_path):
    dead = _dead_pid()
    (tmp_path / f".a[1].md.{dead}.tmp").write_text("half\n", encoding="utf-8")
    (tmp_path / f".a1.md.{dead}.tmp").write_text("another's\n", encoding="utf-8")
    assert drop_temporaries_of(tmp_path / "a[1].md") == [f".a[1].md.{dead}.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".a1.md.{dead}.tmp"]


# ---------------------------------------------------------------- 2. -o never replaces a file git tracks


def _repository(folder: Path) -> Path:
    folder.mkdir(parents=True)
    git(folder, "init", "-q")
    return folder


def _tracked_earlier_result(tmp_path: Path, argv: list[str], name: str) -> Path:
    """Write a command's result with -o into a new git repository and commit it there; return its path."""
    target = _repository(tmp_path / "papers") / name
    target.write_text(_printed(*argv), encoding="utf-8")  # what -o writes: the same bytes
    git(target.parent, "add", name)
    git(target.parent, "commit", "-q", "-m", "an earlier result, kept in git")
    return target


def _refused_as_tracked(argv: list[str], target: Path, command: str) -> None:
    before = target.read_bytes()
    result = run_cli("--root", ROOT, *argv, "-o", target)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(
        f"klimatkontrakt: error: {command}: {target} exists and git tracks it in the repository "
    ), result.stderr
    assert "choose another name for the output" in result.stderr
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == sorted([".git", target.name])


@pytest.mark.parametrize(
    "argv, name",
    [
        (["export", "2023", "--format", "markdown"], "2023.md"),
        (["export", "2023", "--format", "json"], "2023.json"),
        (["diff", "2023", "2024"], "changes.txt"),
        (["diff", "2023", "2024", "--format", "md"], "changes.md"),
        (["diff", "2023", "2024", "--format", "html"], "changes.html"),
        (["diff", "2023", "2024", "--format", "json"], "changes.json"),
    ],
)
def test_an_earlier_result_git_tracks_is_not_replaced(tmp_path, argv, name):
    target = _tracked_earlier_result(tmp_path, argv, name)
    _refused_as_tracked(argv, target, argv[0])
    target.write_bytes(target.read_bytes() + b"\n")  # an uncommitted change in git's keeping: still refused
    _refused_as_tracked(argv, target, argv[0])


def test_a_file_added_but_never_committed_is_tracked(tmp_path):
    target = _repository(tmp_path / "papers") / "2023.md"
    argv = ["export", "2023", "--format", "markdown"]
    target.write_text(_printed(*argv), encoding="utf-8")  # what -o writes: the same bytes
    git(target.parent, "add", "2023.md")
    _refused_as_tracked(argv, target, "export")


def test_a_file_an_outer_repository_tracks_is_not_replaced_from_an_inner_one(tmp_path):
    outer = _repository(tmp_path / "outer")
    (outer / "inner").mkdir()
    target = outer / "inner" / "2023.md"
    argv = ["export", "2023", "--format", "markdown"]
    target.write_text(_printed(*argv), encoding="utf-8")  # what -o writes: the same bytes
    git(outer, "add", "inner/2023.md")
    git(outer, "commit", "-q", "-m", "kept")
    git(outer / "inner", "init", "-q")  # a repository of its own inside, which does not track the file
    before = target.read_bytes()
    result = run_cli("--root", ROOT, *argv, "-o", target)
    assert result.returncode == 2
    assert f"{target} exists and git tracks it in the repository {outer}," in result.stderr
    assert target.read_bytes() == before


def test_a_tracked_file_reached_through_a_linked_folder_is_not_replaced(tmp_path):
    target = _tracked_earlier_result(tmp_path, ["diff", "2023", "2024"], "changes.txt")
    (tmp_path / "link").symlink_to(target.parent)
    before = target.read_bytes()
    result = run_cli("--root", ROOT, "diff", "2023", "2024", "-o", tmp_path / "link" / "changes.txt")
    assert result.returncode == 2 and "exists and git tracks it" in result.stderr
    assert target.read_bytes() == before


def test_a_file_name_that_is_a_pathspec_pattern_is_read_literally(tmp_path):
    folder = _repository(tmp_path / "papers")
    (folder / "notes.md").write_text("# kept\n", encoding="utf-8")
    git(folder, "add", "notes.md")
    git(folder, "commit", "-q", "-m", "notes")
    argv = ["export", "2023", "--format", "markdown"]
    (folder / "*.md").write_text(_printed(*argv), encoding="utf-8")
    result = run_cli("--root", ROOT, *argv, "-o", folder / "*.md")  # untracked: "*.md" is not notes.md
    assert (result.returncode, result.stderr) == (0, f"wrote {folder / '*.md'}\n")


@pytest.mark.parametrize(
    "argv",
    [
        ["docx", "2023", "--lang", "sv", "-o"],
        ["translations", "2023", "--lang", "en", "--export"],
    ],
)
def test_commands_that_never_replace_name_git_as_the_reason_for_a_tracked_file(tmp_path, argv):
    folder = _repository(tmp_path / "papers")
    target = folder / ("out.docx" if argv[0] == "docx" else "work.xlf")
    target.write_bytes(b"someone's work\n")
    git(folder, "add", target.name)
    result = run_cli("--root", ROOT, *argv, target)
    assert result.returncode == 2
    assert f"{target} exists and git tracks it in the repository {folder}, so it is never replaced" in result.stderr
    assert target.read_bytes() == b"someone's work\n"


def test_an_unreadable_repository_counts_as_tracking_the_file(tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / ".git").write_text("gitdir: /nowhere/at/all\n", encoding="utf-8")  # git cannot read this repository
    target = folder / "changes.txt"
    target.write_text(_printed("diff", "2023", "2024"), encoding="utf-8")
    before = target.read_bytes()
    result = run_cli("--root", ROOT, "diff", "2023", "2024", "-o", target)
    assert result.returncode == 2
    assert f"{target} exists and git could not tell whether it tracks it (" in result.stderr
    assert target.read_bytes() == before


@pytest.mark.slow  # the session's built repository
def test_a_contract_pdf_git_tracks_is_not_rendered_over(built_repo, tmp_path):
    from contract.cli.pdf import _unsigned_contract_pdf

    folder = _repository(tmp_path / "papers")
    target = folder / "klimatkontrakt-2023-sv.pdf"
    shutil.copy(built_repo.root / "site" / "downloads" / "2023" / target.name, target)
    assert _unsigned_contract_pdf(target)  # untracked, pdf would render over it
    git(folder, "add", target.name)
    _refused_as_tracked(["pdf", "2023", "--lang", "sv"], target, "pdf")


# ---------------------------------------------------------------- 4. the PDF cache knows the engine and its fonts


def _shadow_fonts(folder: Path) -> Path:
    """Return a folder that, first on PYTHONPATH, gives the build a copy of the font package with one font changed."""
    import font_source_sans_pro

    package = Path(font_source_sans_pro.__file__).parent
    shutil.copytree(package, folder / package.name)
    font = folder / package.name / Path(font_source_sans_pro.font_directory).name / "SourceSansPro-Black.otf"
    font.write_bytes(font.read_bytes() + b"\0\0\0\0")  # another font file; the tables read before the end are the same
    return folder


def _build_in_a_process_with(shadow: Path, root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--root", str(root)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(shadow), str(ROOT)])},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.mark.slow  # three builds, two of them rendering every PDF
def test_a_changed_font_file_renders_the_pdfs_again_and_a_rebuild_then_nothing(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    shadow = _shadow_fonts(tmp_path / "shadow")
    changed = _build_in_a_process_with(shadow, repo)
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.startswith("built 2023: site, 2 PDFs rendered, 0 reused"), changed.stdout
    again = _build_in_a_process_with(shadow, repo)
    assert again.stdout.startswith("nothing changed since the last build of 2023"), again.stdout
    code, out, err = run(repo)  # the installed fonts again: their PDFs are still in the cache
    assert (code, err) == (0, "")
    assert out.startswith("built 2023: site, 0 PDFs rendered, 2 reused"), out
    assert tree(repo / "site" / "downloads") == tree(built_repo.root / "site" / "downloads")


def _engine_fingerprint(shadow: Path | None) -> str:
    path = [str(shadow)] if shadow else []
    done = subprocess.run(
        [sys.executable, "-c", "from contract.build.stamps import engine_fingerprint; print(engine_fingerprint())"],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([*path, str(ROOT)])},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip()


def _upgraded(folder: Path, package: str) -> Path:
    """Return a folder that, first on PYTHONPATH, makes the installed package's version read as another."""
    dist = folder / f"{package}-999.0.0.dist-info"  # found before the installed package's own metadata
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 999.0.0\n", encoding="utf-8")
    return folder


def test_another_typst_or_pyhanko_version_or_font_is_another_engine(tmp_path):
    from importlib import metadata

    installed = _engine_fingerprint(None)
    assert "999.0.0" not in (metadata.version("typst"), metadata.version("pyhanko"))
    others = [_engine_fingerprint(_upgraded(tmp_path / package, package)) for package in ("typst", "pyhanko")]
    others.append(_engine_fingerprint(_shadow_fonts(tmp_path / "fonts")))
    assert len({installed, *others}) == 4
    assert _engine_fingerprint(None) == installed  # the same engine, the same hash


def test_the_fonts_hashed_are_those_typst_is_given():
    from contract.build.stamps import PDF_FONT_DIRS
    from contract.pdf.compile import FONT_DIR

    assert PDF_FONT_DIRS == (FONT_DIR,)  # compile.py gives Typst font_paths=[FONT_DIR] and no system fonts


# ---------------------------------------------------------------- 5. years/ is read once for both hashes


def test_both_hashes_of_a_build_are_those_each_gives_alone(tmp_path):
    from contract.build.run import PDF_INPUTS
    from contract.build.stamps import SITE_INPUTS, inputs_hash, inputs_hashes

    repo = make_repo(tmp_path / "repo")
    (repo / "klimatkontrakt.yaml").write_text("languages: {source: sv, translations: [en]}\n", encoding="utf-8")
    site = ("years", *SITE_INPUTS)
    both = inputs_hashes(repo, [(site, "stamp head"), (PDF_INPUTS, "pdf head")])
    assert both == [inputs_hash(repo, site, "stamp head"), inputs_hash(repo, PDF_INPUTS, "pdf head")]
    assert inputs_hashes(repo, [(PDF_INPUTS, "pdf head"), (site, "stamp head")]) == both[::-1]
    with pytest.raises(ValueError, match="disagree on their order"):
        inputs_hashes(repo, [(site, "a"), (("schema", "years"), "b")])


# ---------------------------------------------------------------- 3. a text result is recognised by its mark alone

PERSONS = {  # files a person may well write, each shaped like what the command wrote before it carried a mark
    ("export", "markdown"): "# Klimatkontrakt 2030\n\nVERSION 2023\n\nMy notes on the contract.\n",
    ("diff", "text"): "Ändringar från 2023 till 2024\n" + "=" * 29 + "\n\nWhat we agreed to change.\n",
    ("diff", "md"): "## Ändringar från 2023 till 2024\n\nWhat we agreed to change.\n",
    ("diff", "html"): '<section class="redline" lang="sv" aria-labelledby="redline-title">\n'
    '<h2 id="redline-title">Our own page</h2>\n</section>\n',
}
ARGV = {
    ("export", "markdown"): ["export", "2023", "--format", "markdown"],
    ("diff", "text"): ["diff", "2023", "2024"],
    ("diff", "md"): ["diff", "2023", "2024", "--format", "md"],
    ("diff", "html"): ["diff", "2023", "2024", "--format", "html"],
}


@pytest.mark.parametrize("what", list(PERSONS))
def test_a_file_a_person_wrote_is_never_taken_for_an_earlier_result(tmp_path, what):
    target = tmp_path / "mine.txt"
    target.write_text(PERSONS[what], encoding="utf-8")
    result = run_cli("--root", ROOT, *ARGV[what], "-o", target)
    assert result.returncode == 2
    assert f"{target} exists and is not a file this command may replace" in result.stderr
    assert target.read_text(encoding="utf-8") == PERSONS[what]


@pytest.mark.slow  # several redlines computed: over a second
@pytest.mark.parametrize("what", list(PERSONS))
def test_an_earlier_result_is_replaced_and_an_edited_one_is_not(tmp_path, what):
    target = tmp_path / "result.txt"
    printed = run_cli("--root", ROOT, *ARGV[what]).stdout
    assert run_cli("--root", ROOT, *ARGV[what], "-o", target).returncode == 0
    written = target.read_text(encoding="utf-8")
    assert is_marked(written, *what)
    if what == ("diff", "text"):  # the terminal gets the text without its mark line, which would only be noise
        assert written.startswith(printed) and not is_marked(printed, *what)
    else:  # the same bytes as on standard output, mark and all: `> file` then `-o file` replaces it
        assert written == printed
    again = run_cli("--root", ROOT, *ARGV[what], "--lang", "en", "-o", target)  # another language: still its own
    assert (again.returncode, again.stderr) == (0, f"wrote {target}\n")
    edited = target.read_text(encoding="utf-8").replace("2023", "2032", 1)  # a person's edit, mark untouched
    target.write_text(edited, encoding="utf-8")
    result = run_cli("--root", ROOT, *ARGV[what], "-o", target)
    assert result.returncode == 2 and "is not a file this command may replace" in result.stderr
    assert target.read_text(encoding="utf-8") == edited


@pytest.mark.slow  # several redlines computed: over a second
def test_one_commands_or_formats_result_is_not_anothers(tmp_path):
    for made in ARGV:
        target = tmp_path / f"{made[0]}.{made[1]}"
        assert run_cli("--root", ROOT, *ARGV[made], "-o", target).returncode == 0
        for other in ARGV:
            if other != made:
                result = run_cli("--root", ROOT, *ARGV[other], "-o", target)
                assert result.returncode == 2, (made, other)


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("\n", "\r\n"),  # an editor that saved it with Windows line ends
        lambda t: t.rstrip("\n"),
        lambda t: t + "\n",
        lambda t: "\n" + t,
        lambda t: t.replace("sha256:", "sha256: "),
    ],
)
@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_a_mark_is_recognised_only_on_the_very_text_it_was_made_for(change, fmt):
    text = mark("# Title\n\nVERSION 2023\n\nA paragraph.\n", "export" if fmt == "markdown" else "diff", fmt, "sv")
    command = "export" if fmt == "markdown" else "diff"
    assert is_marked(text, command, fmt)
    assert not is_marked(change(text), command, fmt)


def test_a_mark_never_holds_what_could_end_its_comment():
    with pytest.raises(ValueError):
        mark("body\n", "diff", "md", "x-->")


@pytest.mark.parametrize("name", [".git/hooks/pre-commit", ".git/description", ".git"])
def test_nothing_is_written_into_gits_own_folder(tmp_path, name):
    folder = _repository(tmp_path / "papers")
    before = tree(folder / ".git")
    result = run_cli("--root", ROOT, "diff", "2023", "2024", "-o", folder / name)
    assert result.returncode == 2
    assert "which holds git's own files" in result.stderr or "is a folder" in result.stderr, result.stderr
    assert tree(folder / ".git") == before
