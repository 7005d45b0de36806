"""Every override of pyHanko's private behaviour, in one place (tests/test_pyhanko_adapter.py guards them).

pyHanko is pinned in pyproject.toml because of these: a new version may rename or change them.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

# The private members overridden below, by class: the adapter test checks they still exist.
OVERRIDDEN = {
    IncrementalPdfFileWriter: ("_handle_id", "_update_meta"),
    GlyphAccumulatorFactory: ("create_font_engine",),
}


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


@dataclass(frozen=True)
class MemoryFontFactory(GlyphAccumulatorFactory):
    """pyHanko's font engine factory for a font held in memory (it opens a file path otherwise).

    The stamp font never touches the file system: a font file in a shared folder could be replaced.
    """

    font_bytes: bytes = b""

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer, font_handle=io.BytesIO(self.font_bytes), font_size=self.font_size, obj_stream=obj_stream
        )
