"""The Word file of a version, made by pandoc from the Markdown export (for circulating drafts)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from ..files import source_date_epoch
from ..model import Contract
from ..provenance import Source
from . import typst as typst_render


def render_docx(contract: Contract, lang: str, source: Source) -> bytes:
    """Return a Word file of one version in one language, made by pandoc from the Markdown export.

    Without pandoc's "smart" extension: quotes and dashes stay exactly as the contract writes them.
    """
    import pypandoc

    from .. import export

    text = export.to_markdown(contract, lang)
    note = typst_render.stand_in_note(list(contract.texts()), lang)
    if note:  # the Swedish text stands in somewhere: say so before the text, visibly
        text = f"*{note}*\n\n{text}"
    with tempfile.TemporaryDirectory(prefix="klimatkontrakt-docx-") as folder, source_date_epoch(source.timestamp):
        output = Path(folder) / "contract.docx"
        region = typst_render.REGIONS[lang]
        pypandoc.convert_text(text, "docx", format="markdown-smart", outputfile=str(output), extra_args=[f"--metadata=lang:{lang}-{region}"])
        return output.read_bytes()
