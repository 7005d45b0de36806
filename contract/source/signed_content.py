"""A version's signed content as signed.lock records it, and one fingerprint of it that each contract PDF carries.

Here, below the loader, so that the model knows the fingerprint of the files it was read from (the PDF's keywords
name it) and `lock --pdf` can compare a signed PDF's with the repository's without rendering anything.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

_TRANSLATION_KEY = re.compile(r"^(?:note_)?[a-z]{2,3}$")
SIGNED_BEFORE_CONFIG = "sv"  # the language of every version signed before klimatkontrakt.yaml named a source


def canonical(data: Any, language: str = SIGNED_BEFORE_CONFIG) -> Any:
    """Return the locked content of parsed YAML in the language signed: its translations, translators' notes and
    the parties' certificate identities left out; errata kept (only the tool adds them)."""
    if isinstance(data, dict):
        # A text's translations and notes, in any other language: not signed content.
        skip = {k for k in data if k != language and _TRANSLATION_KEY.match(str(k))} if language in data else set()
        skip |= {"certificate_subject"}  # locked apart (contract_parts): 2023's files were hashed before it existed
        return {str(k): canonical(v, language) for k, v in data.items() if k not in skip}
    if isinstance(data, list):
        return [canonical(item, language) for item in data]
    return data


def digest(content: Any) -> str:
    """Return the sha256 of content as canonical JSON."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# What no erratum changes: which version it is, for which year, its status and signing date, what it follows, and
# who signs it with which certificate identity.
FIXED = ("version", "valid_for", "status", "signed_on", "previous", "municipality")


def fixed_details(data: Any) -> dict[str, Any]:
    """Return what in contract.yaml no erratum may change (FIXED, and each party's id and certificate identity)."""
    data = data if isinstance(data, dict) else {}
    parties = data.get("parties") if isinstance(data.get("parties"), list) else []
    return {
        **{key: data.get(key) for key in FIXED},
        "parties": [
            {"id": p.get("id"), "certificate_subject": p.get("certificate_subject")} if isinstance(p, dict) else p
            for p in parties
        ],
    }


def fingerprint(files: dict[str, str], details: str) -> str:
    """Return one hash of a version's signed content: each file's content hash and contract.yaml's fixed details."""
    listed = "".join(f"{name} {value}\n" for name, value in sorted(files.items())) + f"details {details}\n"
    return "sha256:" + hashlib.sha256(listed.encode("utf-8")).hexdigest()


def of_files(data: dict[str, Any], language: str) -> str:
    """Return the fingerprint of a version's parsed files (name -> data) in the language signed."""
    files = {name: digest(canonical(value, language)) for name, value in data.items()}
    return fingerprint(files, digest(fixed_details(data.get("contract.yaml"))))
