"""Renderers: the model into Markdown, Typst and plain text."""
