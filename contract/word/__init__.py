"""Word round trip: export a version with each section's id as a bookmark, apply a Word file's edits back."""
