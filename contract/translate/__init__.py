"""Translation: glossary, translator exchange files (XLIFF, PO) and translation memory."""
