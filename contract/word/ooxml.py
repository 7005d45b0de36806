"""The XML of a Word file: its namespaces, parsed safely, and its on/off values."""

from __future__ import annotations

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
Q = {"w": W, "r": R}
# Never load external entities or DTDs from the network, whatever the file declares.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def parse(data: bytes):
    """Parse a part of the file, never loading an external entity or a DTD."""
    return etree.fromstring(data, _PARSER)


def on(element) -> bool:
    """Whether an on/off property (w:b, w:vanish, …) is on: present, and not "0", "false" or "off"."""
    return element is not None and element.get(f"{{{W}}}val", "true").lower() not in ("0", "false", "off")


def inside(element, within, name: str) -> bool:
    """Whether an element lies inside an element called name (any namespace) that is itself inside within."""
    for up in element.iterancestors():
        if up is within:
            return False
        if etree.QName(up).localname == name:
            return True
    return False
