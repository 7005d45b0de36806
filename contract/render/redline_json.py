"""A ChangeSet as the structure documented in schema/changeset.schema.json."""

from __future__ import annotations

from ..diff.changeset import BlockChange, ChangeSet, FieldChange, Redline, SectionChange, Segment
from .redline import FORMAT


def to_json(cs: ChangeSet) -> dict:
    """Return the change set as the structure documented in schema/changeset.schema.json."""
    return {
        "format": FORMAT,
        "old": {"label": cs.old_label, "version": cs.old_version},
        "new": {"label": cs.new_label, "version": cs.new_version},
        "counts": cs.counts(),
        "terms": [{"lang": t.lang, "old": t.old, "new": t.new, "count": t.count} for t in cs.terms],
        "fields": [_json_field(f) for f in cs.fields],
        "sections": [_json_section(s) for s in cs.sections],
    }


def _json_field(change: FieldChange) -> dict:
    names = dict(change.names) if change.scope != "meta" else None
    return {"scope": change.scope, "field": change.field, "old": change.old, "new": change.new, "party": names}


def _json_section(change: SectionChange) -> dict:
    return {
        "id": change.id,
        "old_id": change.old_id,
        "new_id": change.new_id,
        "old_number": change.old_number,
        "new_number": change.new_number,
        "depth": change.depth,
        "numbered": change.numbered,
        "kinds": list(change.kinds),
        "match": change.match,
        "score": change.score,
        "split_from": list(change.split_from),
        "split_into": list(change.split_into),
        "merged_from": list(change.merged_from),
        "merged_into": list(change.merged_into),
        "references": [{"target": r.target, "old": r.old, "new": r.new} for r in change.references],
        "flags": [
            {"code": f.code, "target": f.target, "number": f.number, "lang": f.lang, "source": f.source}
            for f in change.flags
        ],
        "title": {lang: _json_line(line) for lang, line in change.title.items()},
        "blocks": [_json_block(b) for b in change.blocks],
    }


def _json_block(block: BlockChange) -> dict:
    return {
        "kind": block.kind,
        "status": block.status,
        "group": block.group,
        "label": block.label,
        **{lang: _json_line(line) for lang, line in block.redlines.items()},
    }


def _json_line(line: Redline) -> dict:
    return {"stand_in": bool(line.stand_in), "segments": [_json_segment(s) for s in line.segments]}


def _json_segment(seg: Segment) -> dict:
    out = {"op": seg.op, "text": seg.text}
    for key in ("style", "url", "target", "was"):
        if getattr(seg, key):
            out[key] = getattr(seg, key)
    return out
