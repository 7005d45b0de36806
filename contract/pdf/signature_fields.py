"""Empty, tagged signature fields over the boxes the layout reserved: one per party, in one incremental update.

The fields are the ones pyHanko's `append_signature_field` makes, object for object and byte for byte
(tests/test_signature_fields.py compares), written here with pyHanko's PDF layer only: importing `pyhanko.sign`
loads the whole signing stack (HTTP clients, certificate validation, font subsetting), about 0.4 s of every
build, to add eight dictionaries.
"""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints

from .compile import SignatureBox
from .pyhanko_adapter import FieldWriter

# The widget's flags as pyHanko sets them on a visible signature: locked (128) and printed (4).
WIDGET_FLAGS = 0b10000000 | 0b100


def add_signature_fields(
    pdf: bytes,
    boxes: list[SignatureBox],
    tooltips: dict[str, str],
    seeds: dict[str, generic.DictionaryObject] | None = None,
    headings: dict[str, str] | None = None,
) -> bytes:
    """Return the PDF with a visible, empty, tagged signature field over each box (one update).

    Each field carries, as its seed value, the certificate subject its party must sign with.
    """
    writer = FieldWriter(io.BytesIO(pdf))
    widgets = {}
    for box in boxes:
        widgets[box.party] = ref = _append_field(writer, box, tooltips.get(box.party, box.party))
        if seeds and box.party in seeds:
            ref.get_object()[generic.pdf_name("/SV")] = writer.add_object(seeds[box.party])
    _tag_widgets(writer, boxes, widgets, headings or {})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _append_field(writer: IncrementalPdfFileWriter, box: SignatureBox, tooltip: str) -> generic.IndirectObject:
    """Add one signature field, merged with its widget, as pyHanko's append_signature_field does; return it."""
    name = generic.pdf_name
    page_ref = writer.find_page_for_modification(box.page)[0]
    fields = _form_fields(writer)
    if any(ref.get_object().get("/T") == box.party for ref in fields):  # pyHanko refuses it too
        raise ValueError(f"the PDF has a field named {box.party} already")
    field = generic.DictionaryObject(
        {
            name("/FT"): name("/Sig"),
            name("/T"): generic.pdf_string(box.party),
            name("/Type"): name("/Annot"),
            name("/Subtype"): name("/Widget"),
            name("/F"): generic.NumberObject(WIDGET_FLAGS),
            name("/Rect"): generic.ArrayObject([generic.FloatObject(round(v, 4)) for v in box.rect]),
            name("/P"): page_ref,
        }
    )
    ref = writer.add_object(field)
    fields.append(ref)
    writer.update_container(fields)
    writer.register_annotation(page_ref, ref)
    field[name("/TU")] = generic.TextStringObject(tooltip)  # what a screen reader says
    left, bottom, right, top = box.rect
    width, height = abs(right - left), abs(top - bottom)
    if width and height:  # an empty appearance: the signature fills it
        appearance = RawContent(b"", box=BoxConstraints(width=width, height=height)).as_form_xobject()
        field[name("/AP")] = generic.DictionaryObject({name("/N"): writer.add_object(appearance)})
    return ref


def _form_fields(writer: IncrementalPdfFileWriter) -> generic.ArrayObject:
    """Return the document's form fields, making the form (SigFlags 1: it has signatures) if it has none."""
    name = generic.pdf_name
    if "/AcroForm" not in writer.root:
        writer.root[name("/AcroForm")] = writer.add_object(
            generic.DictionaryObject(
                {name("/Fields"): generic.ArrayObject(), name("/SigFlags"): generic.NumberObject(1)}
            )
        )
        writer.update_root()
    form = writer.root["/AcroForm"]
    if "/SigFlags" not in form or "/Fields" not in form:  # written again, or the keys are lost (pyHanko loses them)
        form.setdefault(name("/SigFlags"), generic.NumberObject(1))
        form.setdefault(name("/Fields"), generic.ArrayObject())
        writer.update_container(form)
    return form["/Fields"]  # indexing resolves an indirect array (as other PDF writers make it); setdefault does not


def _tag_widgets(
    writer: IncrementalPdfFileWriter,
    boxes: list[SignatureBox],
    widgets: dict[str, generic.IndirectObject],
    headings: dict[str, str],
) -> None:
    """Put each widget in the structure tree as a Form element in its party's block, as PDF/UA requires.

    The layout tags each party's block as a group (Div) opening with the party's heading (H2); the
    field goes into that group, after the heading, so reading order keeps it with its party.
    """
    tree = writer.root["/StructTreeRoot"]
    kids = tree["/K"]
    document_ref = kids.raw_get(0) if isinstance(kids, generic.ArrayObject) else tree.raw_get("/K")
    blocks = _heading_groups(document_ref, set(headings.values()))
    nums = tree["/ParentTree"]["/Nums"]
    key = int(tree.get("/ParentTreeNextKey", len(nums) // 2))
    for box in boxes:
        page_ref = writer.find_page_for_modification(box.page)[0]
        group_ref = blocks.get(headings.get(box.party, ""), document_ref)
        form_ref = writer.add_object(_form_element(widgets[box.party], page_ref, group_ref))
        widget = widgets[box.party].get_object()
        widget[generic.pdf_name("/StructParent")] = generic.NumberObject(key)
        writer.update_container(widget)
        nums.extend([generic.NumberObject(key), form_ref])
        _append_kid(writer, group_ref.get_object(), form_ref)
        page = page_ref.get_object()
        page[generic.pdf_name("/Tabs")] = generic.pdf_name("/S")  # tab order follows the structure
        writer.update_container(page)
        key += 1
    tree[generic.pdf_name("/ParentTreeNextKey")] = generic.NumberObject(key)
    writer.update_container(nums)
    writer.update_container(tree)


def _heading_groups(document_ref, wanted: set[str]) -> dict[str, generic.IndirectObject]:
    """Return the group (parent element) of each level-2 heading on the signature page, by heading text.

    The walk takes the last child first, so it reaches the signature page early, and stops once every
    wanted heading is found: the rest of the tree (hundreds of objects to parse) is never read.
    """
    found: dict[str, generic.IndirectObject] = {}
    todo = [document_ref]
    while todo and not wanted <= found.keys():
        element = todo.pop().get_object()
        if not isinstance(element, generic.DictionaryObject):
            continue
        if element.get("/S") == "/H2" and "/T" in element and "/P" in element:
            found.setdefault(str(element["/T"]), element.raw_get("/P"))
        kids = element.get("/K")
        if isinstance(kids, generic.ArrayObject):
            todo += [kids.raw_get(i) for i in range(len(kids)) if isinstance(kids.raw_get(i), generic.IndirectObject)]
    return found


def _form_element(widget_ref, page_ref, parent_ref) -> generic.DictionaryObject:
    name = generic.pdf_name
    return generic.DictionaryObject(
        {
            name("/Type"): name("/StructElem"),
            name("/S"): name("/Form"),
            name("/P"): parent_ref,
            name("/Pg"): page_ref,
            name("/Alt"): widget_ref.get_object()["/TU"],
            name("/K"): generic.DictionaryObject(
                {name("/Type"): name("/OBJR"), name("/Obj"): widget_ref, name("/Pg"): page_ref}
            ),
        }
    )


def _append_kid(writer: IncrementalPdfFileWriter, element, kid_ref) -> None:
    kids = element["/K"]
    if not isinstance(kids, generic.ArrayObject):
        kids = generic.ArrayObject([element.raw_get("/K")])
        element[generic.pdf_name("/K")] = kids
    kids.append(kid_ref)
    writer.update_container(kids)
    writer.update_container(element)
