"""The desktop face of EMRWriter: the only package that imports PySide6.

It holds no drafting logic; it drives the same core functions as the CLI, with one
worker thread owning the model (see worker.ModelWorker)."""
