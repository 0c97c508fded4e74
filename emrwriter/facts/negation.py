"""Negation and laterality in the words of the cue tables: "denies chest pain", "无发热",
"right lower lobe", "左下肢".

A thin view of ``assertion`` (which gives every finding its status) for callers that
only ask "what does this text negate?" and "which side does this word name?". The
words come from the cue tables (cues_en.toml, cues_zh.toml), which a doctor can edit;
nothing here is a vocabulary of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .assertion import cue_table, read
from .tokens import Token, stem


@dataclass(frozen=True)
class Negated:
    """A concept a text says is absent: its folded words and its span."""

    concept: str
    start: int
    end: int
    cue_start: int


def _single_word_negations() -> frozenset[str]:
    table = cue_table("en")
    return frozenset(stem(p) for p, cue in table.cues.items() if cue.category == "absent" and " " not in p)


EN_NEGATION_CUES = _single_word_negations()  # "no", "not", "deny", "without", ... (stemmed, as tokens carry them)
ZH_NEGATION_CHARS = frozenset(
    p[0] for p, cue in cue_table("zh").cues.items() if cue.category == "absent" and cue.before and len(p) <= 2
)  # 无 未 否 不 没 ...
SIDE_WORDS = {word: side for language in ("en", "zh") for word, side in cue_table(language).sides.items()}


def zh_negated(text: str) -> list[Negated]:
    """Concepts a Chinese text says are absent: "无恶心、呕吐" -> 恶心, 呕吐."""
    found: list[Negated] = []
    for assertion in read(text).assertions:
        if assertion.status == "absent" and not assertion.inherited:
            found.append(Negated(assertion.text, assertion.start, assertion.end, assertion.cue_start))
    return found


def en_negated(tokens: list[Token]) -> list[Negated]:
    """Concepts an English text (as tokens) says are absent, through a list: "denies
    fever, chills, or cough". Each concept is its words, stemmed, in order."""
    if not tokens:
        return []
    end = max(t.end for t in tokens)
    chars = [" "] * end
    for token in tokens:
        chars[token.start : token.end] = token.text or " " * (token.end - token.start)
    text = "".join(chars)
    found: list[Negated] = []
    for assertion in read(text).assertions:
        if assertion.status == "absent" and not assertion.inherited:
            spans = sorted({(s, e) for _, s, e in assertion.parts})  # as written: "chest pain", not its folded key
            words = [stem(word) for s, e in spans for word in re.findall(r"[A-Za-z][A-Za-z'’-]*", text[s:e])]
            found.append(Negated(" ".join(words), assertion.start, assertion.end, assertion.cue_start))
    return found


_LIGHT = re.compile(r"(?P<w>[A-Za-z][A-Za-z'’-]*)|(?P<s>[,;.:!?\n(){}\[\]])")
_LIGHT_SEPARATORS = {",": "clause", ";": "stop", ".": "stop", "!": "stop", "?": "stop", ":": "colon", "\n": "line"}


def light_tokens(text: str) -> list[Token]:
    """Words and separators only: enough for ``en_negated``, much cheaper than ``tokenize``."""
    tokens = []
    for match in _LIGHT.finditer(text):
        if match["w"]:
            word = stem(match["w"])
            tokens.append(Token("word", f"w:{word}", match.start(), match.end(), word, match["w"]))
        else:
            tokens.append(Token("sep", _LIGHT_SEPARATORS.get(match["s"], "paren"), match.start(), match.end(), None, match["s"]))
    return tokens


def side_of(token: Token) -> str | None:
    """The side a token names ("left", "右"), or None."""
    if token.kind in {"word", "cjk"}:
        return SIDE_WORDS.get(str(token.value)) or SIDE_WORDS.get(token.text.lower())
    return None
