"""Word export of a Draft."""
