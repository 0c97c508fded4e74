"""The words around a number: what it measures, whose dose it is.

"40 mg" is right after "furosemide" and wrong after "spironolactone". A value
token's context is the content around it inside its clause (words, test and
drug names, other values; Chinese as character pairs), nearest first. The
verifier compares a draft value's context with the contexts of the same value
in the record.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..facts.tokens import EN_STOPWORDS, ZH_STOPCHARS, Token

CLAUSE_BREAKS = frozenset({"clause", "stop", "line", "list"})
LEFT, RIGHT, OUTSIDE = 6, 3, 3
# Kinds whose token names what a value measures (drug, test): they must agree.
ANCHOR_KINDS = frozenset({"drug", "lab"})


@dataclass(frozen=True)
class Feature:
    key: str
    distance: int  # 1 = adjacent
    inside: bool  # in the same clause
    anchor: bool


def features(tokens: list[Token]) -> list[str | None]:
    """One context feature per token (None for separators and stop words): words
    stemmed, Chinese characters as the pair they end, values by their key."""
    keys: list[str | None] = []
    for index, token in enumerate(tokens):
        if token.kind == "sep":
            keys.append(None)
        elif token.kind == "word":
            keys.append(None if token.value in EN_STOPWORDS or len(token.value) < 2 and token.value not in "tpr" else token.key)
        elif token.kind == "cjk":
            previous = tokens[index - 1] if index else None
            if (
                token.value in ZH_STOPCHARS
                or previous is None
                or previous.kind != "cjk"
                or previous.end != token.start
                or previous.value in ZH_STOPCHARS
            ):
                keys.append(None)
            else:
                keys.append(f"b:{previous.value}{token.value}")
        else:
            keys.append(token.key)
    return keys


def clause_bounds(tokens: list[Token], index: int) -> tuple[int, int]:
    """Token index range [start, end) of the clause holding ``tokens[index]``."""
    start = index
    while start > 0 and not (tokens[start - 1].kind == "sep" and tokens[start - 1].key in CLAUSE_BREAKS):
        start -= 1
    end = index + 1
    while end < len(tokens) and not (tokens[end].kind == "sep" and tokens[end].key in CLAUSE_BREAKS):
        end += 1
    return start, end


def window(
    tokens: list[Token], keys: list[str | None], index: int, left: int = LEFT, right: int = RIGHT, outside: int = OUTSIDE
) -> list[Feature]:
    """Context features of ``tokens[index]``: nearest first, inside its clause, then a
    few from before the clause."""
    start, end = clause_bounds(tokens, index)
    found: list[Feature] = []
    for positions, limit in ((range(index - 1, start - 1, -1), left), (range(index + 1, end), right)):
        keyed = [p for p in positions if keys[p] is not None][:limit]
        found += [Feature(keys[p], d, True, tokens[p].kind in ANCHOR_KINDS) for d, p in enumerate(keyed, 1)]
    distance = 0
    for position in range(start - 1, -1, -1):
        if tokens[position].kind == "sep" and tokens[position].key in {"stop", "line"}:
            break
        if keys[position] is None:
            continue
        distance += 1
        if distance > outside:
            break
        found.append(Feature(keys[position], LEFT + distance, False, False))
    return found


def clause_set(tokens: list[Token], keys: list[str | None], index: int) -> frozenset[str]:
    """Everything a record value's clause says, plus a few features before it: what a
    draft value's context is looked up in."""
    start, end = clause_bounds(tokens, index)
    found = {keys[p] for p in range(start, end) if p != index and keys[p] is not None}
    seen = 0
    for position in range(start - 1, -1, -1):
        if tokens[position].kind == "sep" and tokens[position].key in {"stop", "line"}:
            break
        if keys[position] is None:
            continue
        found.add(keys[position])
        seen += 1
        if seen >= OUTSIDE + 2:
            break
    return frozenset(found)


def nearest_anchor(tokens: list[Token], index: int, reach: int = 5) -> Token | None:
    """The drug or test a value belongs to: the nearest one on its left inside the
    clause ("furosemide 40 mg"), else one right after it ("40 mg of furosemide")."""
    start, end = clause_bounds(tokens, index)
    seen = 0
    for position in range(index - 1, start - 1, -1):
        token = tokens[position]
        if token.kind in ANCHOR_KINDS:
            return token
        if token.kind in {"word", "qty", "code", "cjk"}:
            seen += 1
            if seen > reach * (2 if token.kind == "cjk" else 1):
                break
    for position in range(index + 1, min(end, index + 3)):
        if tokens[position].kind in ANCHOR_KINDS:
            return tokens[position]
    return None
