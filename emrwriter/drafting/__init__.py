"""From a chosen stay and a template to a Draft: data sections filled exactly,
narrative sections written by the model from evidence laid out record-first."""
