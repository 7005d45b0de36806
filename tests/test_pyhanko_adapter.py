"""contract/pdf/pyhanko_adapter.py overrides private pyHanko behaviour: fail loudly when pyHanko changes it."""

from __future__ import annotations

import hashlib
import inspect
import io
from importlib import metadata

import attacks
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import XRefCache
from pypdf import PdfReader, PdfWriter

from contract.pdf import pyhanko_adapter

# The parameters each overridden member had when the adapter was written (pyHanko 0.38.0), without self/cls.
EXPECTED = {"_handle_id": ["prev"], "_update_meta": [], "create_font_engine": ["writer", "obj_stream"]}


def test_pyhanko_is_the_pinned_version():
    assert metadata.version("pyHanko") == "0.38.0", (
        "pyHanko changed: re-check contract/pdf/pyhanko_adapter.py, then the pin"
    )
    assert metadata.version("pyhanko-certvalidator") == "0.33.0"


def test_every_overridden_member_still_exists_with_the_same_parameters():
    for cls, names in pyhanko_adapter.overridden().items():
        for name in names:
            member = inspect.getattr_static(cls, name, None)
            assert member is not None, f"pyHanko's {cls.__name__}.{name} is gone: the adapter overrides nothing"
            function = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
            params = [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]
            assert params == EXPECTED[name], f"pyHanko's {cls.__name__}.{name} changed its parameters to {params}"


def _small_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Title": "T", "/ModDate": "D:20200101000000Z"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _updated(cls) -> dict:
    writer = cls(io.BytesIO(_small_pdf()), strict=False)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return dict(PdfReader(io.BytesIO(out.getvalue())).metadata or {})


def test_the_metadata_override_takes_effect():
    """pyHanko's own writer stamps a new modification date; ours leave the document info as it was."""
    assert _updated(IncrementalPdfFileWriter).get("/ModDate") != "D:20200101000000Z"
    assert _updated(pyhanko_adapter.KeepMetadataWriter).get("/ModDate") == "D:20200101000000Z"


# The pyHanko code preload_reverse_xref_caches mirrors or relies on, as in pyHanko 0.38.0 (sha256 of the source).
MIRRORED = {
    "_load_reverse_xref_cache": "7a0a27ccb00c0cc0958636117b9165df5be1fd2bed7805219ebc90650b499132",
    "_get_usages_of_ref": "c8b4e2bd7cb4b3fb9fb8cc2186d01b3c59a84a1d9b7095d3649ca76ebb3491d0",
    "get_object": "4d2b19e88804777eaafdae081007cfea443a0dab2819fc62b133309e60bf14da",
}


def test_the_mirrored_reverse_xref_walk_is_still_pyhankos():
    """The adapter repeats pyHanko's walk and fills its private cache: any change to them must be re-checked."""
    cls, _, attribute = pyhanko_adapter.REVERSE_XREF_CACHE
    for name, expected in MIRRORED.items():
        source = inspect.getsource(getattr(cls, name))
        found = hashlib.sha256(source.encode("utf-8")).hexdigest()
        assert found == expected, f"pyHanko's HistoricalResolver.{name} changed: re-check preload_reverse_xref_caches"
    assert attribute in inspect.getsource(cls.__init__), f"pyHanko's HistoricalResolver.{attribute} is gone"


# What a later revision's walk relies on to know what changed since an earlier one (sha256 of the source, 0.38.0).
RELIED_ON = {
    (XRefCache, "explicit_refs_in_revision"): "586c839917fb29cc2de67ec07ae76ba57eae2d7a67421510f533cbbac27968ae",
    (PdfFileReader, "_get_object_from_stream"): "985c7933a27ed6c9cbdaafc19f0134e0a28ad9f348965b6a812ca3dbb3a599db",
}


def test_what_tells_a_revisions_changes_is_still_pyhankos():
    """Every changed object is listed in its revision's section; an object stream is read in its latest version."""
    for (cls, name), expected in RELIED_ON.items():
        found = hashlib.sha256(inspect.getsource(getattr(cls, name)).encode("utf-8")).hexdigest()
        assert found == expected, f"pyHanko's {cls.__name__}.{name} changed: re-check pyhanko_adapter._changed"


def _graph_pdf() -> bytes:
    """A PDF whose object graph has what the walk special-cases: a nested page tree, links across pages,
    a structure tree (direct, indirect, single and null children, a non-element child, a parent tree),
    a cycle, a field with kids; then an update that changes some of it and adds more."""
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    inc = IncrementalPdfFileWriter(io.BytesIO(out.getvalue()), strict=False)
    n = generic.NameObject
    pages = [inc.find_page_for_modification(i)[0] for i in range(3)]
    link = inc.add_object(
        generic.DictionaryObject(
            {n("/Type"): n("/Annot"), n("/Subtype"): n("/Link"), n("/Dest"): generic.ArrayObject([pages[2], n("/Fit")])}
        )
    )
    page0 = pages[0].get_object()
    page0[n("/Annots")] = generic.ArrayObject([link])
    inc.update_container(page0)
    for page in pages[1:]:  # something reachable only through a page: entered from a link, it is not walked
        page.get_object()[n("/PieceInfo")] = inc.add_object(generic.DictionaryObject({n("/Private"): n("/Yes")}))
        inc.update_container(page.get_object())
    leaf = inc.add_object(
        generic.DictionaryObject({n("/Type"): n("/StructElem"), n("/S"): n("/P"), n("/K"): generic.NumberObject(0)})
    )
    inner = inc.add_object(generic.DictionaryObject({n("/S"): n("/Sect"), n("/K"): leaf, n("/Pg"): pages[1]}))
    objr = inc.add_object(generic.DictionaryObject({n("/Type"): n("/OBJR"), n("/Obj"): link}))
    empty = generic.DictionaryObject(
        {n("/Type"): n("/StructElem"), n("/S"): n("/Div"), n("/K"): generic.NullObject(), n("/P"): inner}
    )
    tree = inc.add_object(generic.DictionaryObject({n("/Type"): n("/StructTreeRoot")}))
    doc = inc.add_object(
        generic.DictionaryObject(
            {
                n("/Type"): n("/StructElem"),
                n("/S"): n("/Document"),
                n("/P"): tree,
                n("/K"): generic.ArrayObject([inner, objr, empty, generic.NumberObject(3)]),
            }
        )
    )
    tree.get_object()[n("/K")] = doc
    tree.get_object()[n("/ParentTree")] = generic.DictionaryObject(
        {n("/Nums"): generic.ArrayObject([generic.NumberObject(0), leaf, generic.NumberObject(1), inner])}
    )
    a = inc.add_object(generic.DictionaryObject({n("/Name"): n("/A")}))
    b = inc.add_object(generic.DictionaryObject({n("/Back"): a, n("/Page"): pages[1]}))
    a.get_object()[n("/Next")] = b
    kid = inc.add_object(generic.DictionaryObject({n("/T"): generic.TextStringObject("kid")}))
    field = inc.add_object(
        generic.DictionaryObject({n("/T"): generic.TextStringObject("f"), n("/Kids"): generic.ArrayObject([kid])})
    )
    kid.get_object()[n("/Parent")] = field
    inc.root[n("/StructTreeRoot")] = tree
    inc.root[n("/Cycle")] = a
    inc.root[n("/AcroForm")] = generic.DictionaryObject({n("/Fields"): generic.ArrayObject([field])})
    inc.update_root()
    first = io.BytesIO()
    inc.write(first)
    again = IncrementalPdfFileWriter(io.BytesIO(first.getvalue()), strict=False)
    moved = again.get_object(generic.Reference(b.idnum, b.generation, again.prev))
    back = generic.IndirectObject(a.idnum, a.generation, again)
    moved[n("/Extra")] = again.add_object(generic.DictionaryObject({n("/Back"): back}))
    again.update_container(moved)
    changed = again.get_object(generic.Reference(link.idnum, link.generation, again.prev))
    changed[n("/Dest")] = generic.ArrayObject([generic.IndirectObject(pages[1].idnum, 0, again), n("/Fit")])
    again.update_container(changed)
    second = io.BytesIO()
    again.write(second)
    return second.getvalue()


def _maps_agree(data: bytes, checked_from: int = 0) -> int:
    """Build every revision's map with the adapter and, from `checked_from` on, with pyHanko; return revisions.

    The adapter maps them all (a later map repeats parts of the earlier ones, as in verify); pyHanko's own maps,
    slow to make, only where another file with the same earlier revisions has not already shown them equal.
    """
    ours, theirs = (PdfFileReader(io.BytesIO(data), strict=False) for _ in range(2))
    total = ours.xrefs.total_revisions
    pyhanko_adapter.preload_reverse_xref_caches(ours, range(total))
    for revision in range(checked_from, total):
        theirs.get_historical_resolver(revision)._load_reverse_xref_cache()
        expected = theirs.get_historical_resolver(revision)._indirect_object_access_cache
        found = ours.get_historical_resolver(revision)._indirect_object_access_cache
        assert set(found) == set(expected), f"revision {revision}: other objects reached"
        for ref in expected:
            assert found[ref] == expected[ref], f"revision {revision}: other paths to {ref}"
            assert ours.get_historical_resolver(revision)._get_usages_of_ref(ref) == expected[ref]
    return total


def test_the_adapter_maps_every_revision_as_pyhanko_does():
    assert _maps_agree(_graph_pdf()) == 3


def _existing(writer, reader: PdfFileReader, key: str):
    """The object the catalogue of the file's first updates names under `key`, as the writer has it."""
    ref = reader.root.raw_get(key)
    return writer.get_object(generic.Reference(ref.idnum, ref.generation, writer.prev))


def _evolving_pdf() -> bytes:
    """_graph_pdf with later updates of every kind a walk may repeat or must redo (one revision each):
    a reference to an object that does not exist yet, then that object (reaching into a cycle); a new
    page; a new structure element; new paths to old objects; a cycle broken; an old object made a structure
    element; the same path reached past another object; a new structure tree. (Each also rewrites the info.)"""
    data = _graph_pdf()
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    n, dangling = generic.NameObject, {}

    def point_ahead(w):
        dangling["ref"] = w.allocate_placeholder()
        w.root[n("/Ahead")] = dangling["ref"]
        w.update_root()

    def fill_it(w):
        cycle = generic.IndirectObject(reader.root.raw_get("/Cycle").idnum, 0, w)
        w.objects[(0, dangling["ref"].idnum)] = generic.DictionaryObject({n("/Into"): cycle})

    def add_page(w):
        w.insert_page(generic.DictionaryObject({n("/Type"): n("/Page"), n("/MediaBox"): generic.ArrayObject()}))

    def add_element(w):
        doc = _existing(w, reader, "/StructTreeRoot")["/K"].get_object()
        doc["/K"].append(w.add_object(generic.DictionaryObject({n("/Type"): n("/StructElem"), n("/S"): n("/P")})))
        w.update_container(doc)

    def new_paths(w):
        doc_ref = _existing(w, reader, "/StructTreeRoot").raw_get("/K")
        w.root[n("/Alias")] = generic.ArrayObject([doc_ref, _existing(w, reader, "/Cycle").raw_get("/Next")])
        w.update_root()

    def break_cycle(w):
        cycle = _existing(w, reader, "/Cycle")
        del cycle["/Next"]
        w.update_container(cycle)

    def adopt(w):  # an old object, reached from elsewhere too, becomes a structure element: no longer entered there
        doc = _existing(w, reader, "/StructTreeRoot")["/K"].get_object()
        back = reader.root["/Cycle"]["/Next"].raw_get("/Extra")  # from the first updates: the cycle is broken now
        doc["/K"].append(generic.IndirectObject(back.idnum, back.generation, w))
        w.update_container(doc)

    def hold(w):  # /Holder -> H1 -> /X -> T -> /Up -> H1: the walk stops at H1, already passed
        first, target = w.allocate_placeholder(), w.allocate_placeholder()
        w.add_object(generic.DictionaryObject({n("/X"): target}), idnum=first.idnum)
        w.add_object(generic.DictionaryObject({n("/Up"): first}), idnum=target.idnum)
        w.root[n("/Holder")] = first
        w.update_root()
        dangling["held"] = target.idnum

    def swap_holder(w):  # /Holder -> H2 -> /X -> T (unchanged): T's /Up now leads into H1, not passed this time
        target = generic.IndirectObject(dangling["held"], 0, w)
        w.root[n("/Holder")] = w.add_object(generic.DictionaryObject({n("/X"): target}))
        w.update_root()

    def new_tree(w):  # a new structure tree: the old one's elements, still reached from /Alias, are entered there
        element = w.add_object(generic.DictionaryObject({n("/Type"): n("/StructElem"), n("/S"): n("/P")}))
        tree = {n("/Type"): n("/StructTreeRoot"), n("/K"): element}
        w.root[n("/StructTreeRoot")] = w.add_object(generic.DictionaryObject(tree))
        w.update_root()

    changes = (point_ahead, fill_it, add_page, add_element, new_paths, break_cycle, adopt, hold, swap_holder, new_tree)
    for change in changes:
        data = attacks.updated(data, change)
    return data


def test_a_later_revision_repeats_only_what_did_not_change():
    """Each revision's map is made from the previous one's where nothing changed: still pyHanko's map, every time."""
    data = _evolving_pdf()
    assert _maps_agree(data) == 13
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    reader.get_historical_resolver(4)._load_reverse_xref_cache()  # pyHanko's own: no walk of ours to repeat
    pyhanko_adapter.preload_reverse_xref_caches(reader, [2, 5, 12, 3])
    theirs = PdfFileReader(io.BytesIO(data), strict=False)
    for revision in (2, 3, 5, 12):
        theirs.get_historical_resolver(revision)._load_reverse_xref_cache()
        expected = theirs.get_historical_resolver(revision)._indirect_object_access_cache
        assert dict(reader.get_historical_resolver(revision)._indirect_object_access_cache.items()) == expected


def test_a_map_pyhanko_already_made_is_kept():
    reader = PdfFileReader(io.BytesIO(_graph_pdf()), strict=False)
    resolver = reader.get_historical_resolver(1)
    resolver._load_reverse_xref_cache()
    made = resolver._indirect_object_access_cache
    pyhanko_adapter.preload_reverse_xref_caches(reader, [1])
    assert resolver._indirect_object_access_cache is made


@pytest.mark.slow  # renders the contract and signs it
def test_the_adapter_maps_a_signed_contract_and_a_shadow_attack_as_pyhanko_does(unsigned_2023_sv, tmp_path):
    """The real contract (page tree, tagged structure, links, fields), signed twice, then attacked after signing."""
    from pki import make_pki

    from contract.pdf import credentials

    pki = make_pki(tmp_path / "pki", ["boras-stad", "vinnova"])

    def creds(party: str) -> credentials.Credentials:
        found = pki.parties[party]
        return credentials.load_pem("k", found.key_pem.read_bytes(), "c", found.cert_pem.read_bytes())

    planted = attacks.plant_text_field(unsigned_2023_sv.read_bytes(), hidden=True)
    signed = attacks.raw_sign(attacks.raw_sign(planted, "boras-stad", creds("boras-stad")), "vinnova", creds("vinnova"))
    assert _maps_agree(signed) == 5
    revealed = attacks.reveal_and_fill(signed, "AMENDED: Vinnova shall pay 100 MSEK")
    assert revealed.startswith(signed)
    assert _maps_agree(revealed, checked_from=5) == 6  # revisions 0-4 are the signed file's, compared above


def test_a_revision_the_walk_cannot_map_is_left_to_pyhanko():
    """A broken revision (no page tree) fails inside pyHanko's validation of a signature, as before: never earlier."""
    writer = IncrementalPdfFileWriter(io.BytesIO(_small_pdf()), strict=False)
    del writer.root["/Pages"]
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    reader = PdfFileReader(io.BytesIO(out.getvalue()), strict=False)
    pyhanko_adapter.preload_reverse_xref_caches(reader, [1])
    resolver = reader.get_historical_resolver(1)
    assert resolver._indirect_object_access_cache is None
    with pytest.raises(KeyError):
        resolver._load_reverse_xref_cache()
