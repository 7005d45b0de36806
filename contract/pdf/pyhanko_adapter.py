"""Every override of pyHanko's private behaviour, in one place (tests/test_pyhanko_adapter.py guards them).

pyHanko is pinned in pyproject.toml because of these: a new version may rename or change them.
"""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader, RawPdfPath

from .walk_log import Replay, WalkLog

if TYPE_CHECKING:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory


def overridden() -> dict[type, tuple[str, ...]]:
    """The private members overridden below, by class: the adapter test checks they still exist."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    return {IncrementalPdfFileWriter: ("_handle_id", "_update_meta"), GlyphAccumulatorFactory: ("create_font_engine",)}


class FieldWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, made reproducible: Typst's metadata kept, no random file ID."""

    @classmethod
    def _handle_id(cls, prev):
        first, second = (bytes(v.original_bytes) for v in prev.trailer["/ID"])
        derived = hashlib.sha256(first + second + b"klimatkontrakt signature fields").digest()[:16]
        return generic.ArrayObject([generic.ByteStringObject(first), generic.ByteStringObject(derived)])

    def _update_meta(self):
        """Keep the document info and XMP exactly as Typst wrote them (no clock, still in agreement)."""


class KeepMetadataWriter(IncrementalPdfFileWriter):
    """An incremental writer that never touches the document info or XMP.

    A signature or a seal adds no metadata, so `verify` can require the metadata of every later
    revision to be the contract's own: any rewrite after the contract was made is tampering.
    """

    def _update_meta(self):
        """Leave the metadata as the contract PDF has it."""


def memory_font(name: str, font_size: int, font_bytes: bytes) -> GlyphAccumulatorFactory:
    """pyHanko's font engine factory for a font held in memory (it opens a file path otherwise).

    The stamp font never touches the file system: a font file in a shared folder could be replaced.
    """
    factory: GlyphAccumulatorFactory = _memory_font_factory()(name, font_size=font_size, font_bytes=font_bytes)
    return factory


@cache
def _memory_font_factory() -> Any:
    # Made on first use: pyHanko's font engine loads fontTools' subsetter (0.14 s of imports), which only signing
    # needs; the build, whose PDF workers use this module for the signature fields, does not.
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    @dataclass(frozen=True)
    class MemoryFontFactory(GlyphAccumulatorFactory):
        font_bytes: bytes = b""

        def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer, font_handle=io.BytesIO(self.font_bytes), font_size=self.font_size, obj_stream=obj_stream
            )

    return MemoryFontFactory


# pyHanko's HistoricalResolver._load_reverse_xref_cache, mirrored below: the adapter test checks its source is unchanged.
REVERSE_XREF_CACHE = (HistoricalResolver, "_load_reverse_xref_cache", "_indirect_object_access_cache")


def preload_reverse_xref_caches(reader: PdfFileReader, revisions: Iterable[int]) -> None:
    """Fill each revision's map of every object to the paths that reach it, as pyHanko would, without copying objects.

    pyHanko's change analysis needs this map for every signed revision and builds it by copying every
    object of the file into that revision's resolver (most of `verify`'s time). The walk below is
    pyHanko's own, step for step, but reads each object as that revision has it straight from the
    reader's shared cache: the same objects, so the same map (tests/test_pyhanko_adapter.py compares).
    A later revision repeats the earlier one's walk wherever nothing it passes changed in between (walk_log.py).
    """
    if reader.encrypted:
        return  # its objects must be decrypted through the resolver: pyHanko does it all itself
    changes: dict[tuple[int, int], int | None] = {}  # an object's last revision is the same seen from any revision
    earlier: _Mapped | None = None
    for revision in sorted(set(revisions)):
        resolver = reader.get_historical_resolver(revision)
        if resolver._indirect_object_access_cache is not None:
            continue
        since = _Since(earlier, _changed(reader, earlier.revision, revision)) if earlier is not None else None
        try:
            mapped = _reverse_xref_cache(resolver, _revision_fetcher(resolver, changes), since)
        except Exception:  # left to pyHanko: it fails the same way, inside the validation of a signature
            continue
        resolver._indirect_object_access_cache, earlier = mapped.usages, mapped


def _changed(reader: PdfFileReader, since: int, until: int) -> frozenset[int]:
    """Return the object numbers written or freed by the revisions after `since` up to `until`.

    Any other object reads the same in both revisions: it has the same cross-reference entry, and an
    entry into an object stream is read from that stream's latest version whatever the revision.
    """
    found: set[int] = set()
    for revision in range(since + 1, until + 1):
        found |= {ref.idnum for ref in reader.xrefs.explicit_refs_in_revision(revision)}
        found |= set(reader.xrefs.get_xref_data(revision).freed)
    return frozenset(found)


def _reverse_xref_cache(resolver: HistoricalResolver, fetch, since: _Since | None) -> _Mapped:
    trees, replay = _trees(resolver, fetch, since), None
    # The walk's turns depend on the trees too: with other trees, the earlier walk tells nothing.
    if since is not None and (trees.pages, trees.structs) == (since.earlier.trees.pages, since.earlier.trees.structs):
        replay = Replay(since.earlier.log, since.changed)
    collected: dict[tuple[int, int], set[tuple]] = defaultdict(set)
    walk = _Walk(fetch, trees.pages, trees.structs, collected, WalkLog(), replay)
    _paths_to_refs(resolver.trailer_view, (), (), False, walk)
    usages = _Usages(
        {generic.Reference(idnum, generation, resolver): paths for (idnum, generation), paths in collected.items()}
    )
    return _Mapped(resolver.revision, trees, walk.log, usages)


@dataclass(frozen=True)
class _Trees:
    """A revision's page tree nodes (key -> the path through the tree) and structure elements, and what was read."""

    roots: tuple | None  # the catalogue's /Pages and /StructTreeRoot references (None: not both references or absent)
    pages: dict[tuple[int, int], tuple]
    structs: set[tuple[int, int]]
    read: frozenset[int]  # the object numbers read to find them


def _tree_roots(resolver: HistoricalResolver) -> tuple | None:
    """Return the catalogue's /Pages and /StructTreeRoot as keys ("absent" when missing), None when one is direct."""
    found = []
    for name in ("/Pages", "/StructTreeRoot"):
        value = resolver.root.raw_get(name) if name in resolver.root else "absent"
        if isinstance(value, generic.IndirectObject):
            value = _key(value.reference)
        elif value != "absent":
            return None  # a direct tree root changes with the catalogue: found anew
        found.append(value)
    return tuple(found)


def _trees(resolver: HistoricalResolver, fetch, since: _Since | None) -> _Trees:
    """Find the page tree and the structure tree, or take the earlier revision's where nothing read for them changed."""
    roots = _tree_roots(resolver)
    if since is not None and roots is not None and roots == since.earlier.trees.roots:
        if since.earlier.trees.read.isdisjoint(since.changed):
            return since.earlier.trees
    read: set[int] = set()

    def reading(ref: generic.Reference) -> generic.PdfObject:
        read.add(ref.idnum)
        return fetch(ref)

    pages, structs = _page_tree_paths(resolver, reading), set[tuple[int, int]]()
    try:
        struct_root = _deref(resolver.root.raw_get("/StructTreeRoot"), reading)
        for ref in _struct_tree_refs(struct_root, reading):
            if _key(ref) in structs:
                raise PdfReadError("Circular reference in structure tree in mapping stage")
            structs.add(_key(ref))
    except KeyError:
        pass
    return _Trees(roots, pages, structs, frozenset(read))


class _Usages(dict):
    """The map pyHanko keeps (reference -> set of RawPdfPath), each set made when pyHanko first asks for it.

    pyHanko reads only the entries of the objects a later revision changes: building every set up
    front would cost a fifth of the walk.
    """

    def __getitem__(self, ref):
        paths = dict.__getitem__(self, ref)
        if not isinstance(paths, _PathSet):
            paths = _PathSet(RawPdfPath(*p) for p in paths)
            dict.__setitem__(self, ref, paths)
        return paths

    def get(self, ref, default=None):
        return self[ref] if ref in self else default

    def values(self):
        return [self[ref] for ref in self]

    def items(self):
        return [(ref, self[ref]) for ref in self]


class _PathSet(set):
    """A set of RawPdfPath made from the walk's tuples."""


def _key(ref: generic.Reference) -> tuple[int, int]:
    return ref.idnum, ref.generation


def _revision_fetcher(resolver: HistoricalResolver, changes: dict) -> Callable[[generic.Reference], generic.PdfObject]:
    """Return a function reading an object as `resolver`'s revision has it (HistoricalResolver.get_object, uncopied)."""
    reader, revision = resolver.reader, resolver.revision
    seen = {_key(ref): obj for ref, obj in resolver.cache.items()}

    def fetch(ref: generic.Reference) -> generic.PdfObject:
        key = _key(ref)
        try:
            return seen[key]
        except KeyError:
            pass
        if key not in changes:
            try:
                changes[key] = reader.xrefs.get_last_change(ref)
            except KeyError:
                changes[key] = None
        last_change = changes[key]
        if last_change is not None and last_change <= revision:
            obj = reader.get_object(ref, transparent_decrypt=False)
        else:
            obj = reader.get_object(ref, revision, transparent_decrypt=False)
        seen[key] = obj
        return obj

    return fetch


def _deref(obj, fetch):
    """PdfObject.get_object() in the revision: an indirect object is read, anything else is itself."""
    return fetch(obj.reference) if isinstance(obj, generic.IndirectObject) else obj


def _item(obj: generic.DictionaryObject, key: str, fetch):
    """DictionaryObject.__getitem__ in the revision: dereferenced, and a null value is a missing key."""
    found = _deref(dict.__getitem__(obj, key), fetch)
    if isinstance(found, generic.NullObject):
        raise KeyError(key)
    return found


def _page_tree_paths(resolver: HistoricalResolver, fetch) -> dict[tuple[int, int], tuple]:
    pages_ref = resolver.root.raw_get("/Pages")
    pages_path = ("/Root", "/Pages")
    nodes = {}
    if isinstance(pages_ref, generic.IndirectObject):
        nodes[_key(pages_ref.reference)] = pages_path
    for ref, path in _page_tree_refs(_deref(pages_ref, fetch), pages_path, fetch):
        if _key(ref) in nodes:
            raise PdfReadError("Circular reference in page tree in mapping stage")
        nodes[_key(ref)] = path
    return nodes


def _page_tree_refs(pages_obj, path, fetch):
    for ix, kid in enumerate(_item(pages_obj, "/Kids", fetch)):
        kid_path = (*path, "/Kids", ix)
        if isinstance(kid, generic.IndirectObject):
            yield kid.reference, kid_path
        kid = _deref(kid, fetch)
        if kid.get("/Type", None) == "/Pages":
            yield from _page_tree_refs(kid, kid_path, fetch)


def _struct_tree_refs(struct_elem, fetch):
    try:
        children = _item(struct_elem, "/K", fetch)
    except KeyError:
        return
    if not isinstance(children, generic.ArrayObject):
        children = (children,)
    for child in children:
        child_ref = None
        if isinstance(child, generic.IndirectObject):
            child_ref = child.reference
            child = _deref(child, fetch)
        if not isinstance(child, generic.DictionaryObject):
            continue
        try:
            if _item(child, "/Type", fetch) != "/StructElem":
                continue
        except KeyError:
            pass
        if child_ref is not None:
            yield child_ref
        yield from _struct_tree_refs(child, fetch)


@dataclass(frozen=True)
class _Since:
    """An earlier revision's mapping, and the objects changed since: what a later mapping may take from it."""

    earlier: _Mapped
    changed: frozenset[int]


@dataclass(frozen=True)
class _Mapped:
    """What mapping one revision found."""

    revision: int
    trees: _Trees
    log: WalkLog
    usages: _Usages


@dataclass(frozen=True)
class _Walk:
    """What stays the same during one walk: the reader, the page and structure tree nodes, what was found,
    the record of this walk and the earlier revision's walk it may repeat."""

    fetch: Callable[[generic.Reference], generic.PdfObject]
    pages: dict
    structs: set
    collected: dict
    log: WalkLog
    replay: Replay | None


# Only these lead to further references: pyHanko's walk visits other values too, and does nothing with them.
_CONTAINERS = (generic.IndirectObject, generic.DictionaryObject, generic.ArrayObject)
_STRUCT_TREE = ("/Root", "/StructTreeRoot")


def _paths_to_refs(obj, path: tuple, seen: tuple, is_struct_tree: bool, walk: _Walk) -> None:
    """pyHanko's _compute_paths_to_refs, with a path as a tuple from the trailer instead of a reversed ConsList.

    Each arrival at a reference is recorded; where the earlier revision's walk made the same arrival and
    nothing it then reached has changed, what it found is copied instead of walked again.
    """
    if isinstance(obj, generic.IndirectObject):
        key = obj.idnum, obj.generation  # a Reference's identity: its handler is not compared
        if key in seen:
            return
        walk.collected[key].add(path)
        index = walk.log.arrive(key, path, seen)
        # is_struct_tree follows from the path (it starts with /Root /StructTreeRoot /K): no need to compare it
        if walk.replay is not None and walk.replay.repeat(key, path, seen, walk.log, walk.collected):
            walk.log.ends[index] = len(walk.log.keys)
            return
        seen = (*seen, key)
        obj = walk.fetch(obj.reference)
        if path != walk.pages.get(key, path):
            return  # a page tree node is entered only through the tree itself
        if not is_struct_tree and key in walk.structs:
            return
        _contents_to_refs(obj, path, seen, is_struct_tree, walk)
        walk.log.ends[index] = len(walk.log.keys)
    else:
        _contents_to_refs(obj, path, seen, is_struct_tree, walk)


def _contents_to_refs(obj, path: tuple, seen: tuple, is_struct_tree: bool, walk: _Walk) -> None:
    if isinstance(obj, generic.DictionaryObject):
        at_struct_root = path == _STRUCT_TREE
        for k, v in obj.items():
            if k == "/Parent" or (is_struct_tree and k == "/P") or not isinstance(v, _CONTAINERS):
                continue
            _paths_to_refs(v, (*path, k), seen, is_struct_tree or (at_struct_root and k == "/K"), walk)
    elif isinstance(obj, generic.ArrayObject):
        for ix, v in enumerate(obj):
            if isinstance(v, _CONTAINERS):
                _paths_to_refs(v, (*path, ix), seen, is_struct_tree, walk)
