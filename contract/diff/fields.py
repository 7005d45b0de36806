"""Compare metadata, parties and signatories field by field."""

from __future__ import annotations

from ..model import Contract, Party, Text
from .changeset import FieldChange
from .tokens import normalise

META_FIELDS = ("version", "valid_for", "status", "signed_on", "previous", "municipality")


def compare(old: Contract, new: Contract) -> tuple[FieldChange, ...]:
    """Return every changed field of the metadata and the parties, in a fixed order."""
    changes = [
        FieldChange("meta", name, _str(getattr(old.meta, name)), _str(getattr(new.meta, name))) for name in META_FIELDS
    ]
    changes += _texts("meta", "title", old.meta.title, new.meta.title)
    changes += _parties(old.parties, new.parties)
    return tuple(c for c in changes if _differs(c.old, c.new))


def _names(party: Party) -> tuple[str, str]:
    return party.name.sv, party.name.shown("en")[0] or party.name.sv


def _parties(old: tuple[Party, ...], new: tuple[Party, ...]) -> list[FieldChange]:
    before = {p.id: p for p in old}
    after = {p.id: p for p in new}
    changes = []
    for party in old:
        if party.id not in after:
            changes.append(FieldChange(f"party:{party.id}", "party", party.name.sv, None, _names(party)))
    for party in new:
        if party.id not in before:
            changes.append(FieldChange(f"party:{party.id}", "party", None, party.name.sv, _names(party)))
        else:
            changes += _party(before[party.id], party)
    return changes


def _party(old: Party, new: Party) -> list[FieldChange]:
    scope, names = f"party:{new.id}", _names(new)
    changes = [FieldChange(scope, "kind", old.kind, new.kind, names)]
    changes += _texts(scope, "name", old.name, new.name, names)
    changes.append(FieldChange(scope, "signatory.name", old.signatory.name, new.signatory.name, names))
    changes += _texts(scope, "signatory.role", old.signatory.role, new.signatory.role, names)
    return changes


def _texts(
    scope: str, name: str, old: Text | None, new: Text | None, names: tuple[str, str] = ("", "")
) -> list[FieldChange]:
    return [FieldChange(scope, f"{name}.{lang}", _get(old, lang), _get(new, lang), names) for lang in ("sv", "en")]


def _get(text: Text | None, lang: str) -> str | None:
    return None if text is None else text.get(lang)


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _differs(old: str | None, new: str | None) -> bool:
    if old is None or new is None:
        return old != new
    return normalise(old) != normalise(new)
