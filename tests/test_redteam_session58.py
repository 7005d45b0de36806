"""Red team 58: terminals and devices given as input files, footnote text read from Word notes, Word files nested too
deeply in parts other than document.xml, and a stop while an interrupted import takes its folder back."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from build_helpers import make_repo
from cli_runner import run_cli
from docx_parts import rewrite
from processes import _default_ctrl_c, hooked, start_command_paused
from test_redteam_session52 import SIGNAL_AT_CALL, _contract_docx, _text_original

from contract.word.read import WordFileError, read

ROOT = Path(__file__).resolve().parents[1]
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


# ---------------------------------------------------------------- 1. terminals and devices as input files


def _said(result) -> str:
    return result.stdout + result.stderr


# Two bad inputs, two errors: verify reads --trust first and stops at its error, so the PDF that is a device is
# never named; the user fixes one, runs again, and only then learns of the other.
def test_verify_names_every_input_that_is_a_device_at_once(tmp_path):
    result = run_cli("--root", ROOT, "verify", "/dev/zero", "--trust", "/dev/null")
    assert result.returncode == 1, _said(result)
    assert "/dev/null" in result.stdout and "/dev/zero" in result.stdout, _said(result)


# sign reads the PDF, then the chain, the key and the certificate one by one, each stopping the command: three
# devices, one error.
def test_sign_names_every_input_that_is_a_device_at_once(tmp_path):
    result = run_cli(
        "--root", ROOT, "sign", "/dev/zero", "--party", "boras-stad", "--key", "/dev/null", "--cert", "/dev/full",
        "-o", tmp_path / "signed.pdf",
    )  # fmt: skip
    assert result.returncode == 1, _said(result)
    assert all(name in result.stdout for name in ("/dev/zero", "/dev/null", "/dev/full")), _said(result)
    assert not (tmp_path / "signed.pdf").exists()


# lock --pdf DEVICE --trust DEVICE: one of the two is named.
def test_lock_names_every_input_that_is_a_device_at_once(tmp_path):
    repo = make_repo(tmp_path / "repo")
    before = {p.name: p.read_bytes() for p in (repo / "years/2023").iterdir()}
    result = run_cli("--root", repo, "lock", "2023", "--pdf", "/dev/zero", "--trust", "/dev/null")
    assert result.returncode == 1, _said(result)
    assert "/dev/null" in result.stdout and "/dev/zero" in result.stdout, _said(result)
    assert {p.name: p.read_bytes() for p in (repo / "years/2023").iterdir()} == before


# translations --import of a file name that is a device (a link to /dev/zero) or a FIFO: "there is no such file",
# though there is one; the user looks for a missing file instead of being told it is a device or a pipe.
@pytest.mark.parametrize("kind", ["device", "fifo", "terminal"])
def test_translations_import_of_a_device_or_pipe_says_what_it_is_not_that_it_is_missing(tmp_path, kind, request):
    repo = make_repo(tmp_path / "repo")
    given = tmp_path / "texts.json"
    if kind == "device":
        given.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(given)
    else:
        leader, follower = os.openpty()
        given.symlink_to(os.ttyname(follower))
        request.addfinalizer(lambda: (os.close(leader), os.close(follower)))
    result = run_cli("--root", repo, "translations", "2024", "--lang", "en", "--import", given)
    assert result.returncode == 1, _said(result)
    assert "no such file" not in result.stdout, _said(result)
    assert "not a file" in result.stdout, _said(result)


# /dev/tty in a process with no controlling terminal (cron, a CI job, ssh without -t): open says ENXIO and verify
# answers "cannot read the PDF: No such device or address (check the path)", not that it is a terminal or device,
# which is never read. The path is right; checking it does not help.
@pytest.mark.slow
@pytest.mark.parametrize("command", ["verify", "seal"])
def test_dev_tty_without_a_controlling_terminal_is_refused_as_a_device(tmp_path, command):
    extra = ["--tsa", "http://127.0.0.1:9/", "-o", str(tmp_path / "out.pdf")] if command == "seal" else []
    done = subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(ROOT), command, "/dev/tty", *extra],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        start_new_session=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "not a file" in done.stdout and "No such device" not in done.stdout, done.stdout
    assert not (tmp_path / "out.pdf").exists()


# Held: a pty, a Unix socket, a block device, /dev/stdin that is /dev/null: each refused at once, exit 1.
@pytest.mark.parametrize("kind", ["pty", "socket", "block", "stdin-null"])
def test_held_verify_refuses_a_pty_socket_block_device_and_null_stdin(tmp_path, kind, request):
    if kind == "pty":
        leader, follower = os.openpty()
        given = os.ttyname(follower)
        request.addfinalizer(lambda: (os.close(leader), os.close(follower)))
    elif kind == "socket":
        given = str(tmp_path / "s.pdf")
        server = socket.socket(socket.AF_UNIX)
        server.bind(given)
        server.listen()
        request.addfinalizer(server.close)
    elif kind == "block":
        given = next((str(p) for p in sorted(Path("/dev").glob("loop[0-9]*")) if stat.S_ISBLK(p.stat().st_mode)), "")
        if not given:
            pytest.skip("no block device")
    else:
        given = "/dev/stdin"
    done = subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(ROOT), "verify", given],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "not a file" in done.stdout and "Traceback" not in done.stderr, done.stdout + done.stderr


# ---------------------------------------------------------------- 2. footnote text from Word notes


def _noted(tmp_path: Path, note: str) -> Path:
    """A Word contract whose first commitment carries footnote 1 with the body note (w:p elements)."""
    path = _contract_docx(tmp_path / "kontrakt.docx", lambda d: d.add_paragraph("Staden bygger cykelbanor."))
    words = b"<w:t>Staden bygger cykelbanor.</w:t>"
    mark = words + b'</w:r><w:r><w:footnoteReference w:id="1"/>'
    footnotes = f'<?xml version="1.0"?><w:footnotes {W}><w:footnote w:id="1">{note}</w:footnote></w:footnotes>'
    return rewrite(
        path, {"word/document.xml": lambda data: data.replace(words, mark)}, {"word/footnotes.xml": footnotes}
    )


NOTES = {
    # Word's tab (Källa:<Tab>Naturvårdsverket) and line break (Shift+Enter) show as space; the note glues the words.
    "tab": ("<w:p><w:r><w:t>Källa:</w:t><w:tab/><w:t>Naturvårdsverket</w:t></w:r></w:p>", "Källa: Naturvårdsverket"),
    "br": ("<w:p><w:r><w:t>Rad ett</w:t><w:br/><w:t>rad två</w:t></w:r></w:p>", "Rad ett rad två"),
    "cr": ("<w:p><w:r><w:t>Ett</w:t><w:cr/><w:t>två</w:t></w:r></w:p>", "Ett två"),
    # A non-breaking hyphen (Ctrl+Shift+-) is a hyphen in the body; in a note it is dropped: "EUdirektivet".
    "noBreakHyphen": ("<w:p><w:r><w:t>EU</w:t><w:noBreakHyphen/><w:t>direktivet</w:t></w:r></w:p>", "EU-direktivet"),
    # Insert > Symbol (→ in Symbol font) is read in the body; in a note it is lost and the words glued.
    "sym": (
        '<w:p><w:r><w:t>Se </w:t></w:r><w:r><w:sym w:font="Symbol" w:char="F0AE"/></w:r><w:r><w:t> bilaga</w:t></w:r></w:p>',
        "Se → bilaga",
    ),
    # A tracked move inside a note: its words stand at the old place (moveFrom, still w:t) and the new: doubled.
    "move": (
        '<w:p><w:moveFrom w:id="1" w:author="A"><w:r><w:t>flyttad </w:t></w:r></w:moveFrom><w:r><w:t>text</w:t></w:r>'
        '<w:moveTo w:id="2" w:author="A"><w:r><w:t> flyttad</w:t></w:r></w:moveTo></w:p>',
        "text flyttad",
    ),
}


@pytest.mark.parametrize("case", list(NOTES))
def test_a_notes_words_are_read_as_word_shows_them(tmp_path, case):
    note, shown = NOTES[case]
    assert read(_noted(tmp_path, note).read_bytes()).notes["1"] == shown


# With tracked changes refused (apply --tracked refuse), an insertion in a note stays in the note's text and a
# deletion (w:delText) is lost: the note reads as accepted whichever way was asked.
@pytest.mark.parametrize(
    ("note", "shown"),
    [
        (
            '<w:p><w:r><w:t>Gammal</w:t></w:r><w:ins w:id="1" w:author="A"><w:r><w:t> ny</w:t></w:r></w:ins></w:p>',
            "Gammal",
        ),
        (
            '<w:p><w:r><w:t>Kvar</w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText> borta</w:delText></w:r></w:del>'
            "</w:p>",
            "Kvar borta",
        ),
    ],
    ids=["insertion", "deletion"],
)
def test_a_notes_tracked_changes_are_refused_when_changes_are_refused(tmp_path, note, shown):
    assert read(_noted(tmp_path, note).read_bytes(), accept=False).notes["1"] == shown


# The folder import writes: a note "Källa:<Tab>Naturvårdsverket" becomes the footnote "Källa:Naturvårdsverket".
def test_import_writes_a_notes_words_apart_across_a_tab_and_a_line_break(tmp_path):
    repo = make_repo(tmp_path / "repo")
    note = "<w:p><w:r><w:t>Källa:</w:t><w:tab/><w:t>Naturvårdsverket</w:t><w:br/><w:t>rapport 7000</w:t></w:r></w:p>"
    out = repo / "years/2025"
    result = run_cli(
        "--root", repo, "import", _noted(tmp_path, note), "--version", "2025", "--municipality", "Exempelstad",
        "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, _said(result)
    written = " ".join("".join(p.read_text(encoding="utf-8") for p in sorted(out.glob("*.yaml"))).split())
    assert "Källa: Naturvårdsverket rapport 7000" in written, written


# Held: a note with a table, an empty paragraph, a soft hyphen and hidden text reads as Word shows it.
def test_held_a_note_with_a_table_empty_paragraph_soft_hyphen_and_hidden_text(tmp_path):
    note = (
        "<w:p><w:r><w:t>Före.</w:t></w:r></w:p><w:p/>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell ett</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>cell två</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><w:r><w:t>klimat</w:t><w:softHyphen/><w:t>kontrakt</w:t></w:r>"
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t> dold</w:t></w:r></w:p>"
    )
    assert read(_noted(tmp_path, note).read_bytes()).notes["1"] == "Före. Cell ett cell två klimatkontrakt"


# ---------------------------------------------------------------- 3. nested too deeply, in other parts


def _with_part(tmp_path: Path, name: str, data: str) -> Path:
    path = _contract_docx(tmp_path / "kontrakt.docx", lambda d: d.add_paragraph("Staden bygger cykelbanor."))
    return rewrite(path, put={name: data})


def _deep(tag: str, n: int = 300) -> str:
    return f"<{tag}>" * n + f"</{tag}>" * n


# A styles.xml (or the relationships, or docProps/core.xml) nested past libxml2's limit: refused, but in the words
# of document.xml: "text boxes or tables inside one another" with the hint to take the text out of them. The file has
# no such boxes or tables; the user searches the document for nothing. The message should say which part.
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("word/styles.xml", f'<?xml version="1.0"?><w:styles {W}>{_deep("w:style")}</w:styles>'),
        (
            "word/_rels/document.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{_deep('a')}</Relationships>",
        ),
        ("docProps/core.xml", f'<?xml version="1.0"?><c:coreProperties xmlns:c="c">{_deep("a")}</c:coreProperties>'),
    ],
    ids=["styles", "rels", "core"],
)
def test_a_part_nested_too_deeply_that_holds_no_text_is_named_not_blamed_on_boxes_or_tables(tmp_path, name, data):
    with pytest.raises(WordFileError) as caught:
        read(_with_part(tmp_path, name, data).read_bytes())
    said = f"{caught.value} {caught.value.hint}"
    assert name.rsplit("/", 1)[-1].split(".")[0] in said, said
    assert "text boxes or tables" not in said, said


# Held: deep nesting in footnotes.xml is refused with the clear message, exit 1, nothing written, no traceback.
def test_held_a_footnote_nested_too_deeply_is_refused_clearly(tmp_path):
    repo = make_repo(tmp_path / "repo")
    part = f'<?xml version="1.0"?><w:footnotes {W}><w:footnote w:id="1">{_deep("w:sdt")}</w:footnote></w:footnotes>'
    result = run_cli(
        "--root", repo, "import", _with_part(tmp_path, "word/footnotes.xml", part), "--version", "2025",
        "--municipality", "Exempelstad", "--out", repo / "years/2025",
    )  # fmt: skip
    assert result.returncode == 1 and "nested too deeply" in result.stdout, _said(result)
    assert "Traceback" not in _said(result) and not (repo / "years/2025").exists()


# ---------------------------------------------------------------- 4. a stop while an interrupted import takes back


def _import_argv(repo: Path, original: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "contract", "--root", str(repo), "import", str(original), "--version", "2025",
            "--municipality", "Exempelstad", "--out", str(out)]  # fmt: skip


# Held: SIGTERM as validate starts, then SIGINT and SIGTERM again while the folder is removed: removed whole,
# interrupted, no traceback.
@pytest.mark.slow
def test_held_three_stops_while_an_interrupted_import_removes_its_folder(tmp_path):
    repo = make_repo(tmp_path / "repo")
    env = hooked(tmp_path, SIGNAL_AT_CALL, SIG_TARGET="contract.importer.report:validate_folder", SIG_NUMBER="15")
    argv = _import_argv(repo, _text_original(tmp_path), repo / "years/2025")
    done, resume = start_command_paused(argv, "import-removing", _default_ctrl_c, cwd=repo, env=env)
    try:
        done.send_signal(signal.SIGINT)
        done.send_signal(signal.SIGTERM)
    finally:
        os.close(resume)
    out, err = done.communicate(timeout=60)
    assert done.returncode in (130, 143) and "interrupted" in err and "Traceback" not in err, out + err
    assert sorted(p.name for p in (repo / "years").iterdir()) == ["2023", "2024"], out + err


# Held: --out a symbolic link to an empty folder outside years/: the link and the empty folder stay, nothing in it.
@pytest.mark.slow
def test_held_an_interrupted_import_through_a_link_leaves_the_empty_folder_and_the_link(tmp_path):
    repo = make_repo(tmp_path / "repo")
    real = tmp_path / "elsewhere"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    env = hooked(tmp_path, SIGNAL_AT_CALL, SIG_TARGET="contract.importer.report:validate_folder", SIG_NUMBER="2")
    argv = _import_argv(repo, _text_original(tmp_path), link)
    done, resume = start_command_paused(argv, "import-removing", _default_ctrl_c, cwd=repo, env=env)
    try:
        done.send_signal(signal.SIGTERM)
    finally:
        os.close(resume)
    out, err = done.communicate(timeout=60)
    assert done.returncode in (130, 143) and "Traceback" not in err, out + err
    assert link.is_symlink() and real.is_dir() and not any(real.iterdir()), out + err


# An empty folder made for the import (mode 0750, say, to keep a draft from others): interrupted, the import takes
# its folder back and makes a new empty one in its place, with the default mode: not the folder the user had.
# Decision: the mode comes back (and a finished import keeps it too); the folder itself cannot, since the import
# puts its finished folder in the empty one's place in one rename (all files at once), so no inode is compared.
@pytest.mark.slow
def test_an_interrupted_import_into_an_empty_folder_gives_back_the_folder_as_it_was(tmp_path):
    repo = make_repo(tmp_path / "repo")
    out = tmp_path / "utkast"
    out.mkdir()
    out.chmod(0o750)
    before = out.stat()
    env = hooked(tmp_path, SIGNAL_AT_CALL, SIG_TARGET="contract.importer.report:validate_folder", SIG_NUMBER="15")
    done = subprocess.run(
        _import_argv(repo, _text_original(tmp_path), out), cwd=repo, env=env, capture_output=True, text=True,
        preexec_fn=_default_ctrl_c, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 143, done.stdout + done.stderr
    after = out.stat()
    assert not any(out.iterdir())
    assert stat.S_IMODE(after.st_mode) == stat.S_IMODE(before.st_mode) == 0o750, oct(after.st_mode)


# --out with folders that do not exist yet (outside years/): a stop while the files are written (before the
# folder is in place) removes the staging folder but leaves the parent folders it made, empty, behind.
@pytest.mark.slow
@pytest.mark.parametrize("number", [2, 15], ids=["SIGINT", "SIGTERM"])
def test_an_import_interrupted_while_writing_removes_the_parent_folders_it_made(tmp_path, number):
    repo = make_repo(tmp_path / "repo")
    out = tmp_path / "ny" / "kommun" / "2025"
    env = hooked(tmp_path, SIGNAL_AT_CALL, SIG_TARGET="contract.source.yamlwrite:dump", SIG_NUMBER=str(number))
    done = subprocess.run(
        _import_argv(repo, _text_original(tmp_path), out), cwd=repo, env=env, capture_output=True, text=True,
        preexec_fn=_default_ctrl_c, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 128 + number and "interrupted" in done.stderr, done.stdout + done.stderr
    assert not (tmp_path / "ny").exists(), list((tmp_path / "ny").rglob("*"))


# Held: verify reads a pipe being written (/dev/stdin a pipe with bytes in it: read, then judged not a PDF), and
# refuses a FIFO nobody writes to at once instead of waiting.
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["pipe-with-data", "fifo-no-writer"])
def test_held_verify_reads_a_written_pipe_and_refuses_one_nobody_writes(tmp_path, kind):
    given, feed = "/dev/stdin", b"not a pdf at all\n"
    if kind == "fifo-no-writer":
        given, feed = str(tmp_path / "fifo.pdf"), None
        os.mkfifo(given)
    done = subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(ROOT), "verify", given],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, input=feed,
        stdin=None if feed is not None else subprocess.DEVNULL, capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    said = (done.stdout + done.stderr).decode()
    assert done.returncode == 1 and "Traceback" not in said, said
    assert ("not a file" in said) == (kind == "fifo-no-writer"), said


# A sitecustomize: as SWAP_TARGET ("module:function") is first called, the file SWAP_PATH is replaced by a FIFO
# nobody writes to (the path swapped between the command's look at it and its read, as another program may).
SWAP_AT_CALL = (
    """
import os, sys
_PLAN = [{"target": os.environ["SWAP_TARGET"]}]
_patched = set()
def _wrap(original, step):
    def wrapper(*args, **kwargs):
        path = os.environ["SWAP_PATH"]
        if not os.path.exists(path + ".swapped"):
            os.replace(path, path + ".swapped")
            os.mkfifo(path)
        return original(*args, **kwargs)
    return wrapper
"""
    + __import__("processes").PATCH_AT_IMPORT
)


# translations --import looks at the file (is_file, its size) and then reads it with read_text, which opens it
# waiting: a file swapped for a FIFO in between (nobody writes to it) makes the command wait for ever. import and
# verify read through read_bounded, which refuses it.
@pytest.mark.slow
def test_translations_import_of_a_file_swapped_for_a_fifo_after_the_look_does_not_hang(tmp_path):
    repo = make_repo(tmp_path / "repo")
    given = tmp_path / "texts.json"
    given.write_text("{}", encoding="utf-8")
    env = hooked(tmp_path, SWAP_AT_CALL, SWAP_TARGET="contract.translate.jsonfile:read", SWAP_PATH=str(given))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "contract", "--root", str(repo), "translations", "2024", "--lang", "en",
             "--import", str(given)],
            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("translations --import waited for ever on a FIFO swapped in after its check")
    assert stat.S_ISFIFO(given.lstat().st_mode)  # the swap happened
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr


# Held: the same swap under import (after its check_file, before its read): refused as a pipe, nothing written.
@pytest.mark.slow
def test_held_import_of_a_file_swapped_for_a_fifo_after_the_look_is_refused(tmp_path):
    repo = make_repo(tmp_path / "repo")
    given = tmp_path / "kontrakt.txt"
    given.write_bytes(_text_original(tmp_path).read_bytes())
    env = hooked(tmp_path, SWAP_AT_CALL, SWAP_TARGET="contract.importer:import_file", SWAP_PATH=str(given))
    done = subprocess.run(
        _import_argv(repo, given, repo / "years/2025"), env=env, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert stat.S_ISFIFO(given.lstat().st_mode)
    assert done.returncode == 1 and "not a file but a pipe" in done.stdout, done.stdout + done.stderr
    assert not (repo / "years/2025").exists()


# A sitecustomize: the process sends itself SIG_NUMBER just as SIG_TARGET ("module:function") returns.
SIGNAL_AFTER_CALL = (
    """
import os, signal, sys, threading
_PLAN = [{"target": os.environ["SIG_TARGET"]}]
_patched = set()
def _wrap(original, step):
    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        signal.pthread_kill(threading.get_ident(), int(os.environ["SIG_NUMBER"]))
        return result
    return wrapper
"""
    + __import__("processes").PATCH_AT_IMPORT
)


# Ctrl-C (or SIGTERM) just after the staging folder is renamed into place, before write_folder has returned to the
# try that takes an interrupted import's folder back: the command ends "interrupted", never says "wrote", and the
# new version stays in years/ (the user's next import is told the folder is not empty).
@pytest.mark.slow
@pytest.mark.parametrize("number", [2, 15], ids=["SIGINT", "SIGTERM"])
def test_an_import_interrupted_just_after_its_folder_is_in_place_leaves_no_new_version(tmp_path, number):
    repo = make_repo(tmp_path / "repo")
    env = hooked(
        tmp_path, SIGNAL_AFTER_CALL, SIG_TARGET="contract.importer.write:move_into_place", SIG_NUMBER=str(number)
    )
    done = subprocess.run(
        _import_argv(repo, _text_original(tmp_path), repo / "years/2025"), cwd=repo, env=env, capture_output=True,
        text=True, preexec_fn=_default_ctrl_c, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 128 + number and "interrupted" in done.stderr, done.stdout + done.stderr
    assert "wrote" not in done.stderr
    assert sorted(p.name for p in (repo / "years").iterdir()) == ["2023", "2024"], done.stderr
