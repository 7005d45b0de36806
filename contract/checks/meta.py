"""Checks of a version's own details: its folder's name, the version it follows, its dates."""

from __future__ import annotations

import datetime

from .. import ids
from ..errors import Report, excerpt
from ..model import Contract, Pos


def at(pos: Pos | None, contract: Contract) -> Pos:
    """Return where a part is written; a part built without a position (not loaded from YAML) points at the folder."""
    return pos or Pos(contract.folder)


def check_meta(contract: Contract, report: Report) -> None:
    meta, folder = contract.meta, contract.folder
    name = folder.rsplit("/", 1)[-1]
    if not ids.is_version_name(name):
        hint = (
            f"rename the folder to years/{meta.version}, the version its contract.yaml names"
            if ids.is_version_name(meta.version)
            else "rename the folder to the version's four-digit year, such as years/2024"
        )
        report.error(Pos(folder), f"the folder name {excerpt(name)} is not a version name", hint, "version-name")
    elif meta.version != name:
        report.error(
            at(meta.pos, contract),
            f"the folder is named {name!r} but contract.yaml says version {meta.version!r}",
            f'make them agree: rename the folder to years/{meta.version} or set version: "{name}"',
            "version-mismatch",
        )
    if meta.previous and meta.previous >= meta.version:  # both four digits (the schema): the order is the years'
        message = f"previous: {excerpt(meta.previous)} is not a version before {excerpt(meta.version)}"
        hint = "name the version this one replaces, such as the year before; leave it empty for the first"
        report.error(at(meta.previous_pos or meta.pos, contract), message, hint, "bad-previous")
    if meta.status == "signed" and not meta.signed_on:
        report.error(
            at(meta.pos, contract),
            "a signed version needs its signing date",
            "add signed_on: YYYY-MM-DD",
            "missing-signed-on",
        )
    dates = [("signed_on", meta.signed_on, meta.pos)] + [("errata date", e.date, e.pos) for e in meta.errata]
    for what, value, pos in dates:
        if value and not _is_date(value):
            report.error(
                at(pos, contract),
                f"{what} {value!r} is not a date in the calendar",
                "write a real date as YYYY-MM-DD",
                "bad-date",
            )
    signed = str(meta.signed_on or "")
    if _is_date(signed) and meta.valid_for.isdigit() and signed[:4] > meta.valid_for:
        # Without the clock (a check reads only the contract): a version is signed before the year it applies to ends.
        report.error(
            at(meta.pos, contract),
            f"signed_on {signed} is after {meta.valid_for}, the year version {meta.version} applies to (valid_for)",
            "check the year of the signing date",
            "bad-date",
        )


def _is_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True
