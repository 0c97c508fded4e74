"""Import: one module per source format, the Record model, encounter selection."""
