"""The visible signature stamp: signer, organisation and time, in the package's own embedded font."""

from __future__ import annotations

import functools
import io
from importlib import resources

from fontTools import subset
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from ..render import labels
from .pyhanko_adapter import memory_font

# The font file inside the installed font-source-sans-pro package (SIL OFL 1.1), never a copy elsewhere.
STAMP_FONT = ("font_source_sans_pro", "files/SourceSansPro-Regular.ttf")

# Latin, Greek, Cyrillic, general punctuation and the euro sign: what signer names are written in.
_STAMP_CHARACTERS = [*range(0x20, 0x250), *range(0x370, 0x400), *range(0x400, 0x530), *range(0x2000, 0x2070), 0x20AC]


def style(lang: str) -> TextStampStyle:
    """Return the stamp style: signer, organisation and time (filled in by pyHanko) in an embedded font."""
    text = labels.label(lang, "signature_stamp", signer="%(signer)s", organisation="%(organisation)s", time="%(ts)s")
    return TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(font=memory_font("stamp-font", font_size=9, font_bytes=font_bytes()), font_size=9),
        border_width=0,
        timestamp_format="%Y-%m-%d %H:%M:%S %Z",
    )


@functools.lru_cache(maxsize=1)
def font_bytes() -> bytes:
    """Return the stamp font without its layout tables, made once per process in memory.

    Embedding subsets the font on every signature; without the large GSUB/GPOS tables that takes
    a few milliseconds instead of a third of a second.
    """
    package, name = STAMP_FONT
    source = resources.files(package).joinpath(name).read_bytes()
    options = subset.Options(layout_features=[], hinting=False, name_IDs=["*"], name_languages=["*"])
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "DSIG"]
    font = subset.load_font(io.BytesIO(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_STAMP_CHARACTERS)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()
