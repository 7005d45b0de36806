"""Pagefind: each language's built site indexed for search, while the next language builds."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

from ..errors import ContractError, Diagnostic
from ..model import Pos

# Text Pagefind leaves out of the index: the contents list, permalink signs, footnote back-links, notes.
SEARCH_EXCLUDE = ".kk-contents, .headerlink, .footnote-backref, .kk-translation-note, .kk-section-lang"


def index_search(site_dir: Path) -> None:
    """Index one language's built site with Pagefind into site_dir/pagefind/."""
    finish_index(start_index(site_dir), site_dir)


def start_index(site_dir: Path) -> subprocess.Popen:
    """Start Pagefind on one language's built site; it runs while the next language builds."""
    command = [
        *_pagefind(),
        "--site",
        str(site_dir),
        "--output-subdir",
        "pagefind",
        "--exclude-selectors",
        SEARCH_EXCLUDE,
        "--quiet",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_index(process: subprocess.Popen, site_dir: Path) -> None:
    """Wait for Pagefind; raise ContractError with what it said if it failed."""
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise ContractError(
            [
                Diagnostic(
                    Pos(str(site_dir)),
                    "error",
                    f"Pagefind could not index the site: {stderr.strip()}",
                    "install it with: pip install 'pagefind[bin]'",
                    "site-search",
                )
            ]
        )


@functools.cache
def _pagefind() -> tuple[str, ...]:
    """Return the command that runs Pagefind: its binary from the pagefind-bin wheel, found once per process.

    Run directly, not through `python -m pagefind`, which starts a Python only to find and exec the same binary.
    That wrapper is still used where the wheel is missing or PAGEFIND_BINARY_PATH names another binary.
    """
    if not os.environ.get("PAGEFIND_BINARY_PATH"):
        try:
            from pagefind_bin import get_executable

            return (str(get_executable()),)
        except (ImportError, FileNotFoundError):
            pass
    return (sys.executable, "-m", "pagefind")
