"""The address the site is published at: the build's --site-url, else mkdocs.yml's site_url, else unknown.

Only what needs the address uses it: the root 404.html, which the host serves at any missing path, so its links
must name the site's path ("/<repo>/" for a GitHub Pages project site), and MkDocs' canonical links.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ContractError, Diagnostic
from ..model import Pos

# An http(s) address of letters, digits and the few signs a host or a folder name needs: nothing to escape in HTML.
# A host is dot-separated labels that neither start nor end with "-" (a final dot is allowed); "%" only as an escape.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"  # at most 63 characters, as DNS allows
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
        node = YAML(typ="rt").compose(config.read_text(encoding="utf-8"))
    except (YAMLError, RecursionError, UnicodeDecodeError):  # nested too deep for the reader, or not UTF-8
        return None  # the site's build reports a broken configuration (site.theme_for), with its position
    found = _site_url_node(node)
    if found is None or (isinstance(found, ScalarNode) and (found.value == "" or (found.tag or "").endswith(":null"))):
        return None
    value = found.value if isinstance(found, ScalarNode) else f"<a YAML {getattr(found, 'id', 'node')}>"
    return _checked(value, Pos(str(config), found.start_mark.line + 1, found.start_mark.column + 1))


def _site_url_node(node: Node | None) -> Node | None:
    """Return the value of site_url as MkDocs (PyYAML) reads it: the last of duplicate keys, else a merged one (<<)."""
    if not isinstance(node, MappingNode):
        return None
    own = [value for key, value in node.value if isinstance(key, ScalarNode) and key.value == "site_url"]
    if own:
        return own[-1]
    for key, value in node.value:
        if isinstance(key, ScalarNode) and (key.tag or "").endswith(":merge"):
            for merged in value.value if isinstance(value, SequenceNode) else [value]:
                found = _site_url_node(merged)
                if found is not None:  # the first mapping that has it wins
                    return found
    return None


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
