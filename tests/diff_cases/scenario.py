"""A scratch repository with version 2023 and an edited "2024" holding one of each kind of change.

The edits are made to copies in a temporary folder; their words are test data, not contract text.
"""

from __future__ import annotations

from pathlib import Path

from .edit import Copy, new_section

# What the edits must produce: (id, kinds) of every section the redline lists, in document order.
EXPECTED = [
    ("kommunens-klimatmal", ("modified",)),
    ("prioriterade-omraden", ()),  # its reference to klimatanpassning follows the renumbering
    ("klimatneutrala-boras-2030", ("renumbered",)),
    ("innovationsteamet-i-klimatneutrala-boras-2030", ("renumbered",)),
    ("kopplingen-mellan-ekonomi-och-klimat", ("renumbered",)),
    ("klimatvaxling", ("renumbered",)),
    ("utveckling-av-organisation-och-ledning", ("renumbered",)),
    ("klimatprat", ("moved",)),
    ("ny-plan", ("added",)),
    ("klimatanpassning", ("renumbered",)),
    ("integrering-av-klimatanpassning-i-kommunkoncernens-verksamhe", ("renumbered",)),
    ("klimatanpassning-i-den-fysiska-planeringen-och-befintlig-beb", ("renumbered",)),
    ("trygg-och-saker-teknisk-infrastruktur-i-ett-forandrat-klimat", ("renumbered",)),
    ("robust-och-saker-ledning-i-kris-orsakat-av-klimatforandringa", ("renumbered",)),
    ("klimatsmart-mobilitet", ("renumbered",)),
    ("styrdokument", ("renumbered",)),
    ("kollektivtrafikradet", ("renumbered",)),
    ("cykling", ("renumbered",)),
    ("elektrifiering", ("renumbered",)),
    ("rapportering-och-uppfoljning", ("renumbered",)),
    ("smart-policyutveckling", ("renamed",)),
    ("fribo-tar-ledningen", ("removed",)),
    ("s-2023-ars-kommunrankningar", ("renumbered",)),
    ("klimatneutrala-boras-2030-boras-stads-utatriktade-klimatarbe", ("renumbered",)),
    ("annex", ("modified",)),
]


def build(root: Path) -> tuple[Copy, Copy]:
    """Write years/2023 and an edited years/2024 under root; return both copies."""
    old = Copy(root)
    new = Copy(root, version="2024")
    new.replace("contract.yaml", "previous: '2022'", "previous: '2023'")
    new.replace("contract.yaml", "status: signed\nsigned_on: 2023-12-08\n", "status: draft\n")
    _edit_texts(new)
    _edit_structure(new)
    return old, new


def _edit_texts(new: Copy) -> None:
    new.replace(
        "municipality.yaml",
        "Kommunfullmäktige antog en energi- och klimatstrategi 2020",
        "Kommunfullmäktige beslutade om en energi- och klimatstrategi 2020",
    )
    file, data, section = new.section("smart-policyutveckling")
    section["title"]["sv"] = "Lärande arbetssätt för policyutveckling"
    section["title"]["en"] = "Learning ways of working for policy development"
    new.save(file, data)
    new.replace("annex.yaml", "sv: Miljöprogram - program (boras.se)", "sv: Miljöprogram 2023 - program (boras.se)")
    new.replace(
        "annex.yaml",
        "en: Environmental Programme - programme (boras.se)",
        "en: Environmental Programme 2023 - programme (boras.se)",
    )


def _edit_structure(new: Copy) -> None:
    file, data, chapter = new.section("kommunens-ataganden")
    ids = [s["id"] for s in chapter["sections"]]
    chapter["sections"].insert(
        ids.index("klimatanpassning"), new_section("ny-plan", "Ny plan", "Ett nytt avsnitt i testet.")
    )
    leadership = chapter["sections"][ids.index("organisation-och-ledning")]["sections"]
    talk = next(s for s in leadership if s["id"] == "klimatprat")
    leadership.remove(talk)
    leadership.append(talk)
    new.save(file, data)
    file, data, fribo = new.section("fribo-tar-ledningen")
    data["sections"][0]["sections"][0]["sections"].remove(fribo)
    new.save(file, data)
