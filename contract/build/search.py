"""Pagefind: each language's built site indexed for search, while the next language builds."""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

from .. import interrupts
from ..errors import ContractError, Diagnostic
from ..model import Pos
from .children import die_with

# Text Pagefind leaves out of the index: the contents list, permalink signs, footnote back-links, notes.
SEARCH_EXCLUDE = ".kk-contents, .headerlink, .footnote-backref, .kk-translation-note, .kk-section-lang"
# Where Pagefind's program comes from, in the order the pagefind package looks (pagefind.service.get_executable).
WHEELS = ("pagefind_bin_extended", "pagefind_bin")
ON_PATH = ("pagefind_extended", "pagefind")
ENVIRONMENT = "PAGEFIND_BINARY_PATH"


def index_search(site_dir: Path) -> None:
    """Index one language's built site with Pagefind into site_dir/pagefind/."""
    process = start_index(site_dir)
    try:
        interrupts.check()
        finish_index(process, site_dir)
    finally:  # interrupted (serve's preview): Pagefind would go on writing into a folder the clean-up removes
        stop_index(process)


def start_index(site_dir: Path) -> subprocess.Popen:
    """Start Pagefind on one language's built site; it runs while the next language builds, and dies with the build."""
    found, origin = pagefind_program(os.environ.get(ENVIRONMENT) or None)
    program = _runnable(found, origin)
    command = [program, "--site", str(site_dir), "--output-subdir", "pagefind", "--exclude-selectors", SEARCH_EXCLUDE]
    started: list[subprocess.Popen] = []
    try:
        # A stop as Pagefind starts is raised by the caller's next check(), once the process is its to stop: raised
        # inside Popen, it left Pagefind writing into a folder the clean-up was removing. (Called as a library, the
        # stop is raised as the block ends: then the process is stopped here.)
        with interrupts.deferred():
            started.append(
                subprocess.Popen(
                    [*command, "--quiet"],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    preexec_fn=functools.partial(die_with, os.getpid()),
                )
            )
    except OSError as exc:  # not a program (a text file with its execute bit), or not for this machine
        raise _program_error(program, origin, f"cannot be run: {exc.strerror or exc}") from None
    except BaseException:
        for process in started:
            stop_index(process)
        raise
    return started[0]


def stop_index(process: subprocess.Popen) -> None:
    """Kill Pagefind if it still runs: a failed or interrupted build leaves no indexer running."""
    if process.poll() is None:
        process.kill()
        process.wait()


def finish_index(process: subprocess.Popen, site_dir: Path) -> None:
    """Wait for Pagefind; raise ContractError with what it said if it failed."""
    _, stderr = interrupts.waiting(lambda timeout: process.communicate(timeout=timeout), subprocess.TimeoutExpired)
    if process.returncode == 0:
        return
    said = stderr.strip()
    # It ran: installing it is not the fix. What it said is; or, if it said nothing, a damaged copy of it.
    reinstall = "reinstall it with: pip install --force-reinstall 'pagefind[bin]'"
    hint = f"fix what Pagefind says, or {reinstall}" if said else f"build again; if it fails again, {reinstall}"
    message = f"Pagefind could not index the site: {said or _how_it_ended(process.returncode)}"
    raise ContractError([Diagnostic(Pos(str(site_dir)), "error", message, hint, "site-search")])


def _how_it_ended(code: int) -> str:
    """Say how a process that failed ended: its exit code, or the signal that stopped it (a negative code)."""
    if code >= 0:
        return f"it exited with {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    return f"it was stopped by {name}"


@functools.lru_cache(maxsize=4)
def pagefind_program(named: str | None) -> tuple[str | None, str]:
    """Return Pagefind's program and where it was found; None when it is nowhere.

    named is PAGEFIND_BINARY_PATH. Otherwise the wheels' programs (the extended one first), then the PATH, as
    `python -m pagefind` looks: run directly, which saves starting a Python only to find and exec the program.
    """
    if named:
        return named, ENVIRONMENT
    for wheel in WHEELS:
        try:
            return str(importlib.import_module(wheel).get_executable()), wheel.replace("_", "-")
        except (ImportError, FileNotFoundError):  # not installed, or installed without its program
            continue
    found = next((path for path in map(shutil.which, ON_PATH) if path), None)
    return found, "PATH"


def _runnable(program: str | None, origin: str) -> str:
    """Return program; raise ContractError if it is missing, a folder, or not executable, before anything starts."""
    if program is None:
        message = "Pagefind, which makes the site's search index, is not installed"
        raise ContractError(
            [Diagnostic(None, "error", message, "install it with: pip install 'pagefind[bin]'", "site-search")]
        )
    if not os.path.exists(program):
        raise _program_error(program, origin, "does not exist")
    if os.path.isdir(program):
        raise _program_error(program, origin, "is a folder")
    if not os.access(program, os.X_OK):
        raise _program_error(program, origin, "cannot be run (it is not executable)")
    return program


def _program_error(program: str, origin: str, problem: str) -> ContractError:
    if origin == ENVIRONMENT:
        message = f"Pagefind's program, named by {ENVIRONMENT}, {problem}"
        hint = f"set {ENVIRONMENT} to Pagefind's program, or unset it to use the one installed with the project"
    else:
        message = f"Pagefind's program (from {origin}) {problem}"
        hint = "reinstall it with: pip install --force-reinstall 'pagefind[bin]'"
    return ContractError([Diagnostic(Pos(program), "error", message, hint, "site-search")])
