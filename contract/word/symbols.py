"""Characters inserted from Word's Symbol font (Insert > Symbol), as text."""

from __future__ import annotations

# The characters of Word's Symbol font that contracts use, by their code there (Word writes F000 + the font's code):
# the Adobe Symbol encoding's. Anything else, and every character of other symbol fonts (Wingdings), has no text
# form here and is read as U+FFFD, which the import then refuses where it stands.
SYMBOL_FONT = {
    0x25: "%",
    0x2B: "+",
    0x2D: "\u2212",
    0x3C: "<",
    0x3D: "=",
    0x3E: ">",
    0xA3: "\u2264",
    0xAE: "\u2192",
    0xAC: "\u2190",
    0xB0: "\u00b0",
    0xB1: "\u00b1",
    0xB3: "\u2265",
    0xB4: "\u00d7",
    0xB7: "\u2022",
    0xB8: "\u00f7",
}


def symbol(font: str, char: str) -> str:
    """Return the text of a Word symbol (a font and a hexadecimal code), or U+FFFD when it has none here."""
    try:
        code = int(char, 16) & 0xFF
    except ValueError:
        return "\ufffd"
    if font.strip().lower() != "symbol" or code not in SYMBOL_FONT:
        return "\ufffd"
    return SYMBOL_FONT[code]
