"""JSON read with a cap on nesting: a value 100,000 levels deep is one clear line, not a
RecursionError from the parser or from the code that walks the value afterwards."""

from __future__ import annotations

import json
from typing import Any

from .limits import Limits, limits, too_many


def depth(value: Any, stop: int) -> int:
    """How deep ``value`` nests (a scalar is 0, ``[]`` is 1), counted without recursion; the
    count stops a little past ``stop``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if deepest > stop:
            return deepest
        stack.extend((child, level) for child in children if isinstance(child, dict | list))
    return deepest


def loads(text: str | bytes, where: str, caps: Limits | None = None) -> Any:
    """``json.loads`` that refuses (RecordError naming ``where``) a value nested deeper than
    limits.json_depth; json.JSONDecodeError passes through for the caller to word."""
    caps = caps or limits()
    cap = caps.count("json_depth")
    try:
        value = json.loads(text)
    except RecursionError:  # deeper than Python's own limit (about 1,000): far over any cap we allow
        raise too_many(where, f"the JSON nests more than {cap} levels deep", "json_depth", caps) from None
    if depth(value, cap) > cap:
        raise too_many(where, f"the JSON nests more than {cap} levels deep", "json_depth", caps)
    return value
