"""Compare metadata, parties and signatories field by field."""

from __future__ import annotations

import dataclasses

from ..model import Contract, Party, Text
from .changeset import FieldChange
from .tokens import normalise

META_FIELDS = ("version", "valid_for", "status", "signed_on", "previous", "municipality")


def compare(old: Contract, new: Contract) -> tuple[FieldChange, ...]:
    """Return every changed field of the metadata and the parties, in a fixed order."""
    changes = [
        FieldChange("meta", name, _str(getattr(old.meta, name)), _str(getattr(new.meta, name))) for name in META_FIELDS
    ]
    langs = new.languages
    changes += _texts("meta", "title", old.meta.title, new.meta.title, langs)
    changes += _parties(old.parties, new.parties, langs)
    return tuple(c for c in changes if _differs(c.old, c.new))


def _names(party: Party, langs: tuple[str, ...]) -> dict[str, str]:
    return {lang: party.name.shown(lang)[0] for lang in langs}


def _parties(old: tuple[Party, ...], new: tuple[Party, ...], langs: tuple[str, ...]) -> list[FieldChange]:
    before = {p.id: p for p in old}
    after = {p.id: p for p in new}
    changes = []
    for party in old:
        if party.id not in after:
            changes.append(FieldChange(f"party:{party.id}", "party", party.name.source, None, _names(party, langs)))
    for party in new:
        if party.id not in before:
            changes.append(FieldChange(f"party:{party.id}", "party", None, party.name.source, _names(party, langs)))
        else:
            changes += _party(before[party.id], party, langs)
    # Where a party's name shown is the source standing in for a translation: renderers mark its language.
    stand_ins = {p.id: _stand_ins(p, langs) for p in (*old, *new)}  # the new party's, as names takes it
    return [dataclasses.replace(c, stand_ins=stand_ins[c.scope.partition(":")[2]]) for c in changes]


def _stand_ins(party: Party, langs: tuple[str, ...]) -> dict[str, str]:
    return {lang: party.name.lang for lang in langs if party.name.shown(lang)[1]}


def _party(old: Party, new: Party, langs: tuple[str, ...]) -> list[FieldChange]:
    scope, names = f"party:{new.id}", _names(new, langs)
    changes = [FieldChange(scope, "kind", old.kind, new.kind, names)]
    changes += _texts(scope, "name", old.name, new.name, langs, names)
    changes.append(FieldChange(scope, "signatory.name", old.signatory.name, new.signatory.name, names))
    changes += _texts(scope, "signatory.role", old.signatory.role, new.signatory.role, langs, names)
    return changes


def _texts(
    scope: str,
    name: str,
    old: Text | None,
    new: Text | None,
    langs: tuple[str, ...],
    names: dict[str, str] | None = None,
) -> list[FieldChange]:
    return [FieldChange(scope, f"{name}.{lang}", _get(old, lang), _get(new, lang), names or {}) for lang in langs]


def _get(text: Text | None, lang: str) -> str | None:
    return None if text is None else text.get(lang)


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _differs(old: str | None, new: str | None) -> bool:
    if old is None or new is None:
        return old != new
    return normalise(old) != normalise(new)
