"""The options that choose the engine, shared by draft, batch and bench: a local GGUF file
(the default), or a shared inference server (``--server URL``, or the site config's
[server] with ``--server`` given without a value). A server is used only when asked for."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..engine.base import Engine
from ..workflow import local_engine, resolve_model, server_engine, server_settings

CONFIGURED = "configured"  # `--server` alone: the site config's server


def add_engine_options(parser: argparse.ArgumentParser, *, local: bool = True) -> None:
    if local:
        parser.add_argument("--model", type=Path, help="a GGUF model file (default: the bundled SmolLM2-135M-Instruct)")
        parser.add_argument("--threads", type=int, help="CPU threads for the model (default: physical cores)")
        parser.add_argument("--ctx", type=int, help="largest context in tokens (default: the model's own)")
    parser.add_argument(
        "--server",
        nargs="?",
        const=CONFIGURED,
        metavar="URL",
        help="draft on a shared inference server (OpenAI-compatible: llama-server, vLLM, llama-cpp-python) at URL; "
        "alone: the server of the site config. The API key is read from the variable the config names, else EMRWRITER_API_KEY",
    )
    parser.add_argument("--server-model", metavar="NAME", help="the server's model (default: its only one)")
    parser.add_argument(
        "--server-context", type=int, metavar="N", help="the server model's context in tokens, where the server does not say it"
    )


def uses_server(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "server", None))


def engine_from_args(args: argparse.Namespace, *, say=None) -> Engine:
    """The engine the options ask for, named on stderr; EngineError, one line, when it cannot be had."""
    say = say or (lambda line: print(line, file=sys.stderr))
    if uses_server(args):
        if getattr(args, "model", None):
            from ..engine.base import EngineError

            raise EngineError("--model and --server exclude each other: the server has its own model")
        url = None if args.server == CONFIGURED else args.server
        engine = server_engine(server_settings(url, args.server_model, context=args.server_context or 0))
        info = engine.connect()
        source = {"assumed": "the server does not say it: assumed, set --server-context"}.get(
            info.context_source, info.context_source
        )
        say(f"server {engine.settings_.url}: model {info.model}, context {info.context} tokens ({source})")
        if engine.warning:
            say(f"warning: {engine.warning}")
        return engine
    info = resolve_model(getattr(args, "model", None))
    say(f"model {info.name} ({info.path})")
    return local_engine(info, threads=getattr(args, "threads", None), context_cap=getattr(args, "ctx", None))
