"""The address the site is published at: the build's --site-url, else mkdocs.yml's site_url, else unknown.

Only what needs the address uses it: the root 404.html, which the host serves at any missing path, so its links
must name the site's path ("/<repo>/" for a GitHub Pages project site), and MkDocs' canonical links.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from ..errors import ContractError, Diagnostic
from ..model import Pos

# An http(s) address of letters, digits and the few signs a host or a folder name needs: nothing to escape in HTML.
# A host is dot-separated labels that neither start nor end with "-" (a final dot is allowed); "%" only as an escape.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_URL = re.compile(
    rf"https?://{_LABEL}(?:\.{_LABEL})*\.?(?::[0-9]{{1,5}})?(?:/(?:[A-Za-z0-9._~+-]|%[0-9A-Fa-f]{{2}})*)*"
)
# Escapes a browser decodes before it resolves the path, or that make a folder no host serves.
_ESCAPED = re.compile(r"%(?:2[eEfF]|5[cC]|[01][0-9A-Fa-f]|7[fF])")
EXAMPLE = "https://example.org/klimatkontrakt/"


def normalise(text: str) -> str:
    """Return the site's address ending in "/"; raise ValueError saying what is wrong with anything else."""
    port = re.search(r":([0-9]+)(?:/|$)", text.split("//", 1)[-1])
    if not _URL.fullmatch(text) or (port is not None and not 0 < int(port.group(1)) < 65536):
        raise ValueError(
            f"{text!r} is not the address of a site: give an http(s) address of letters, digits and . _ ~ % + -"
            f" such as {EXAMPLE}, without spaces, quotes, a query (?) or a fragment (#)"
        )
    segments = urllib.parse.urlsplit(text).path.split("/")
    if any(s in (".", "..") for s in segments) or "" in segments[1:-1] or _ESCAPED.search(text):
        raise ValueError(
            f"{text!r} has an empty, '.' or '..' folder in its path, or an escaped dot, slash or control character:"
            f" give the site's folder, such as {EXAMPLE}"
        )
    return text if text.endswith("/") else text + "/"


def base_path(url: str | None) -> str | None:
    """Return the path part of a normalised site address ("/" or "/klimatkontrakt/"), None when it is unknown."""
    return (urllib.parse.urlsplit(url).path or "/") if url else None


def published_url(config: Path, given: str | None = None) -> str | None:
    """Return the site's address: given (checked), else the site_url of the MkDocs configuration, else None."""
    if given is not None:
        return _checked(given, Pos("--site-url"))
    try:
        data = YAML(typ="rt").load(config.read_text(encoding="utf-8"))
    except YAMLError:
        return None  # MkDocs reports a broken configuration itself, with its position
    if not isinstance(data, CommentedMap) or data.get("site_url") in (None, ""):
        return None
    line, column = data.lc.value("site_url")
    value = data["site_url"]
    return _checked(value if isinstance(value, str) else repr(value), Pos(str(config), line + 1, column + 1))


def _checked(text: str, pos: Pos) -> str:
    try:
        return normalise(text)
    except ValueError as exc:
        raise ContractError(
            [
                Diagnostic(
                    pos,
                    "error",
                    f"site_url: {exc}",
                    "correct it, or remove it: the site works without an address",
                    "site-url",
                )
            ]
        ) from None
