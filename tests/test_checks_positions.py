"""The cross-checks on a contract built without source positions (not loaded from YAML)."""

from __future__ import annotations

from contract.checks.rules import check
from contract.errors import Report
from contract.model import Contract, Meta, Pos, Text


def test_a_contract_without_positions_is_reported_at_its_folder() -> None:
    meta = Meta(version="2023", valid_for="2023", status="signed", municipality="nobody", title=Text("title", "Titel"))
    contract = Contract(meta=meta, parties=(), preamble=(), sections=(), annex=None, folder="years/2023")
    report = Report()
    check(contract, report)
    codes = {d.code for d in report.sorted()}
    assert {"missing-signed-on", "unknown-party", "municipality-count"} <= codes
    assert {d.pos for d in report.items} == {Pos("years/2023")}
