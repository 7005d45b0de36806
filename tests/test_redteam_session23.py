"""Red team 23: PDF workers that end with os._exit, and rarer cycle collections in commands and workers."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from build_helpers import ROOT, leftovers, make_repo, run_process
from cli_runner import run_cli
from processes import no_stray, pool_workers, start_paused

from contract import collector
from contract.cli import main as cli_main
from contract.errors import ContractError, Diagnostic

DEFAULT = (700, 10, 10)


@pytest.fixture(autouse=True)
def _thresholds_kept():
    """Give the rest of the test process back the thresholds it had (these tests set Python's defaults)."""
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def _pdfs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.pdf"))}


# A pool made as the build makes it (workers.start), whose job writes to the worker's own buffered streams without a
# newline, also from exit hooks registered after the worker's own (a library that reports as it unloads): what it
# wrote must reach the build's stdout and stderr, not die in the buffers os._exit skips.
_PRINTING_WORKER = """
import sys
from contract.build import workers
pool = workers.start(3, 4)
job = (
    "import atexit, sys; sys.stdout.write('worker-out-tail'); sys.stderr.write('worker-err-tail'); "
    "atexit.register(sys.stdout.write, 'worker-out-atexit'); atexit.register(sys.stderr.write, 'worker-err-atexit')"
)
pool.submit(exec, job).result()
pool.shutdown(wait=True)
print("build-done")
"""


@pytest.mark.slow
def test_what_a_worker_writes_on_its_way_out_is_not_lost(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered, as a user's terminal has it
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", _PRINTING_WORKER], capture_output=True, text=True, cwd=tmp_path, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "worker-out-tail" in result.stdout and "worker-out-atexit" in result.stdout
    assert "build-done" in result.stdout
    assert "worker-err-tail" in result.stderr and "worker-err-atexit" in result.stderr
    assert "Traceback" not in result.stderr


def _failing_with(exc: BaseException):
    """The real _run, around a command that raises exc (as a bad file, a Ctrl-C or a bug would)."""
    real = cli_main._run

    def command(args):
        assert gc.get_threshold() == collector.THRESHOLDS
        raise exc

    def run(args):
        args.run = command
        return real(args)

    return run


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (KeyboardInterrupt(), 130),
        (ContractError([Diagnostic(None, "error", "bad", "fix it", "probe")]), 1),
    ],
)
def test_the_process_thresholds_come_back_when_a_command_fails_or_is_interrupted(monkeypatch, tmp_path, exc, code):
    monkeypatch.setattr(cli_main, "_run", _failing_with(exc))
    gc.set_threshold(*DEFAULT)
    result = run_cli("validate", "--root", tmp_path)  # not in _IN_REPOSITORY: reaches the command itself
    assert result.returncode == code
    assert "Traceback" not in result.stderr
    assert gc.get_threshold() == DEFAULT


def test_the_process_thresholds_come_back_when_a_command_breaks_unexpectedly(monkeypatch, tmp_path):
    monkeypatch.setattr(cli_main, "_run", _failing_with(RuntimeError("a bug")))
    gc.set_threshold(*DEFAULT)
    try:
        run_cli("validate", "--root", tmp_path)
    except RuntimeError:
        pass  # whether main reports or re-raises a bug is not what this test checks
    assert gc.get_threshold() == DEFAULT


def test_two_commands_overlapping_in_threads_leave_the_process_thresholds_as_they_were(monkeypatch, tmp_path):
    entered = {"first": threading.Event(), "second": threading.Event()}
    first_may_end, first_ended = threading.Event(), threading.Event()

    def run(args):
        name = threading.current_thread().name
        entered[name].set()
        (first_may_end if name == "first" else first_ended).wait(timeout=60)
        return 0

    monkeypatch.setattr(cli_main, "_run", run)
    gc.set_threshold(*DEFAULT)
    try:
        argv = ["versions", "--root", str(tmp_path)]
        first = threading.Thread(target=cli_main.main, args=(argv,), name="first")
        second = threading.Thread(target=cli_main.main, args=(argv,), name="second")
        first.start()
        assert entered["first"].wait(timeout=60)
        second.start()
        assert entered["second"].wait(timeout=60)
        first_may_end.set()
        first.join(timeout=60)
        first_ended.set()
        second.join(timeout=60)
        assert gc.get_threshold() == DEFAULT
    finally:
        gc.set_threshold(*DEFAULT)


def _alive_with(token: str) -> list[int]:
    """Return the running processes (zombies not counted) whose environment holds token: a build and its workers."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if token.encode() not in environ.read_bytes():
                continue
            state = (environ.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # ended meanwhile, or not ours
            continue
        if state != "Z":
            found.append(int(environ.parent.name))
    return found


@pytest.mark.slow
def test_bad_data_rendered_early_by_the_workers_is_a_clear_error_and_no_worker_outlives_the_build(tmp_path):
    root = make_repo(tmp_path / "repo")
    # Each version's PDFs start in the workers as it loads, before its checks: this one has glyphs no font has.
    (root / "years" / "2024" / "purpose.yaml").write_bytes(
        (ROOT / "tests" / "invalid" / "purpose.font-missing-glyph.yaml").read_bytes()
    )
    token = f"red23-{os.getpid()}-{id(tmp_path)}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RED23_TOKEN": token}
    result = run_process(root, "--drafts", "--jobs", "3", env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot be shown: the PDF font Source Sans Pro has no glyph for it" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr and "internal error" not in result.stdout
    assert not (root / "site").exists() and leftovers(root) == []
    assert _alive_with(token) == []


@pytest.mark.slow
@pytest.mark.parametrize(("how", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_to_the_group_while_workers_render_stops_every_process(tmp_path, how, code):
    root = make_repo(tmp_path / "repo")
    build, resume = start_paused(root, "rendering", "--drafts", "--jobs", "3", own_group=True)
    try:
        workers = pool_workers(build.pid)
        assert len(workers) == 2, workers
        os.killpg(build.pid, how)  # Ctrl-C at a terminal, or a cancelled CI job, reaches the workers too
    finally:
        os.close(resume)
    out, err = build.communicate(timeout=600)
    assert build.returncode == code, out + err
    assert "Traceback" not in out + err
    assert not (root / "site").exists() and leftovers(root) == []
    no_stray(workers)


def test_serve_rebuilds_with_the_collection_python_would_use(monkeypatch, tmp_path):
    import mkdocs.commands.serve

    root = make_repo(tmp_path / "repo")
    seen = []
    monkeypatch.setattr(mkdocs.commands.serve, "serve", lambda **kwargs: seen.append(gc.get_threshold()))
    gc.set_threshold(*DEFAULT)
    result = run_cli("--root", root, "serve")
    assert result.returncode == 0, result.stdout + result.stderr
    assert seen == [DEFAULT]


@pytest.mark.slow
def test_a_build_with_its_standard_output_closed_prints_no_traceback_and_its_workers_leave_no_temporary_file(
    tmp_path,
):
    # Workers end with os._exit, which skips every clean-up at exit: nothing they made may be left in TMPDIR.
    # (That their PDFs are the bytes of a --jobs 1 build is red team 21c's imported-seed test, --jobs 1 against 3.)
    root = make_repo(tmp_path / "repo")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temporary)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--root", str(root), "--jobs", "3"],  # 2 PDFs, 2 workers
        cwd=root,
        env=env,
        preexec_fn=lambda: os.close(1),  # as a service manager or `>&-` starts it: no standard output at all
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(_pdfs(root / "site")) == 2
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert list(temporary.iterdir()) == []
    assert leftovers(root) == []


@pytest.mark.slow
def test_sigterm_to_a_build_whose_workers_are_stopped_mid_pdf_ends_it_and_them(tmp_path):
    root = make_repo(tmp_path / "repo")
    build, resume = start_paused(root, "rendering", "--drafts", "--jobs", "3")
    try:
        workers = pool_workers(build.pid)
        assert len(workers) == 2, workers
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)  # stopped while rendering: they never reach their exit hook
        os.kill(build.pid, signal.SIGTERM)  # a cancelled CI job: to the build only
    finally:
        os.close(resume)
    out, err = build.communicate(timeout=600)
    assert build.returncode == 143, out + err
    assert "Traceback" not in out + err
    assert not (root / "site").exists() and leftovers(root) == []
    no_stray(workers)
