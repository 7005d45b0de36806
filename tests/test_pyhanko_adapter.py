"""contract/pdf/pyhanko_adapter.py overrides private pyHanko behaviour: fail loudly when pyHanko changes it."""

from __future__ import annotations

import hashlib
import inspect
import io
from importlib import metadata

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
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
    for cls, names in pyhanko_adapter.OVERRIDDEN.items():
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


def _maps_agree(data: bytes) -> int:
    """Build every revision's map with pyHanko and with the adapter (in that order and the other); return revisions."""
    ours, theirs = (PdfFileReader(io.BytesIO(data), strict=False) for _ in range(2))
    total = ours.xrefs.total_revisions
    pyhanko_adapter.preload_reverse_xref_caches(ours, range(total))
    for revision in range(total):
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
    import attacks
    from pki import make_pki

    from contract.pdf import credentials

    pki = make_pki(tmp_path / "pki", ["boras-stad", "vinnova"])

    def creds(party: str) -> credentials.Credentials:
        found = pki.parties[party]
        return credentials.load_pem("k", found.key_pem.read_bytes(), "c", found.cert_pem.read_bytes())

    planted = attacks.plant_text_field(unsigned_2023_sv.read_bytes(), hidden=True)
    signed = attacks.raw_sign(attacks.raw_sign(planted, "boras-stad", creds("boras-stad")), "vinnova", creds("vinnova"))
    assert _maps_agree(signed) == 5
    assert _maps_agree(attacks.reveal_and_fill(signed, "AMENDED: Vinnova shall pay 100 MSEK")) == 6


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
