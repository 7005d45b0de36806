"""The site never compares versions with different source languages: the history and compare pages refuse them.

One klimatkontrakt.yaml gives every version of a working tree the same source (and a signed version keeps the
language it was signed in), so the mixed set is made in the model, as a caller of the build's API could pass it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from diff_cases.edit import Copy

from contract.build.changes import ChangeSets
from contract.build.redlines import compare_redlines
from contract.build.site import build_site
from contract.diff.history import all_timelines, changesets, source_switches
from contract.errors import ContractError
from contract.model import Contract

MESSAGE = (
    "version 2023 has Swedish (sv) as its source language and version 2024 English (en): the history and compare "
    "pages would compare one with the other word by word"
)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> dict[str, Contract]:
    """Version 2023 with Swedish as its source, and a 2024 following it that says English is its source."""
    base = Copy(tmp_path_factory.mktemp("mixed") / "root").load()
    english = replace(base, meta=replace(base.meta, version="2024", previous="2023"), languages=("en", "sv"))
    return {"2023": base, "2024": english}


def _refusal(call) -> str:
    with pytest.raises(ContractError) as caught:
        call()
    (diagnostic,) = caught.value.diagnostics
    return str(diagnostic)


def test_the_older_version_is_named_at_its_contract_file(mixed):
    (diagnostic,) = source_switches(mixed)
    assert diagnostic.pos.file == "years/2023/contract.yaml" and diagnostic.pos.line > 0
    assert diagnostic.message == MESSAGE and diagnostic.code == "source-language-switch"
    assert source_switches({"2023": mixed["2023"]}) == []


def test_history_compare_pages_and_the_build_refuse_the_pair(mixed, tmp_path):
    assert MESSAGE in _refusal(lambda: all_timelines(mixed))
    assert MESSAGE in _refusal(lambda: changesets(mixed))
    assert MESSAGE in _refusal(lambda: ChangeSets().between(mixed["2023"], mixed["2024"]))
    assert MESSAGE in _refusal(lambda: compare_redlines(mixed, ("sv",)))
    out = tmp_path / "site"
    assert MESSAGE in _refusal(lambda: build_site(Path(tmp_path), mixed, out, drafts=True, planned=True))
    assert not out.exists()  # refused before anything was written


def test_versions_with_one_source_are_compared_as_before(mixed):
    same = {"2023": mixed["2023"], "2024": replace(mixed["2024"], languages=mixed["2023"].languages)}
    assert source_switches(same) == []
    assert set(changesets(same)) == {"2024"}
