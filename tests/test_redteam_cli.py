"""Red-team of the command line's outputs and errors, the site's address and the no-JS language links."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.build_helpers import make_repo
from tests.cli_runner import run_cli
from tests.processes import console_script, start_command_paused

ROOT = Path(__file__).resolve().parents[1]
REFUSED = (
    "(export and diff replace only an earlier result of theirs in the same format: "
    "give a new file name, or move that file away first)"
)


def refused(command: str, target: Path) -> str:
    return f"klimatkontrakt: error: {command}: {target} exists and is not a file this command may replace {REFUSED}\n"


# ---------------------------------------------------------------- -o at what export and diff may not replace


@pytest.mark.parametrize("command", [["export", "2023", "--format", "markdown"], ["diff", "2023", "2024"]])
def test_export_and_diff_never_replace_a_fifo_with_a_file(tmp_path, command):
    # `export -o /dev/null` as root replaced the device with a regular file; a FIFO shows the same without harm.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = run_cli("--root", ROOT, *command, "-o", fifo)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", refused(command[0], fifo))
    assert fifo.is_fifo()


def test_export_never_replaces_a_link_or_writes_through_it(tmp_path):
    target = tmp_path / "signed.pdf"
    target.write_bytes(b"%PDF-1.7 someone's file")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    result = run_cli("--root", ROOT, "export", "2023", "--format", "markdown", "-o", link)
    assert (result.returncode, result.stderr) == (2, refused("export", link))
    assert link.is_symlink() and target.read_bytes() == b"%PDF-1.7 someone's file"


@pytest.mark.parametrize(
    "command", [["export", "2023", "--format", "json"], ["diff", "2023", "2024", "--format", "pdf"]]
)
def test_export_and_diff_never_replace_a_signed_pdf_or_a_word_file(tmp_path, command):
    signed = tmp_path / "klimatkontrakt-2023-sv-signed.pdf"
    signed.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Sig /ByteRange [0 1 2 3] >> endobj\n%%EOF\n")
    word = tmp_path / "draft.docx"
    word.write_bytes(b"PK\x03\x04\x14\x00\x00\x00 edits made in Word")
    for target in (signed, word):
        before = target.read_bytes()
        result = run_cli("--root", ROOT, *command, "-o", target)
        assert (result.returncode, result.stderr) == (2, refused(command[0], target))
        assert target.read_bytes() == before


@pytest.mark.slow
def test_export_never_replaces_the_repositorys_own_files(tmp_path):
    repo = make_repo(tmp_path / "repo")
    for name in ("years/2023/contract.yaml", "mkdocs.yml"):
        target = repo / name
        before = target.read_bytes()
        result = run_cli("export", "2023", "--format", "json", "-o", name, cwd=repo)
        assert result.returncode == 2
        inside = f"klimatkontrakt: error: export: {name} is inside the repository's years/, which holds its sources"
        assert (
            result.stderr.startswith(inside)
            if name.startswith("years/")
            else result.stderr.startswith(
                f"klimatkontrakt: error: export: {name} is the name of the repository's {name}"
            )
        )
        assert target.read_bytes() == before
    untracked = repo / "2023.json"  # an earlier export beside the sources is still replaced
    untracked.write_text('{"format": "klimatkontrakt-export/1"}', encoding="utf-8")
    assert run_cli("export", "2023", "--format", "json", "-o", "2023.json", cwd=repo).returncode == 0
    assert untracked.read_text(encoding="utf-8").startswith("{\n")


# ---------------------------------------------------------------- site_url in mkdocs.yml that the check did not see

HOSTILE = 'http://x/"><script>alert(1)</script>'


@pytest.mark.slow
def test_a_site_url_mkdocs_reads_past_the_check_never_reaches_a_page(tmp_path):
    # Found with a duplicate site_url key (now checked as MkDocs reads it, below); INHERIT still goes past the check.
    trick = "INHERIT: base.yml\n"  # MkDocs merges the site_url of the file it inherits
    repo = make_repo(tmp_path / "repo")
    (repo / "base.yml").write_text(f"site_url: {HOSTILE}\n", encoding="utf-8")
    with (repo / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write(trick)
    result = run_cli("site", "--out", tmp_path / "out", cwd=repo)
    pages = sorted((tmp_path / "out").rglob("*.html"))
    assert pages and all("<script>alert" not in page.read_text(encoding="utf-8") for page in pages), result.stderr
    assert all('rel="canonical" href="http://x/' not in page.read_text(encoding="utf-8") for page in pages)


# ---------------------------------------------------------------- a contract file that is not a file


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_contract_file_that_is_a_pipe_or_a_folder_is_one_clear_error_in_json(tmp_path, kind):
    repo = make_repo(tmp_path / "repo")
    planted = repo / "years" / "2024" / "purpose.yaml"
    planted.unlink()
    os.mkfifo(planted) if kind == "fifo" else planted.mkdir()
    # Its own process, with a time limit: a pipe nobody writes used to be read forever.
    done = subprocess.run(
        [sys.executable, "-m", "contract", "validate", "2024", "--format", "json"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 1 and done.stderr == ""
    [problem] = [d for d in json.loads(done.stdout)["diagnostics"] if d["file"] == "years/2024/purpose.yaml"]
    assert problem == {
        "file": "years/2024/purpose.yaml",
        "line": 1,
        "column": 1,
        "severity": "error",
        "code": "not-a-file",
        "message": "this is not a file but a " + ("pipe" if kind == "fifo" else "folder"),
        "hint": "put the YAML file itself here",
    }


# ---------------------------------------------------------------- --site-url values the pattern let through


@pytest.mark.parametrize(
    "bad",
    [
        "https://example.org/%2e%2e/",  # browsers resolve an escaped dot-dot like '..': the links leave the site's path
        "https://example.org/kk/%2E./",
        "https://example.org/a/%2e/",
        "https://example.org/a%2fb/",  # an escaped slash: a folder no host serves
        "https://example.org/%5c/",
        "https://example.org/%00/",
        "https://example.org/%zz/",  # not an escape at all
        "https://example.org/kk%/",
        "https://example.org:99999/",
        "https://example.org:0/",
        "https://./",
        "https://-/",
        "https://a..b/",
        "https://-a.org/",
        "https://borås.se/",  # a unicode host: give its punycode (xn--bors-loa.se)
        "https://" + "a" * 64 + ".org/",  # a DNS label is at most 63 characters
    ],
)
def test_an_address_that_only_looks_right_is_refused_at_the_option(tmp_path, bad):
    result = run_cli("--root", ROOT, "site", "--site-url", bad, "--out", tmp_path / "site")
    assert (result.returncode, result.stdout) == (2, "")
    assert list(tmp_path.iterdir()) == []
    assert "is not the address of a site" in result.stderr or "folder in its path" in result.stderr


@pytest.mark.parametrize(
    "good",
    ["https://example.org/a%20b/", "https://example.org./kk/", "http://127.0.0.1:65535/x/", "https://xn--bors-loa.se/"],
)
def test_an_address_with_escapes_a_port_or_a_punycode_host_is_still_accepted(good):
    from contract.build.site_url import normalise

    assert normalise(good) == good


# ---------------------------------------------------------------- site_url in mkdocs.yml with YAML tricks


def _site_url_of(tmp_path: Path, text: str) -> tuple[int, str]:
    """Run `site` on a copy of the repository's inputs whose mkdocs.yml ends with text; nothing is built when refused."""
    (tmp_path / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8") + text, encoding="utf-8")
    for name in ("years", "schema"):
        shutil.copytree(ROOT / name, tmp_path / name)
    result = run_cli("--root", tmp_path, "site", "--out", tmp_path / "out")
    return result.returncode, result.stdout + result.stderr


def test_a_site_url_merged_in_with_a_yaml_merge_key_is_checked_not_an_internal_error(tmp_path):
    lines = len((ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines())
    code, printed = _site_url_of(tmp_path, "kk_base: &kk {site_url: 'javascript:alert(1)'}\n<<: *kk\n")
    assert code == 1 and "internal error" not in printed
    assert printed.startswith(
        f"{tmp_path / 'mkdocs.yml'}:{lines + 1}:25: error: site_url: 'javascript:alert(1)' is not"
    )
    assert not (tmp_path / "out").exists()


def test_a_duplicate_site_url_is_checked_as_mkdocs_reads_it_the_last(tmp_path):
    lines = len((ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines())
    code, printed = _site_url_of(tmp_path, "site_url: https://example.org/kk/\nsite_url: 'javascript:alert(1)'\n")
    assert code == 1
    assert printed.startswith(
        f"{tmp_path / 'mkdocs.yml'}:{lines + 2}:11: error: site_url: 'javascript:alert(1)' is not"
    )
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- a wrong revision is a wrong argument, not a file


@pytest.mark.slow
def test_an_unknown_revision_is_a_refused_argument_without_a_file_in_every_format(tmp_path):
    repo = make_repo(tmp_path / "repo")
    hint = "(use a branch, tag or commit, e.g. main:2024 or HEAD~1:2024)"
    diff = run_cli("diff", "nope:2023", "2024", "--format", "json", cwd=repo)
    assert (diff.returncode, diff.stdout) == (2, "")
    assert diff.stderr == f"klimatkontrakt: error: unknown git revision 'nope' {hint}\n"
    github = run_cli("check-signed", "--base", "nope", "--format", "github", cwd=repo)
    commit = "(use a branch, tag or commit, e.g. main, origin/main or HEAD~1)"  # --base takes no REV:VERSION
    assert (github.returncode, github.stdout) == (2, f"::error::unknown git revision 'nope' {commit}\n")
    spec = run_cli("diff", ":2023", "2024", cwd=repo)
    assert (spec.returncode, spec.stdout) == (2, "")
    assert spec.stderr.startswith("klimatkontrakt: error: cannot read ':2023' as a version")


def test_a_revision_outside_a_git_repository_is_a_refused_argument(tmp_path):
    result = run_cli("--root", tmp_path, "diff", "main:2023", "2024")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"klimatkontrakt: error: {tmp_path} is not in a git repository")


@pytest.mark.slow
def test_export_never_writes_into_the_build_s_output_folder_lock_or_cache(tmp_path):
    repo = make_repo(tmp_path / "repo")
    site = repo / "site"
    site.mkdir()
    (site / ".klimatkontrakt-output").write_text("Written by klimatkontrakt\nfiles:\nindex.html\n", encoding="utf-8")
    (site / "index.html").write_text("<!doctype html>", encoding="utf-8")
    (repo / ".site.lock").write_text("", encoding="utf-8")
    (repo / ".cache" / "build").mkdir(parents=True)
    (repo / ".cache" / "build" / "stamp").write_text("{}", encoding="utf-8")
    targets = ["site/.klimatkontrakt-output", "site/index.html", "site/notes.md", ".site.lock", ".cache/build/stamp"]
    for name in targets:
        before = (repo / name).read_bytes() if (repo / name).exists() else None
        result = run_cli("export", "2023", "--format", "markdown", "-o", name, cwd=repo)
        assert (result.returncode, result.stdout) == (2, ""), name
        assert ((repo / name).read_bytes() if (repo / name).exists() else None) == before


# ---------------------------------------------------------------- the no-JS link to a section in the other language


@pytest.mark.parametrize("lang, other", [("sv", "en"), ("en", "sv")])
def test_the_preamble_and_the_annex_reached_by_their_permalink_link_to_the_other_language(lang, other):
    from contract.render.pages import render_pages
    from tests.test_site import small_context, small_contract

    page = render_pages({"2099": small_contract()}, lang, small_context()).files["2099/index.md"]
    for anchor in ("kk-preamble", "kk-annex"):
        after = page.split(f"{{: #{anchor} }}\n", 1)[1].lstrip("\n").splitlines()[0]
        assert after.startswith(
            f'<p class="kk-section-lang"><a href="../../{other}/2099/#{anchor}" hreflang="{other}">'
        )


# ---------------------------------------------------------------- --format json / github with a wrong argument


@pytest.mark.parametrize(
    "argv, message",
    [
        (["validate", "--format", "json", "--bogus"], "unrecognized arguments: --bogus"),
        (["validate", "2023", "--format=json", "--root"], "argument --root: expected one argument"),
        (["check-signed", "--format", "github"], "the following arguments are required: --base"),
    ],
)
def test_a_wrong_argument_is_still_valid_json_or_an_annotation(argv, message):
    result = run_cli(*argv)
    assert result.returncode == 2
    assert result.stderr.endswith(f": error: {message}\n")  # argparse's usage message stays on standard error
    if "github" in argv:
        assert result.stdout == f"::error::{message}\n"
    else:
        assert json.loads(result.stdout)["diagnostics"] == [
            {
                "file": None,
                "line": None,
                "column": None,
                "severity": "error",
                "code": "usage",
                "message": message,
                "hint": "",
            }
        ]


def test_a_wrong_argument_without_a_diagnostics_format_prints_nothing_on_standard_output():
    result = run_cli("export", "2023", "--format", "json", "--bogus")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.endswith("klimatkontrakt: error: unrecognized arguments: --bogus\n")


# ---------------------------------------------------------------- an input PDF that is a pipe or a device


def test_a_pdf_read_from_a_pipe_is_limited_like_a_file_never_read_without_end(tmp_path, monkeypatch):
    # A pipe or a device (/dev/zero) has no size to check first: reading stops past the limit instead.
    from contract.cli import pdf as pdf_cli

    monkeypatch.setattr(pdf_cli, "MAX_PDF", 1024)
    fifo = tmp_path / "contract.pdf"
    os.mkfifo(fifo)
    # A writer there before verify opens the pipe, and still there after (it never ends the stream). A thread opening
    # it for writing raced verify: once verify opened first, it refused a pipe nobody writes to, and the thread waited
    # for a reader for ever. O_RDWR never waits (Linux), and what is written fits in the pipe.
    writer = os.open(fifo, os.O_RDWR)
    try:
        os.write(writer, b"%PDF-1.7\n" + b"0" * 4096)
        result = run_cli("--root", ROOT, "verify", fifo)
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.startswith(f"{fifo}: error: the PDF is larger than any contract PDF (at most 0 MiB)")


# A terminal given where a PDF goes (`verify /dev/tty`, `verify /dev/stdin` typed at a prompt) was read until someone
# typed Ctrl-D: the command waited with no word said. A device or a terminal is now refused as a pipe nobody writes to
# is; /dev/urandom is no longer read to the 256 MiB limit first.
@pytest.mark.parametrize("command", [["verify"], ["sign", "--party", "formas", "--p12", "x.p12", "-o", "out.pdf"]])
def test_verify_and_sign_refuse_a_terminal_or_a_device_instead_of_waiting_for_typing(tmp_path, command):
    leader, follower = os.openpty()
    terminal = os.ttyname(follower)
    try:
        for given, kind in ((terminal, "terminal"), ("/dev/urandom", "device or socket")):
            done = subprocess.run(
                [sys.executable, "-m", "contract", "--root", str(ROOT), *command, given],
                cwd=tmp_path, capture_output=True, text=True, timeout=60,  # the limit guards a hang
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )  # fmt: skip
            assert (done.returncode, done.stderr) == (1, ""), done.stdout + done.stderr
            assert done.stdout.startswith(f"{given}: error: this is not a file but a {kind}, which is never read ("), (
                done.stdout
            )
    finally:
        os.close(leader)
        os.close(follower)
    assert not (tmp_path / "out.pdf").exists()


# ---------------------------------------------------------------- commands run outside the repository


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv",
    [
        ["versions"],
        ["versions", "--json"],
        ["glossary"],
        ["translations"],
        ["history", "klimatrad"],
        ["new-year", "2025"],
        ["erratum", "2023", "--what-sv", "a", "--why-sv", "b"],
        ["check-signed", "--base", "HEAD"],  # said "unchanged" (exit 0): a CI gate passing in the wrong folder
        ["parties", "2023"],
        ["outline", "2023"],
    ],
)
def test_every_repository_command_run_in_a_subfolder_is_refused_naming_the_missing_folder(tmp_path, argv):
    repo = make_repo(tmp_path / "repo")
    result = run_cli(*argv, cwd=repo / "years")
    assert (result.returncode, result.stderr) == (2, "")
    assert result.stdout == (
        "years: error: there is no folder of versions here "
        "(run the command in the repository folder, or give it with --root DIR)\n"
    )
    assert sorted(p.name for p in (repo / "years").iterdir()) == ["2023", "2024"]


# ---------------------------------------------------------------- stopped while writing


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_an_export_stopped_while_writing_leaves_the_earlier_file_and_no_temporary_file(tmp_path, stop):
    out = tmp_path / "out"
    out.mkdir()
    made = run_cli("--root", ROOT, "export", "2023", "--format", "markdown", "--lang", "en", "-o", out / "2023.md")
    assert made.returncode == 0
    earlier = (out / "2023.md").read_text(encoding="utf-8")  # an earlier export, with its mark
    arrived_r, arrived_w = os.pipe()
    resume_r, resume_w = os.pipe()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KLIMATKONTRAKT_FAULT": f"pause:written-out:{arrived_w}:{resume_r}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "contract", "--root", str(ROOT), "export", "2023", "--format", "markdown", "-o",
         str(out / "2023.md")],
        env=env, pass_fds=(arrived_w, resume_r), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(arrived_w)
    os.close(resume_r)
    ready, _, _ = select.select([arrived_r], [], [], 120)  # the limit only guards against a hang
    assert ready and os.read(arrived_r, 1) == b"x", process.communicate()
    os.close(arrived_r)
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")]  # paused with the new text written beside it
    process.send_signal(stop)
    stdout, stderr = process.communicate(timeout=120)
    os.close(resume_w)
    assert (process.returncode, stdout, stderr) == (128 + stop, "", "interrupted\n")
    assert sorted(p.name for p in out.iterdir()) == ["2023.md"]
    assert (out / "2023.md").read_text(encoding="utf-8") == earlier


@pytest.mark.slow
def test_lock_refuses_a_signed_pdf_that_is_a_pipe_or_a_device_before_reading_it(tmp_path):
    repo = make_repo(tmp_path / "repo")
    fifo = tmp_path / "signed.pdf"
    os.mkfifo(fifo)
    before = (repo / "years" / "2023" / "signed.lock").read_bytes()
    for given in (fifo, Path("/dev/zero")):  # a pipe nobody writes is read forever; /dev/zero fills memory
        done = subprocess.run(
            [sys.executable, "-m", "contract", "lock", "2023", "--pdf", str(given)],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert (done.returncode, done.stderr) == (1, "")  # like a missing file or a folder given there
        kind = "pipe" if given == fifo else "device or socket"
        said = f"{given}: error: this is not a file but a {kind}, which is never read (give the path of the signed PDF)"
        assert done.stdout == said + "\n"
    assert (repo / "years" / "2023" / "signed.lock").read_bytes() == before


# ---------------------------------------------------------------- one problem, one diagnostic


def test_a_broken_languages_file_is_reported_once_not_once_per_version(tmp_path):
    for name in ("years", "schema"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "klimatkontrakt.yaml").write_text("languages: [\n", encoding="utf-8")
    result = run_cli("--root", tmp_path, "validate", "--format", "json")
    report = json.loads(result.stdout)
    assert (result.returncode, report["errors"]) == (1, 1)
    assert [d["file"] for d in report["diagnostics"] if d["severity"] == "error"] == ["klimatkontrakt.yaml"]


# ---------------------------------------------------------------- one rule for a missing output folder

OUTPUTS = {  # every command that writes a file named by -o/--export, with what it needs besides
    "export": ["export", "2023", "--format", "markdown", "-o"],
    "diff": ["diff", "2023", "2024", "-o"],
    "pdf": ["pdf", "2023", "-o"],
    "docx": ["docx", "2023", "-o"],
    "sign": ["sign", "in.pdf", "--party", "boras-stad", "--p12", "no.p12", "-o"],
    "seal": ["seal", "in.pdf", "--tsa", "http://127.0.0.1:9/", "-o"],
    "translations --export": ["translations", "2023", "--export"],
}


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_every_output_in_a_missing_folder_is_refused_naming_it_and_no_folder_is_made(tmp_path, command):
    # export, diff, pdf, docx and sign made a mistyped folder (Dokumnet/) and put the file there; --export refused.
    typo = tmp_path / "Dokumnet"
    result = run_cli("--root", ROOT, *OUTPUTS[command], typo / "2023.xlf")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"klimatkontrakt: error: {command}: the folder {typo} does not exist (create it first, or give another path)\n"
    )
    assert sorted(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_every_output_below_a_file_is_refused_as_not_a_folder(tmp_path, command):
    readme = tmp_path / "README.md"
    readme.write_text("notes\n", encoding="utf-8")
    result = run_cli("--root", ROOT, *OUTPUTS[command], readme / "2023.xlf")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"klimatkontrakt: error: {command}: the folder {readme} is a file, not a folder "
        "(create it first, or give another path)\n"
    )
    assert readme.read_text(encoding="utf-8") == "notes\n"


# ---------------------------------------------------------------- -o replaces only its own earlier result

PO = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n#. 2023\nmsgid "Syfte"\nmsgstr "Purpose"\n'
XLIFF = '<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="2.0" srcLang="sv" trgLang="en"></xliff>\n'
OTHERS = {
    "translator.po": PO,
    "translator.xliff": XLIFF,
    "contract.yaml": "# yaml-language-server: $schema=../../schema/contract.schema.json\nversion: '2023'\n",
    "README.md": "# Our notes\n\nRemember to export on Friday.\n",
    "README.txt": "Release notes\n=============\n\nChanges from 2023 to 2024\n",  # a heading, not a redline's
    "notes.txt": "Changes from 2023 to 2024\n===\n",  # the words of a redline's title, not as to_text writes it
    "notes.json": '{"format": "something else"}\n',
}


@pytest.mark.parametrize("fmt", ["json", "markdown"])
@pytest.mark.parametrize("name", sorted(OTHERS))
def test_export_never_replaces_a_translators_file_or_a_readme(tmp_path, fmt, name):
    target = tmp_path / name
    target.write_text(OTHERS[name], encoding="utf-8")
    result = run_cli("--root", ROOT, "export", "2023", "--format", fmt, "-o", target)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", refused("export", target))
    assert target.read_text(encoding="utf-8") == OTHERS[name]


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json"])
@pytest.mark.parametrize("name", sorted(OTHERS))
def test_diff_never_replaces_a_translators_file_or_a_readme(tmp_path, fmt, name):
    target = tmp_path / name
    target.write_text(OTHERS[name], encoding="utf-8")
    result = run_cli("--root", ROOT, "diff", "2023", "2024", "--format", fmt, "-o", target)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", refused("diff", target))
    assert target.read_text(encoding="utf-8") == OTHERS[name]


EXPORTS = [["export", "2023", "--format", f] for f in ("json", "markdown")]
DIFFS = [["diff", "2023", "2024", "--format", f] for f in ("text", "md", "html", "json")]


@pytest.mark.slow
@pytest.mark.parametrize("first", EXPORTS + DIFFS, ids=lambda c: f"{c[0]}-{c[-1]}")
def test_export_and_diff_replace_their_own_earlier_result_but_no_other_format(tmp_path, first):
    target = tmp_path / "result"
    assert run_cli("--root", ROOT, *first, "-o", target).returncode == 0
    again = run_cli("--root", ROOT, *first, "--lang", "en", "-o", target)  # same format, other language: replaced
    assert (again.returncode, again.stderr) == (0, f"wrote {target}\n")
    english = target.read_bytes()
    for other in EXPORTS + DIFFS:
        if other != first:
            result = run_cli("--root", ROOT, *other, "-o", target)
            assert (result.returncode, result.stderr) == (2, refused(other[0], target))
    assert target.read_bytes() == english


def _pdf_with_keywords(path: Path, keywords: str) -> bytes:
    from pypdf import PdfWriter

    pdf = PdfWriter()
    pdf.add_blank_page(width=72, height=72)
    pdf.add_metadata({"/Keywords": keywords})
    pdf.write(path)
    return path.read_bytes()


def test_pdf_and_diff_never_take_the_others_pdf_for_their_own(tmp_path):
    # pdf -o replaced any unsigned PDF with klimatkontrakt keywords, a redline too; diff -o any unsigned PDF at all.
    redline = tmp_path / "redline.pdf"
    contract = tmp_path / "contract.pdf"
    letter = tmp_path / "letter.pdf"
    before = {
        redline: _pdf_with_keywords(redline, "Klimatkontrakt 2030, klimatkontrakt-redline:2023..2024"),
        contract: _pdf_with_keywords(contract, "Klimatkontrakt 2030, klimatkontrakt-version:2023"),
        letter: _pdf_with_keywords(letter, "a scanned letter"),
    }
    for target in (redline, letter):
        result = run_cli("--root", ROOT, "pdf", "2023", "-o", target)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr.startswith(f"klimatkontrakt: error: pdf: {target} exists and is not a file")
    for target in (contract, letter):
        result = run_cli("--root", ROOT, "diff", "2023", "2024", "--format", "pdf", "-o", target)
        assert (result.returncode, result.stderr) == (2, refused("diff", target))
    assert {path: path.read_bytes() for path in before} == before


# ---------------------------------------------------------------- what kill -9 left beside an output


def _dead_pid() -> int:
    """Return the process id of a process that has ended and been reaped."""
    process = subprocess.Popen(["true"])
    assert process.wait() == 0
    return process.pid


@pytest.mark.slow
def test_what_kill_9_left_while_export_wrote_is_removed_by_the_next_run_writing_that_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    argv = [sys.executable, "-m", "contract", "--root", str(ROOT), "export", "2023", "--format", "markdown", "-o"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KLIMATKONTRAKT_FAULT": "kill:written-out"}
    killed = subprocess.run([*argv, str(out / "2023.md")], env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    (leftover,) = out.iterdir()
    assert leftover.name.startswith(".2023.md.") and leftover.name.endswith(".tmp")
    result = run_cli("--root", ROOT, "diff", "2023", "2024", "-o", out / "changes.txt")  # another output: not its own
    assert (result.returncode, result.stderr) == (0, f"wrote {out / 'changes.txt'}\n")
    result = run_cli("--root", ROOT, "export", "2023", "--format", "markdown", "-o", out / "2023.md")
    assert result.returncode == 0
    assert result.stderr == f"removed {leftover}, left by an interrupted run\nwrote {out / '2023.md'}\n"
    assert sorted(p.name for p in out.iterdir()) == ["2023.md", "changes.txt"]


def test_only_a_dead_writers_own_temporary_files_are_removed(tmp_path):
    dead, alive = _dead_pid(), os.getpid()
    (tmp_path / "target").write_text("x\n", encoding="utf-8")
    kept = {
        f".2022.md.{alive}.tmp": "a live writer's",  # still being written
        f".2022.md.{dead}.tmp": "another output's",  # only the output being written now has its leftovers removed
        f".notes.txt.{dead}.tmp": "maybe another tool's",
        f".2023.md.{dead}.tmp.bak": "not the pattern",
        f"2023.md.{dead}.tmp": "not hidden",
        f".{dead}.tmp": "no name",
        f".2023.md.0{dead}.tmp": "not a process id as written",
        ".2023.md.x1.tmp": "not a process id",
    }
    for name, text in kept.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / f".link.{dead}.tmp").symlink_to(tmp_path / "target")  # write_atomic never makes a link
    (tmp_path / f".folder.{dead}.tmp").mkdir()
    (tmp_path / f".2023.md.{dead}.tmp").write_text("half an export", encoding="utf-8")
    result = run_cli("--root", ROOT, "export", "2023", "--format", "markdown", "-o", tmp_path / "2023.md")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr.startswith(f"removed {tmp_path / f'.2023.md.{dead}.tmp'}, left by an interrupted run\n")
    assert {name: (tmp_path / name).read_text(encoding="utf-8") for name in kept} == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*kept, f".link.{dead}.tmp", f".folder.{dead}.tmp", "target", "2023.md"]
    )


# ---------------------------------------------------------------- apply and import read a bounded input

HUGE = 257 * 2**20  # one MiB past the limit; a sparse file takes no room on disk


def _input_argv(command: str, file: Path, tmp_path: Path) -> list[str | Path]:
    if command == "apply":
        return ["--root", ROOT, "apply", file, "--to", "2024"]
    return ["--root", ROOT, "import", file, "--version", "2022", "--municipality", "Borås Stad", "--out",
            tmp_path / "imported"]  # fmt: skip


@pytest.mark.parametrize(("command", "name", "hint"), [
    ("apply", "edits.docx", "apply the file that 'klimatkontrakt docx' wrote, edited"),
    ("import", "contract.txt", "give the contract's PDF, Word file or text"),
])  # fmt: skip
def test_apply_and_import_refuse_a_file_over_the_limit_before_reading_it(tmp_path, command, name, hint):
    big = tmp_path / name
    with big.open("wb") as file:
        file.truncate(HUGE)
    before = sorted(p.relative_to(ROOT) for p in (ROOT / "years").rglob("*"))
    result = run_cli(*_input_argv(command, big, tmp_path))
    what = "Word file" if command == "apply" else "contract"
    assert (result.returncode, result.stderr) == (1, "")
    assert (
        result.stdout
        == f"{big}: error: the {what} is 257 MiB, more than the 256 MiB of any contract document ({hint})\n"
    )
    assert sorted(p.relative_to(ROOT) for p in (ROOT / "years").rglob("*")) == before
    assert not (tmp_path / "imported").exists()


@pytest.mark.slow
@pytest.mark.parametrize("command", ["apply", "import"])
def test_apply_and_import_refuse_a_pipe_or_a_device_instead_of_reading_it_forever(tmp_path, command):
    suffix = ".docx" if command == "apply" else ".txt"
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)  # nobody writes it: opening it waited for ever
    zero = tmp_path / f"zero{suffix}"
    zero.symlink_to("/dev/zero")  # filled memory
    for given, kind in ((fifo, "pipe"), (zero, "device or socket")):
        argv = [sys.executable, "-m", "contract", *map(str, _input_argv(command, given, tmp_path))]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)  # the limit guards a hang
        assert (done.returncode, done.stderr) == (1, "")
        assert done.stdout.startswith(f"{given}: error: this is not a file but a {kind}, which is never read (")
    assert not (tmp_path / "imported").exists()


# ---------------------------------------------------------------- the installed console script


def test_the_console_script_imports_no_command_before_it_can_stop_cleanly(tmp_path):
    script = console_script(tmp_path).read_text(encoding="utf-8")
    (module,) = [line.split()[1] for line in script.splitlines() if line.strip().startswith("from ")]
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print(sorted(m for m in sys.modules if m.startswith('contract')))"],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.stdout == f"{sorted({'contract', module})}\n"  # contract.__main__: signal and sys only


def _as_at_a_terminal() -> None:
    """Ctrl-C as at a terminal: default SIGINT, and a process group of its own that it reaches whole."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.setpgrp()


@pytest.mark.slow
@pytest.mark.parametrize("command", ["script", "build.py"])
@pytest.mark.parametrize("step", ["importing", "starting"])
@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stop_while_the_installed_script_or_build_py_starts_is_a_clean_stop(tmp_path, command, step, stop, code):
    # The script imported contract.cli.main itself: Ctrl-C in its first fifth of a second printed a traceback.
    # SIGTERM there killed the process (143 too, as the shell shows it) without saying "interrupted".
    argv = [str(console_script(tmp_path)), "--root", str(ROOT), "versions"]
    if command == "build.py":
        argv = [sys.executable, str(ROOT / "build.py"), "--root", str(ROOT), "--out", str(tmp_path / "site")]
    process, resume = start_command_paused(argv, step, _as_at_a_terminal)
    try:
        os.killpg(process.pid, stop)
        out, err = process.communicate(timeout=120)
        assert (process.returncode, out, err) == (code, "", "interrupted\n")
    finally:
        os.close(resume)


# ---------------------------------------------------------------- the project's size rules where commands live


def test_no_function_of_the_command_line_or_the_output_is_longer_than_fifty_lines():
    # run_import (translations --import) had grown to 52 lines; the rule is at most about 50.
    import ast

    long = []
    for module in sorted([*(ROOT / "contract" / "cli").glob("*.py"), *(ROOT / "contract" / "output").glob("*.py")]):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 50:
                long.append(f"{module.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert long == []


@pytest.mark.slow
def test_pdf_replaces_its_own_earlier_contract_pdf_and_diff_its_own_redline(tmp_path):
    # The real files, not look-alikes: the keywords each command recognises are the ones it writes.
    contract, redline = tmp_path / "kontrakt.pdf", tmp_path / "redline.pdf"
    for argv, target in ((["pdf", "2024"], contract), (["diff", "2023", "2024", "--format", "pdf"], redline)):
        assert run_cli("--root", ROOT, *argv, "-o", target).returncode == 0
        again = run_cli("--root", ROOT, *argv, "--lang", "en", "-o", target)
        assert (again.returncode, again.stderr) == (0, f"wrote {target}\n")
    assert run_cli("--root", ROOT, "pdf", "2024", "-o", redline).returncode == 2
    assert run_cli("--root", ROOT, "diff", "2023", "2024", "--format", "pdf", "-o", contract).returncode == 2
