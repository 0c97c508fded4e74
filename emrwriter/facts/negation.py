"""Negation and laterality: "denies chest pain", "无发热", "right lower lobe", "左下肢".

A draft that turns "no fever" into "fever", or "right" into "left", states the
opposite of the record while every word still appears in it. These rules find
the negated concepts of a text (the cue, then what it governs up to the end of
the clause, list items included) and the side words tied to a body part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .tokens import EN_STOPWORDS, Token, stem

EN_NEGATION_CUES = frozenset(
    {
        "no",
        "not",
        "deny",
        "denie",
        "denied",
        "denying",
        "without",
        "negative",
        "never",
        "none",
        "absent",
        "nor",
        "neither",
        "free",
    }
)
EN_SCOPE_ENDS = frozenset(
    {
        "but",
        "however",
        "although",
        "though",
        "except",
        "which",
        "who",
        "whereas",
        "yet",
        "with",
        "and",
        "after",
        "since",
        "until",
        "because",
    }
)
ZH_NEGATION_CUES = ("否认", "无明显", "无", "未见", "未闻及", "未触及", "未引出", "未出现", "未诉", "未", "不伴", "没有", "不")
ZH_SCOPE_ENDS = frozenset("，。；：,;:")
ZH_NOT_NEGATION = (
    "无菌",
    "无创",
    "无需",
    "无法",
    "未来",
    "不适",
    "不良",
    "不全",
    "不规律",
    "不易",
    "不宜",
    "不详",
    "未吸氧",
    "不可",
    "不能",
    "不推荐",
    "不支持",
    "不除外",
    "无反复",
    "无需",
)

SIDE_WORDS = {
    "left": "left",
    "right": "right",
    "bilateral": "bilateral",
    "左": "left",
    "右": "right",
    "双": "bilateral",
    "双侧": "bilateral",
}


@dataclass(frozen=True)
class Negated:
    """A concept a text says is absent: its folded words and its span."""

    concept: str
    start: int
    end: int
    cue_start: int


_ZH_CUE = re.compile("|".join(ZH_NEGATION_CUES))
_ZH_ITEM = re.compile(r"[、及和或与]")


def zh_negated(text: str) -> list[Negated]:
    """Concepts under a Chinese negation cue: "无恶心、呕吐" -> 恶心, 呕吐."""
    found: list[Negated] = []
    for cue in _ZH_CUE.finditer(text):
        if any(text.startswith(word, cue.start()) for word in ZH_NOT_NEGATION):
            continue
        end = cue.end()
        while end < len(text) and text[end] not in ZH_SCOPE_ENDS and end - cue.end() < 30:
            end += 1
        position = cue.end()
        for item in _ZH_ITEM.split(text[cue.end() : end]):
            concept = re.sub(r"[^\u4e00-\u9fff]", "", item)[:8]
            concept = concept.removeprefix("明显").removeprefix("其他")
            if len(concept) >= 2:
                start = text.find(item, position)
                found.append(Negated(concept, start, start + len(item), cue.start()))
            position += len(item) + 1
    return found


def en_negated(tokens: list[Token]) -> list[Negated]:
    """Concepts under an English cue, through a comma/or list: "denies fever, chills, or cough"."""
    found: list[Negated] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "word" and token.value in EN_NEGATION_CUES:
            words: list[Token] = []
            position = index + 1
            while position < len(tokens) and position - index <= 12:
                current = tokens[position]
                if current.kind == "sep" and current.key in {"stop", "line", "colon"}:
                    break
                if current.kind == "sep" or (current.kind == "word" and current.value in {"or", "and", "nor"}):
                    if words:
                        found.append(_en_concept(words, token))
                    words = []
                elif current.kind == "word" and current.value in EN_SCOPE_ENDS - {"and"}:
                    break
                elif current.kind in {"word", "lab", "drug"} and not (current.kind == "word" and current.value in EN_STOPWORDS):
                    words.append(current)
                    if len(words) > 3:
                        break
                position += 1
            if words and len(words) <= 3:
                found.append(_en_concept(words, token))
            index = position
        index += 1
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
            tokens.append(Token("sep", _LIGHT_SEPARATORS.get(match["s"], "paren"), match.start(), match.end()))
    return tokens


def _en_concept(words: list[Token], cue: Token) -> Negated:
    return Negated(" ".join(str(w.value) for w in words), words[0].start, words[-1].end, cue.start)


def side_of(token: Token) -> str | None:
    """The side a token names ("left", "右"), or None."""
    if token.kind == "word":
        return SIDE_WORDS.get(str(token.value))
    if token.kind == "cjk":
        return SIDE_WORDS.get(str(token.value))
    return None
