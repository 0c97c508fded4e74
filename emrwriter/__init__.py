"""EMRWriter: offline discharge-summary drafting from a patient's local records."""

__version__ = "0.1.0"
