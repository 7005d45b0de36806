"""A section's timeline follows a renamed id forwards and backwards through the versions."""

from __future__ import annotations

from dataclasses import replace

import pytest
from diff_cases.edit import Copy, map_section

from contract.diff.history import timeline
from contract.model import Contract

OLD, NEW = "smart-policyutveckling", "smart-policy"


@pytest.fixture(scope="module")
def contracts(tmp_path_factory) -> dict[str, Contract]:
    """Version 2023, then two later versions in which one section's id is renamed (its text unchanged)."""
    base = Copy(tmp_path_factory.mktemp("base") / "root").load()
    renamed = map_section(base, OLD, lambda s: replace(s, id=NEW))
    later = {v: replace(renamed, meta=replace(renamed.meta, version=v, previous=None)) for v in ("2024", "2025")}
    return {"2023": base, **later}


def test_an_old_id_is_followed_forwards_under_its_new_name(contracts):
    steps = timeline(contracts, OLD)
    assert [(s.version, s.present, s.id, s.old_id) for s in steps] == [
        ("2023", True, OLD, None),
        ("2024", True, NEW, OLD),
        ("2025", True, NEW, None),
    ]


def test_a_new_id_is_followed_backwards_to_its_old_name(contracts):
    assert [s.id for s in timeline(contracts, NEW)] == [OLD, NEW, NEW]


def test_an_id_in_no_version_has_no_steps_present(contracts):
    assert [s.present for s in timeline(contracts, "no-such-section")] == [False, False, False]


def test_a_previous_skipping_a_version_of_the_archive_is_a_warning_at_its_value(repo_copy):
    """2024 naming 2022 beside a 2023 follows no archived version: validate says where, and what to write."""
    import shutil
    from pathlib import Path

    from contract.checks.validate import validate

    shutil.copytree(Path(__file__).resolve().parents[1] / "years" / "2024", repo_copy / "years" / "2024")
    contract_yaml = repo_copy / "years" / "2024" / "contract.yaml"
    text = contract_yaml.read_text(encoding="utf-8")
    contract_yaml.write_text(text.replace("previous: '2023'", "previous: '2022'"), encoding="utf-8")
    report, _ = validate(repo_copy)
    found = [d for d in report.items if d.code == "previous-not-in-archive" and d.severity == "warning"]
    assert [(d.pos.line, "previous: '2023'" in d.hint) for d in found] == [(6, True)]
    assert str(found[0].pos.file).endswith("years/2024/contract.yaml")
    assert not [d for d in validate(repo_copy, ["2023"])[0].items if d.code == "previous-not-in-archive"]
