"""Data shipped inside the package: the bundled templates (templates/) and the synthetic
sample cases (samples/). Found through emrwriter.paths (importlib.resources); no code here."""
