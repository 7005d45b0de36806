"""Red-team session 21: the build's own signature-field writer, the direct Pagefind run and the PDF worker's warm-up.

Each defect found has a reproducer here marked `# DEFECT:` (fixed since, so each now passes); the other
tests are probes that found nothing and keep it so. What was attacked is listed in the session's report.
"""

from __future__ import annotations

import io
import os
import select
import signal
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from contract.build import search
from contract.cli.main import main
from contract.errors import ContractError
from contract.pdf import signature_fields
from contract.pdf.compile import SignatureBox, compile_typst
from tests.build_helpers import make_repo
from tests.test_signature_fields import ours_untagged, with_pyhanko

ROOT = Path(__file__).resolve().parents[1]
NAME = generic.pdf_name
BOXES = [SignatureBox("part-a", 0, (10.0, 20.0, 110.0, 70.0)), SignatureBox("part-b", 1, (10.0, 20.0, 110.0, 70.0))]


@pytest.fixture(scope="module")
def two_pages() -> bytes:
    """A small tagged PDF/A+UA as Typst makes it: two pages, no form."""
    return compile_typst('#set document(title: [T])\n#set text(lang: "sv")\nEtt.\n#pagebreak()\nTvå.', 0)


def _updated(pdf: bytes, change) -> bytes:
    """Return pdf with one incremental update made by change(writer) (a form or annotations another tool added)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _signature_fields(pdf: bytes) -> tuple[list[str], object]:
    """Return the names of the signature fields pyHanko finds, and the form's /SigFlags (None without)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    names = [name for name, _, _ in fields.enumerate_sig_fields(reader)]
    form = reader.root["/AcroForm"]
    return names, (form["/SigFlags"] if "/SigFlags" in form else None)


# ---------------------------------------------------------------- odd PDFs given to add_signature_fields


# DEFECT: a form whose /Fields array is an indirect object (as many PDF writers make it) makes
# _form_fields return the IndirectObject itself (DictionaryObject.setdefault does not dereference), and
# add_signature_fields crashes with "TypeError: 'IndirectObject' object is not iterable". pyHanko's
# append_signature_field adds the fields there (but, a pyHanko bug of its own, without /SigFlags).
def test_a_form_whose_fields_array_is_indirect_gets_the_fields(two_pages):
    def indirect_fields(writer):
        form = generic.DictionaryObject({NAME("/Fields"): writer.add_object(generic.ArrayObject())})
        writer.root[NAME("/AcroForm")] = writer.add_object(form)

    pdf = _updated(two_pages, indirect_fields)
    assert _signature_fields(with_pyhanko(pdf, BOXES, {}, {}))[0] == ["part-a", "part-b"]  # pyHanko's fields
    ours = signature_fields.add_signature_fields(pdf, BOXES, {})
    assert _signature_fields(ours) == (["part-a", "part-b"], 1)


def test_a_form_without_fields_and_with_need_appearances_gets_the_fields_pyhanko_gives(two_pages):
    # Probe: the same objects as pyHanko's; the bytes differ only in the order of the form's keys (/SigFlags is
    # written before /Fields), which no reader cares about.
    def bare_form(writer):
        form = generic.DictionaryObject({NAME("/NeedAppearances"): generic.BooleanObject(True)})
        writer.root[NAME("/AcroForm")] = writer.add_object(form)

    pdf = _updated(two_pages, bare_form)
    ours, theirs = ours_untagged(pdf, BOXES, {}, {}), with_pyhanko(pdf, BOXES, {}, {})
    assert _signature_fields(ours) == _signature_fields(theirs) == (["part-a", "part-b"], 1)
    assert sorted(ours) == sorted(theirs)  # the same bytes, in another order


def test_a_page_whose_annots_array_is_indirect_gets_pyhankos_bytes(two_pages):
    def indirect_annots(writer):
        page_ref = writer.find_page_for_modification(0)[0]
        page_ref.get_object()[NAME("/Annots")] = writer.add_object(generic.ArrayObject())
        writer.update_container(page_ref.get_object())

    pdf = _updated(two_pages, indirect_annots)
    assert ours_untagged(pdf, BOXES, {}, {}) == with_pyhanko(pdf, BOXES, {}, {})
    assert _signature_fields(signature_fields.add_signature_fields(pdf, BOXES, {}))[0] == ["part-a", "part-b"]


def test_a_text_field_with_a_partys_name_is_refused_not_overwritten(two_pages):
    # pyHanko refuses it too ("exists but is not a /Sig field"); ours names the field.
    def text_field(writer):
        page = writer.find_page_for_modification(0)[0]
        text = generic.DictionaryObject(
            {NAME("/FT"): NAME("/Tx"), NAME("/T"): generic.pdf_string("part-a"), NAME("/P"): page}
        )
        form = generic.DictionaryObject({NAME("/Fields"): generic.ArrayObject([writer.add_object(text)])})
        writer.root[NAME("/AcroForm")] = writer.add_object(form)

    with pytest.raises(ValueError, match="part-a"):
        signature_fields.add_signature_fields(_updated(two_pages, text_field), BOXES, {})


def test_many_parties_on_the_last_page_each_get_their_own_tagged_field(two_pages):
    # Probe: 40 fields (odd but schema-valid ids, tooltips in several scripts), the last ones with no size, all on the
    # last page; no headings match, so each Form element goes under the document, with its own parent-tree key.
    boxes = [SignatureBox(f"p{i}-x", 1, (10.0 + i, 20.0, 10.0 + i + (i < 35) * 5, 70.0)) for i in range(40)]
    tooltips = {box.party: f"Signatur: \u202eÅÄÖ \U0001f58a 署名 {i}\u0000" for i, box in enumerate(boxes)}
    pdf = signature_fields.add_signature_fields(two_pages, boxes, tooltips)
    reader = PdfFileReader(io.BytesIO(pdf))
    found = {name: ref.get_object() for name, _, ref in fields.enumerate_sig_fields(reader)}
    assert sorted(found) == sorted(box.party for box in boxes)
    tree = reader.root["/StructTreeRoot"]
    nums = tree["/ParentTree"]["/Nums"]
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    assert len(keys) == len(set(keys)) and int(tree["/ParentTreeNextKey"]) == max(keys) + 1
    for box in boxes:
        widget = found[box.party]
        element = nums[2 * keys.index(int(widget["/StructParent"])) + 1]
        assert element["/S"] == "/Form" and element["/K"]["/Obj"].get_object() is widget
        assert str(widget["/TU"]) == str(element["/Alt"]) == tooltips[box.party]
        assert ("/AP" in widget) == (box.rect[2] > box.rect[0])
    assert len(reader.root["/Pages"]["/Kids"][1]["/Annots"]) == 40


# ---------------------------------------------------------------- the contract's fields, tagged in their party's block


def _group_heading(pdf: bytes, party: str) -> str:
    """Return the structure type and heading of the element the party's Form element was put in."""
    reader = PdfFileReader(io.BytesIO(pdf))
    nums = reader.root["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    widget = next(ref.get_object() for name, _, ref in fields.enumerate_sig_fields(reader) if name == party)
    parent = nums[2 * keys.index(int(widget["/StructParent"])) + 1]["/P"]
    kids = [kid.get_object() for kid in parent["/K"]]
    headings = [str(kid["/T"]) for kid in kids if isinstance(kid, dict) and kid.get("/S") == "/H2" and "/T" in kid]
    return f"{parent['/S']} {headings[0] if len(headings) == 1 else len(headings)}"


@pytest.mark.slow  # renders the contract
@pytest.mark.parametrize(
    "name, heading",
    [
        ('Vin  nova & <b>"x"</b>', 'För Vin nova & <b>"x"</b>'),  # probe: found
        # DEFECT (older than session 21's change): the field is looked up by the party heading's text as the
        # label gives it, with the inline markup ('*...*' emphasis, '\\*' escapes) still in it, while Typst's /T
        # has the text as shown; no heading matched and the Form element silently went to the end of the whole
        # Document, after the annexes: a screen reader reached Vinnova's field far from Vinnova's block.
        ("Vin*nova*", "För Vinnova"),
    ],
)
def test_each_field_is_tagged_in_its_partys_block_whatever_the_partys_name(repo_copy, name, heading):
    from contract.pdf.document import render_pdf
    from contract.source.load import load
    from contract.source.provenance import source

    path = repo_copy / "years" / "2023" / "contract.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      sv: Vinnova\n", f"      sv: '{name}'\n", 1), encoding="utf-8")
    pdf = render_pdf(load(repo_copy, "2023"), "sv", source(repo_copy))
    assert _group_heading(pdf, "vinnova") == f"/Div {heading}"
    assert _group_heading(pdf, "formas") == "/Div För Formas"


# ---------------------------------------------------------------- Pagefind


@pytest.fixture
def fresh_pagefind():
    """Forget which Pagefind command this process found (it is looked up once per process), before and after."""
    search.pagefind_program.cache_clear()
    yield
    search.pagefind_program.cache_clear()


def _tiny_site(folder: Path) -> Path:
    folder.mkdir()
    (folder / "index.html").write_text("<html lang='sv'><body><main><h1>Ett</h1><p>Två.</p></main></body></html>")
    return folder


def test_pagefind_binary_path_naming_the_real_binary_indexes(tmp_path, monkeypatch, fresh_pagefind):
    # Probe: the variable still names the program that runs.
    from pagefind_bin import get_executable

    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(get_executable()))
    assert search.pagefind_program(str(get_executable())) == (str(get_executable()), "PAGEFIND_BINARY_PATH")
    site = _tiny_site(tmp_path / "site")
    search.index_search(site)
    assert (site / "pagefind" / "pagefind-entry.json").is_file()


# DEFECT: with PAGEFIND_BINARY_PATH naming a missing file, a folder or a file that cannot run, the build stops
# (exit 1, nothing written) but its message is the Python traceback of 'python -m pagefind'
# ("Traceback (most recent call last): ... os.execv(bin, argv) FileNotFoundError: ..."), it is placed at the
# internal staging folder (.site.staging/.sv.staging), and its hint, "install it with: pip install
# 'pagefind[bin]'", cannot help: the variable is what is wrong.
@pytest.mark.parametrize("where", ["missing", "directory", "not-executable"])
def test_a_bad_pagefind_binary_path_gives_no_traceback(tmp_path, monkeypatch, fresh_pagefind, where):
    target = {"missing": tmp_path / "nowhere", "directory": tmp_path, "not-executable": tmp_path / "pagefind"}[where]
    if where == "not-executable":
        target.write_text("not a program")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(target))
    with pytest.raises(ContractError) as caught:
        search.index_search(_tiny_site(tmp_path / "site"))
    diagnostic = caught.value.diagnostics[0]
    assert "Traceback" not in diagnostic.message and "PAGEFIND_BINARY_PATH" in diagnostic.message, diagnostic.message
    assert "pip install" not in (diagnostic.hint or ""), diagnostic.hint


# DEFECT: the pagefind_bin wheel installed without its binary (a broken or partial install): the build falls back to
# 'python -m pagefind', which fails the same way, and the message is again its Python traceback
# ("FileNotFoundError: Could not find any of [...]").
def test_a_pagefind_wheel_without_its_binary_gives_no_traceback(tmp_path, monkeypatch, fresh_pagefind):
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    wheel = tmp_path / "wheel" / "pagefind_bin"  # the wheel's module as installed, its binary gone
    wheel.mkdir(parents=True)
    module = "def get_executable():\n    raise FileNotFoundError('Could not find any of [pagefind]')\n"
    (wheel / "__init__.py").write_text(module)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(wheel.parent), str(ROOT)]))  # what 'python -m' imports
    missing = types.ModuleType("pagefind_bin")
    exec(module, missing.__dict__)
    monkeypatch.setitem(sys.modules, "pagefind_bin", missing)  # what this process imports
    with pytest.raises(ContractError) as caught:
        search.index_search(_tiny_site(tmp_path / "site"))
    message = caught.value.diagnostics[0].message
    assert "Traceback" not in message and "Pagefind" in message, message


# DEFECT: when the pagefind_bin wheel's binary cannot be run (lost its execute bit in a copied virtualenv, or is a
# folder), Popen's PermissionError escapes start_index; the build turns it into "<out>: error: cannot write the
# output: Permission denied (<the binary>) (check that the folder can be written, or choose another folder with
# --out)": it blames the output folder, which is fine, and sends the user to the wrong fix.
@pytest.mark.slow  # a whole build
def test_a_pagefind_binary_that_cannot_run_is_named_as_such_not_as_the_output(
    tmp_path, monkeypatch, capsys, fresh_pagefind
):
    import pagefind_bin

    repo = make_repo(tmp_path / "repo")
    binary = tmp_path / "pagefind"
    binary.write_bytes(b"\x7fELF not really")
    binary.chmod(stat.S_IRUSR | stat.S_IWUSR)  # root may read it, but nobody may run it
    monkeypatch.setattr(pagefind_bin, "get_executable", lambda: binary)
    code = main(["build", "--root", str(repo), "--jobs", "1"])
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert code == 1 and "Traceback" not in err
    assert not (repo / "site").exists()
    assert "Pagefind" in err and "--out" not in err, err


# DEFECT: 'python -m pagefind' (what the build ran before, and still runs as its fallback) prefers the extended
# Pagefind (the pagefind_bin_extended wheel: pip install 'pagefind[extended]') when it is installed; the direct run
# asks pagefind_bin only, so a machine with both wheels silently indexes with another binary than before.
def test_the_extended_pagefind_is_still_preferred_when_installed(tmp_path, monkeypatch, fresh_pagefind):
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    binary = tmp_path / "pagefind_extended"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    wheel = types.ModuleType("pagefind_bin_extended")  # the wheel's module: get_executable() names its binary
    wheel.get_executable = lambda: binary  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pagefind_bin_extended", wheel)  # removed again after the test
    assert search.pagefind_program(None) == (str(binary), "pagefind-bin-extended")


def _pidfd_exited(pid: int, guard: float = 60.0) -> bool:
    """Return whether process pid has exited, waiting for it (the timeout only guards against a hang)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], guard)[0])
    finally:
        os.close(fd)


def _stop_while_indexing(tmp_path: Path, how: signal.Signals) -> tuple[Path, bool]:
    """Build, stop the build with how while its Pagefind runs; return the repository and whether Pagefind is gone."""
    repo = make_repo(tmp_path / "repo")
    started = tmp_path / "started"
    os.mkfifo(started)
    hold = tmp_path / "hold"
    os.mkfifo(hold)
    indexer = tmp_path / "pagefind"  # stands in for a Pagefind that takes its time on a big site
    indexer.write_text(f'#!/bin/sh\necho $$ > "{started}"\nexec cat "{hold}"\n')
    indexer.chmod(0o755)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PAGEFIND_BINARY_PATH": str(indexer)}
    build = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo), "--jobs", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    holder = os.open(hold, os.O_RDWR)  # the stand-in reads this until the test closes it
    try:
        with open(started) as pipe:  # blocks until the build has started its indexer
            pid = int(pipe.read())
        build.send_signal(how)
        build.communicate()
        return repo, _pidfd_exited(pid, guard=5.0)
    finally:
        os.close(holder)  # lets a leftover stand-in finish
        if build.poll() is None:
            build.kill()
            build.communicate()


@pytest.mark.slow  # a build started in a process of its own
def test_a_build_terminated_while_pagefind_runs_stops_it_and_leaves_nothing(tmp_path):
    # Probe: SIGTERM (a cancelled CI job) runs the build's clean-up, which kills the indexer and drops the staging.
    repo, gone = _stop_while_indexing(tmp_path, signal.SIGTERM)
    assert gone, "Pagefind outlived the terminated build"
    assert sorted(p.name for p in repo.iterdir() if p.name.startswith((".site", "site"))) == [".site.lock"]


# DEFECT (older than this session's change, which kept it): Pagefind is a child of the build with nothing that ends
# it when the build is killed (SIGKILL, the OOM killer): the PDF workers die with the build (PR_SET_PDEATHSIG), the
# indexer does not. It keeps running and writing its index into the build's staging folder, which the next build
# recovers (removes) and then stages into again.
@pytest.mark.slow  # a build started in a process of its own
def test_a_build_killed_while_pagefind_runs_leaves_no_pagefind_behind(tmp_path):
    _, gone = _stop_while_indexing(tmp_path, signal.SIGKILL)
    assert gone, "Pagefind outlived the killed build"


# ---------------------------------------------------------------- the PDF worker


# In every process of the build (it is on PYTHONPATH): holds a PDF worker's background import of pyHanko's PDF layer
# (contract.pdf.identity, imported by no other thread) until the test lets go, after telling the test which worker.
_HOLD_THE_WARM_UP = """
import importlib.util, os, sys, threading

class _Hold:
    # Held while the module runs (under its own lock), not in find_spec: Python 3.11 calls finders under the global
    # import lock, and holding that would stop every import of the worker's first job too.
    def find_spec(self, name, path=None, target=None):
        if name != "contract.pdf.identity" or threading.current_thread() is threading.main_thread():
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        run = spec.loader.exec_module

        def held(module):
            with open(os.environ["RT21_ARRIVED"], "w") as arrived:
                arrived.write(f"{os.getpid()} ")  # two workers may both write before the test reads
            with open(os.environ["RT21_HOLD"]) as hold:
                hold.read()
            run(module)

        spec.loader.exec_module = held
        return spec

sys.meta_path.insert(0, _Hold())
"""


@pytest.mark.slow  # a build started in a process of its own
@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_a_build_stopped_while_a_worker_loads_pyhanko_in_the_background_leaves_nothing(tmp_path, how):
    # Probe: the worker, its warm-up thread caught inside the import, ends with the build; nothing is left behind.
    from tests.build_helpers import leftovers

    repo = make_repo(tmp_path / "repo")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(_HOLD_THE_WARM_UP)
    arrived, hold = tmp_path / "arrived", tmp_path / "hold"
    os.mkfifo(arrived)
    os.mkfifo(hold)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(hooks), str(ROOT)]),
        "RT21_ARRIVED": str(arrived),
        "RT21_HOLD": str(hold),
    }
    holder = os.open(hold, os.O_RDWR)  # a held import reads this until the test closes it
    build = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo), "--jobs", "3"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=os.setpgrp,  # a process group of its own, as at a terminal, that Ctrl-C reaches whole
    )
    try:
        with open(arrived) as pipe:  # blocks until a worker's warm-up thread is inside the import
            worker = int(pipe.read().split()[0])  # the first worker held
        handle = os.pidfd_open(worker)
        if how == "ctrl-c":
            os.killpg(build.pid, signal.SIGINT)
        else:
            build.kill()
        # DEFECT (found when contract PDFs began to render as their versions load): stop() listed the workers to kill
        # after the pool's shutdown had forgotten them, so none was killed; the interrupted build then waited at its
        # exit for a worker caught in its PDF, here for ever. The timeout only turns such a hang into a failure.
        out, err = build.communicate(timeout=120)
        assert select.select([handle], [], [], 60)[0], "the worker outlived the build"
        os.close(handle)
        if how == "ctrl-c":
            assert (build.returncode, out, err) == (130, "", "interrupted\n")
        assert not (repo / "site").exists()
        # Killed, the build may have staged already (it goes on while the worker warms up): the next build recovers it.
        assert leftovers(repo) in ([[]] if how == "ctrl-c" else [[], [".site.staging"]])
    finally:
        os.close(holder)
        if build.poll() is None:
            build.kill()
            build.communicate()


def test_the_workers_background_import_and_a_job_importing_the_same_modules_do_not_clash():
    # Probe: the warm-up thread imports pyHanko's PDF layer while the worker's first job imports it too (in either
    # order): per-module import locks, no partly initialised module, no deadlock error.
    code = (
        "import sys, threading\n"
        "from contract.build import workers\n"
        "from contract.pdf import document\n"
        "errors = []\n"
        "def warm():\n"
        "    try:\n        workers._load_pyhanko()\n"
        "    except BaseException as exc:\n        errors.append(repr(exc))\n"
        "thread = threading.Thread(target=warm)\nthread.start()\n"
        "from contract.pdf.signature_fields import add_signature_fields\n"
        "from contract.pdf.identity import seed_value\n"
        "thread.join()\nprint(errors)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]", result.stderr
