"""JSON read with caps on nesting and on the number of objects and lists: a value 100,000
levels deep is one clear line, not a RecursionError from the parser or from the code that
walks the value afterwards, and five million empty objects are refused before they are built."""

from __future__ import annotations

import json
from typing import Any

from .limits import Limits, limits, too_many
from .model import RecordError


def depth(value: Any, stop: int) -> int:
    """How deep ``value`` nests (a scalar is 0, ``[]`` is 1), walked without recursion and
    with memory for one path only; the count stops a little past ``stop``."""
    if not isinstance(value, dict | list):
        return 0
    path = [iter(value.values() if isinstance(value, dict) else value)]
    deepest = 1
    while path:
        for child in path[-1]:
            if isinstance(child, dict | list):
                path.append(iter(child.values() if isinstance(child, dict) else child))
                deepest = max(deepest, len(path))
                if deepest > stop:
                    return deepest
                break
        else:
            path.pop()
    return deepest


def loads(text: str | bytes, where: str, caps: Limits | None = None) -> Any:
    """``json.loads`` that refuses (RecordError naming ``where``) a value nested deeper than
    limits.json_depth; json.JSONDecodeError passes through for the caller to word."""
    caps = caps or limits()
    opening = ("{", "[") if isinstance(text, str) else (b"{", b"[")
    containers = text.count(opening[0]) + text.count(opening[1])  # before parsing: each costs memory
    if containers > caps.count("json_values"):
        raise too_many(where, f"about {containers} objects and lists in the JSON", "json_values", caps)
    cap = caps.count("json_depth")
    try:
        value = json.loads(text)
    except RecursionError:  # deeper than Python's own limit (about 1,000): far over any cap we allow
        raise too_many(where, f"the JSON nests more than {cap} levels deep", "json_depth", caps) from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # a number of more than 4,300 digits
        raise RecordError(f"{where}: the JSON holds a number of thousands of digits, which is no record value") from None
    if depth(value, cap) > cap:
        raise too_many(where, f"the JSON nests more than {cap} levels deep", "json_depth", caps)
    return value
