"""What a sentence asserts about each finding: present, absent, normal, abnormal,
positive, negative (and whether possible or historical), and the side of a body part.

"Afebrile" and "no fever" say one thing; "febrile" says the opposite while sharing
most of its letters, and "可闻及杂音" the opposite of "未闻及杂音" while sharing all
but one character. The verifier compares these statuses, not the words.

ConText-style rules (Harkema et al., J Biomed Inform 2009; NegEx before it): a cue
governs the words after it ("no fever", "未闻及杂音") or before it ("PE was ruled
out", "二便正常") up to the end of its clause, a terminator ("but", "但") or another
status cue; a short list stays in reach ("denies fever, chills, or cough", "无恶心、呕吐");
a negation right before a status cue turns it over ("not elevated", "未见明显异常" is
normal); pseudo-cues ("no increase", "无明显诱因") are ordinary words; a cue with
nothing in reach speaks of the clause before it ("心电图示窦性心律，未见明显异常").
Words in no cue's reach are present. The cue lists are data files a doctor can edit
(cues_en.toml, cues_zh.toml next to this module).
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from .tokens import EN_STOPWORDS, stem

STATUSES = ("present", "absent", "normal", "abnormal", "positive", "negative")
MODIFIERS = ("possible", "historical")
POLARITY = {"present": 1, "abnormal": 1, "positive": 1, "absent": -1, "normal": -1, "negative": -1}
OPPOSITE = {
    "present": "absent",
    "absent": "present",
    "normal": "abnormal",
    "abnormal": "normal",
    "positive": "negative",
    "negative": "positive",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
NOTHING_NAMED = "@status"  # the key of a status whose finding is named nowhere in its sentence


# ---------------------------------------------------------------------------
# the cue tables


@dataclass(frozen=True)
class Cue:
    category: str  # a status, or a modifier
    before: bool  # governs what follows
    after: bool  # governs what precedes
    clause_end: bool = False  # only at the end of a clause ("心律齐，")


@dataclass
class CueTable:
    language: str
    cues: dict[str, Cue] = field(default_factory=dict)
    pseudo: set[str] = field(default_factory=set)
    terminators: set[str] = field(default_factory=set)
    item_ends: set[str] = field(default_factory=set)  # end a list item's words, not the list ("for six weeks")
    lexical: dict[str, tuple[str, str]] = field(default_factory=dict)  # word -> (finding, status)
    aliases: dict[str, str] = field(default_factory=dict)  # other name -> name
    sides: dict[str, str] = field(default_factory=dict)  # word -> left/right/bilateral
    not_sides: set[str] = field(default_factory=set)
    stopwords: set[str] = field(default_factory=set)
    course: set[str] = field(default_factory=set)  # status cues that tell how a finding went (it was there)
    pattern: re.Pattern[str] | None = None  # English: every phrase, longest first
    by_first: dict[str, list[str]] = field(default_factory=dict)  # Chinese: phrases by first character

    def kind_of(self, phrase: str) -> str:
        if phrase in self.pseudo:
            return "pseudo"
        if phrase in self.not_sides:
            return "not_side"
        if phrase in self.lexical:
            return "lexical"
        if phrase in self.cues:
            return "cue"
        if phrase in self.sides:
            return "side"
        if phrase in self.terminators:
            return "term"
        if phrase in self.item_ends:
            return "item_end"
        if phrase in self.aliases:
            return "alias"
        return "stop"


@functools.cache
def cue_table(language: str) -> CueTable:
    """The cue table of ``language`` ("en" or "zh"), read from its data file."""
    path = resources.files(__package__) / f"cues_{language}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    table = CueTable(language)
    for category in (*STATUSES, *MODIFIERS):
        lists = data.get(category, {})
        for direction in ("before", "after"):
            for entry in lists.get(direction, []):
                clause_end = entry.endswith("$") and len(entry) > 1
                phrase = entry[:-1] if clause_end else entry
                phrase = phrase.lower()
                old = table.cues.get(phrase)
                if old is not None and old.category != category:
                    raise ValueError(f"{path}: '{entry}' is in [{old.category}] and in [{category}]; keep it in one")
                table.cues[phrase] = Cue(
                    category,
                    direction == "before" or bool(old and old.before),
                    direction == "after" or bool(old and old.after),
                    clause_end or bool(old and old.clause_end),
                )
    table.pseudo = {p.lower() for p in data.get("pseudo", {}).get("phrases", [])}
    table.terminators = {p.lower() for p in data.get("terminators", {}).get("phrases", [])}
    table.item_ends = {p.lower() for p in data.get("terminators", {}).get("item_ends", [])}
    table.lexical = {w.lower(): (v[0].lower(), v[1]) for w, v in data.get("lexical", {}).items()}
    for word, (_, status) in table.lexical.items():
        if status not in STATUSES:
            raise ValueError(f"{path}: [lexical] {word} has status '{status}', not one of {', '.join(STATUSES)}")
    table.aliases = {other.lower(): name.lower() for name, others in data.get("aliases", {}).items() for other in others}
    table.sides = {w.lower(): side for side, names in data.get("sides", {}).items() for w in names}
    table.not_sides = {p.lower() for p in data.get("not_sides", {}).get("phrases", [])}
    table.stopwords = {w.lower() for w in data.get("stopwords", {}).get("words", [])}
    table.course = {p.lower() for p in data.get("course", {}).get("phrases", [])}
    unknown = table.course - set(table.cues)
    if unknown:
        raise ValueError(f"{path}: [course] lists {', '.join(sorted(unknown))}, which no status table has")
    phrases = (
        set(table.cues)
        | table.pseudo
        | table.terminators
        | table.item_ends
        | set(table.lexical)
        | set(table.aliases)
        | set(table.sides)
        | table.not_sides
        | (table.stopwords if language == "zh" else set())
    )
    ordered = sorted(phrases, key=len, reverse=True)
    if language == "en":
        table.pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in ordered) + r")(?![a-z0-9])")
    else:
        for phrase in ordered:
            table.by_first.setdefault(phrase[0], []).append(phrase)
    return table


# ---------------------------------------------------------------------------
# what a sentence says


@dataclass(frozen=True)
class Assertion:
    """One finding of a sentence with its status."""

    concept: frozenset[str]  # folded keys of the finding's name (English stems, Chinese character pairs)
    text: str  # the finding's name as written (a cue with nothing in reach: the clause before)
    start: int  # span of the name in the text
    end: int
    cue_start: int  # span of the cue (the name's span when no cue governs it)
    cue_end: int
    status: str  # one of STATUSES
    possible: bool = False
    historical: bool = False
    context: frozenset[str] = frozenset()  # keys of its clause
    inherited: bool = False  # a cue with nothing in reach: the finding is the clause before
    parts: tuple[tuple[str, int, int], ...] = ()  # each key of ``concept`` with its span
    has_cue: bool = True  # False: present because no cue governs it
    measured: bool = False  # a name with its value ("体温39℃", "Temperature 38.5"): a measurement, no status

    def tells_course(self, text: str) -> bool:
        """Is its cue one that tells how the finding went ("resolved", "好转"), so it was there?
        ``text``: the text the assertion was read from."""
        if not self.has_cue:
            return False
        cue = " ".join(text[self.cue_start : self.cue_end].lower().split())
        return any(cue in cue_table(language).course for language in ("en", "zh"))

    def span_of(self, keys: frozenset[str]) -> tuple[int, int]:
        """The cue with the words of the name that are among ``keys`` (the words a
        finding is about); a name without a cue reaches back over the little words
        before it, where a cue may have been taken out ("was in acute distress")."""
        spans = [(s, e) for k, s, e in self.parts if k in keys] or [(self.start, self.end)]
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        if self.has_cue:
            return min(start, self.cue_start), max(end, self.cue_end)
        before = {s for _, s, _ in self.parts if s < start}
        return (self.cue_start if len(before) <= 2 else start), end  # "described any abdominal pain"

    @property
    def polarity(self) -> int:
        """+1 present/abnormal/positive, -1 absent/normal/negative (also when possible or
        historical: compare those only with statements of the same kind)."""
        return POLARITY[self.status]

    @property
    def span(self) -> tuple[int, int]:
        return min(self.start, self.cue_start), max(self.end, self.cue_end)


@dataclass(frozen=True)
class SideMention:
    """A side word and the body part or finding it goes with."""

    side: str  # left, right, bilateral
    body: frozenset[str]
    start: int
    end: int
    text: str


@dataclass
class Reading:
    """What one sentence says: its findings with their statuses, its sides, and its keys."""

    assertions: list[Assertion]
    sides: list[SideMention]
    keys: frozenset[str]  # every content key of the sentence (cue words left out)


@dataclass
class _Item:
    kind: str  # word, cue, lexical, side, term, sep, list, stop
    start: int
    end: int
    text: str
    keys: tuple[str, ...] = ()  # content keys (words: one; Chinese: characters, folded)
    cue: Cue | None = None
    lexical: tuple[str, str] | None = None
    side: str | None = None
    flipped: bool = False  # a negation right before this status cue
    soft: bool = False  # a word of degree or extent ("any", "significant"): a cue reaches over it
    lead: int | None = None  # where the words that make this cue begin ("not" of "not elevated")
    alias: bool = False  # another name of a finding ("体温" for 发热)
    clause: int = 0
    piece: int = 0  # clause, and in English also cut at commas


def language_of(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def read(
    text: str,
    start: int = 0,
    end: int | None = None,
    protect: tuple[tuple[int, int], ...] = (),
    quiet: tuple[tuple[int, int], ...] = (),
) -> Reading:
    """What ``text[start:end]`` (one sentence) says. Offsets are into ``text``.
    ``protect``: spans read as plain words whatever they hold (drug names such as
    左氧氟沙星, whose 左 is no side); ``quiet``: spans that name no finding and break
    nothing (dates, numbers with their units: the comma of "March 5, 2024")."""
    end = len(text) if end is None else end
    if quiet:
        chars = list(text)
        for s, e in quiet:
            if s < end and start < e:
                chars[max(s, start) : min(e, end)] = " " * (min(e, end) - max(s, start))
        text = "".join(chars)
    piece = text[start:end]
    language = language_of(piece)
    table = cue_table(language)
    items = _zh_items(text, start, end, table, protect) if language == "zh" else _en_items(text, start, end, table, protect)
    for s, e in quiet:
        if start <= s < end:
            items.append(_Item("stop", s, e, ""))
    items.sort(key=lambda item: item.start)
    _number_clauses(items)
    return _interpret(items, table, language)


# ---------------------------------------------------------------------------
# cutting a sentence into items

# inside one sentence a line break is a hard wrap, not a break (the sentence cut has taken the real ones)
_EN_WORD = re.compile(r"[a-z][a-z0-9]*(?:['’-][a-z0-9]+)*|\d+(?:\.\d+)?|[,;:()!?]|\.(?=\s|$)")
_EN_SEPARATORS = {",": "list", ";": "sep", ":": "sep", "(": "sep", ")": "sep", "!": "sep", "?": "sep", ".": "sep"}
_EN_LIST_WORDS = frozenset({"or", "and", "nor", "and/or"})


def _en_items(text: str, start: int, end: int, table: CueTable, protect) -> list[_Item]:
    lower = text[start:end].lower().replace("’", "'")
    items: list[_Item] = []
    position = 0
    assert table.pattern is not None
    specials = []
    for match in table.pattern.finditer(lower):
        if any(s <= start + match.start() < e for s, e in protect):
            continue
        specials.append(match)
    for match in [*specials, None]:
        gap_end = match.start() if match is not None else len(lower)
        for word in _EN_WORD.finditer(lower, position, gap_end):
            items.append(_en_word(word.group(), start + word.start(), start + word.end(), table))
        if match is None:
            break
        items.extend(_en_special(match.group(), start + match.start(), start + match.end(), table))
        position = match.end()
    return items


def _en_word(word: str, s: int, e: int, table: CueTable) -> _Item:
    if word in _EN_SEPARATORS:
        return _Item("list" if word == "," else "sep", s, e, word)
    if word in _EN_LIST_WORDS:
        return _Item("list", s, e, word)
    if word in table.stopwords:
        return _Item("stop", s, e, word, soft=True)
    if word[0].isdigit() or word in EN_STOPWORDS or len(word) == 1:  # "b.i.d.", "x", "a"
        return _Item("stop", s, e, word)
    return _Item("word", s, e, word, (stem(word),))


def _en_special(phrase: str, s: int, e: int, table: CueTable) -> list[_Item]:
    kind = table.kind_of(phrase)
    if kind in {"pseudo", "not_side"}:
        return [_en_word(m.group(), s + m.start(), s + m.end(), table) for m in _EN_WORD.finditer(phrase)]
    if kind == "cue":
        return [_Item("cue", s, e, phrase, cue=table.cues[phrase])]
    if kind == "lexical":
        return [_Item("lexical", s, e, phrase, lexical=table.lexical[phrase])]
    if kind == "side":
        return [_Item("side", s, e, phrase, side=table.sides[phrase])]
    if kind == "term":
        return [_Item("term", s, e, phrase)]
    if kind == "item_end":
        return [_Item("item_end", s, e, phrase)]
    if kind == "alias":
        return [_Item("word", s, e, phrase, (table.aliases[phrase],), alias=True)]
    return [_Item("stop", s, e, phrase)]


_ZH_BREAKS = frozenset('，,；;。：:！？!?（）()[]【】「」“”"|')  # "|": a table cell is a clause
_ZH_LIST = frozenset("、/及和或与")


def _zh_items(text: str, start: int, end: int, table: CueTable, protect) -> list[_Item]:
    items: list[_Item] = []
    lower = text.lower()
    i = start
    while i < end:
        guarded = next((e for s, e in protect if s == i), None)
        if guarded is not None:
            items.append(_Item("word", i, guarded, text[i:guarded], (text[i:guarded].lower(),)))
            i = guarded
            continue
        ch = text[i]
        phrase = _zh_phrase(lower, i, end, table)
        if phrase is not None:
            items.extend(_zh_special(phrase, i, table, text))
            i += len(phrase)
            continue
        if ch in _ZH_BREAKS:
            items.append(_Item("sep", i, i + 1, ch))
        elif ch in _ZH_LIST:
            items.append(_Item("list", i, i + 1, ch))
        elif _CJK.match(ch):
            items.append(_Item("word", i, i + 1, ch, (ch,)))
        elif ch.isascii() and ch.isalpha():
            match = re.match(r"[A-Za-z][A-Za-z0-9-]*", text[i:end])
            assert match is not None
            items.append(_Item("word", i, i + match.end(), match.group(), (match.group().lower(),)))
            i += match.end()
            continue
        i += 1
    return items


def _zh_phrase(lower: str, i: int, end: int, table: CueTable) -> str | None:
    for phrase in table.by_first.get(lower[i], ()):
        if not lower.startswith(phrase, i) or i + len(phrase) > end:
            continue
        cue = table.cues.get(phrase)
        if cue is not None and cue.clause_end and table.kind_of(phrase) == "cue":
            after = i + len(phrase)
            if after < end and lower[after] not in _ZH_BREAKS and lower[after] not in "、":
                continue
        return phrase
    return None


def _zh_special(phrase: str, i: int, table: CueTable, text: str) -> list[_Item]:
    kind = table.kind_of(phrase)
    e = i + len(phrase)
    if kind in {"pseudo", "not_side"}:
        return [_Item("word", i + k, i + k + 1, ch, (ch,)) for k, ch in enumerate(phrase) if _CJK.match(ch)]
    if kind == "cue":
        return [_Item("cue", i, e, phrase, cue=table.cues[phrase])]
    if kind == "lexical":
        return [_Item("lexical", i, e, phrase, lexical=table.lexical[phrase])]
    if kind == "side":
        return [_Item("side", i, e, phrase, side=table.sides[phrase])]
    if kind == "term":
        return [_Item("term", i, e, phrase)]
    if kind == "alias":
        return [_Item("word", i, e, phrase, tuple(table.aliases[phrase]), alias=True)]
    return [_Item("stop", i, e, phrase)]


def _number_clauses(items: list[_Item]) -> None:
    clause = piece = 0
    for item in items:
        if item.kind == "sep":
            clause += 1
        if item.kind == "sep" or item.text == ",":
            piece += 1
        item.clause = clause
        item.piece = piece


# ---------------------------------------------------------------------------
# reading the items

_POLARITY_KINDS = frozenset({"cue", "lexical"})
# affirmations that only introduce a name, so a negation before them negates the name ("no evidence of")
_INTRODUCERS = frozenset(
    {"evidence of", "signs of", "sign of", "new", "persistent", "recurrent", "ongoing", "continued", "able to"}
)
_COMPOSING = frozenset({"absent", "present", "negative"})  # cues that combine with a status cue right after them
_COPULAS = frozenset(
    {
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "being",
        "remain",
        "remains",
        "remained",
        "appear",
        "appears",
        "appeared",
        "became",
        "become",
        "becomes",
        "seem",
        "seems",
        "seemed",
        "look",
        "looks",
        "looked",
        "felt",
        "feels",
    }
)
EN_REACH = 4  # content words in one list item
EN_TOTAL = 24
ZH_REACH = 16  # characters


def _is_status(item: _Item) -> bool:
    return (item.kind == "cue" and item.cue is not None and item.cue.category in POLARITY) or item.kind == "lexical"


def _interpret(items: list[_Item], table: CueTable, language: str) -> Reading:
    claimed: dict[int, int] = {}  # item index -> index of the status cue whose reach holds it
    scopes: dict[int, list[int]] = {}
    modifiers: dict[int, set[str]] = {}
    # a negation right before a status cue or word turns it over ("not elevated", "无异常");
    # an affirmation before one adds nothing ("reported negative", "可见明显异常")
    for k, item in enumerate(items):
        if item.kind != "cue" or item.cue is None or item.cue.category not in _COMPOSING or not item.cue.before:
            continue
        nxt = _next_meaningful(items, k)
        if nxt is not None and _category(items[nxt]) == "present" and items[nxt].text not in _INTRODUCERS:
            continue  # "resolved with steroids": the second cue starts a phrase of its own
        if nxt is not None and _is_status(items[nxt]) and items[nxt].clause == item.clause:
            if item.cue.category in {"absent", "negative"} and _status(items[nxt]) in {"present", "positive", "abnormal"}:
                items[nxt].flipped = not items[nxt].flipped  # "no evidence of", "negative for focal deficits"
            elif item.cue.category == "absent":
                items[nxt].flipped = not items[nxt].flipped  # "not normal"
            items[nxt].lead = min(items[nxt].lead if items[nxt].lead is not None else items[nxt].start, item.start)
            item.kind = "stop"
    backward: list[int] = []
    for k, item in enumerate(items):
        if item.kind != "cue" or item.cue is None:
            continue
        reach = _reach(items, k, language, modifiers_only=item.cue.category not in POLARITY)
        if item.cue.category not in POLARITY:
            for index in reach:
                modifiers.setdefault(index, set()).add(item.cue.category)
        elif reach and reach[0] < k:
            backward.append(k)  # claims what no cue before it claimed ("No murmurs noted": absent)
            scopes[k] = reach
        else:
            scopes[k] = reach
            for index in reach:
                claimed.setdefault(index, k)
    for k in backward:  # a status said after its subject outweighs an affirmation before it ("X线片示假体位置良好")
        if items[k].cue is not None and items[k].cue.category != "present":
            for index in scopes[k]:
                owner = claimed.get(index)
                if owner is not None and owner < k and _category(items[owner]) == "present":
                    del claimed[index]
                    scopes[owner] = [i for i in scopes[owner] if i != index]
                    if not scopes[owner]:
                        del scopes[owner]  # nothing left to affirm (and no clause before to speak of)
    for k in backward:
        reach = [index for index in scopes[k] if index not in claimed]
        if not reach:
            del scopes[k]
            continue
        scopes[k] = reach
        for index in reach:
            claimed[index] = k
    clause_keys = _clause_keys(items, language)

    def make(indices: list[int], status: str, cue: tuple[int, int] | None, clause: int, extra: set[str], **more) -> None:
        parts = _parts(items, indices, language)
        if not parts:
            return
        mods = set().union(*(modifiers.get(i, set()) for i in indices)) | extra
        first, last = items[indices[0]], items[indices[-1]]
        if cue is None:  # reaches back over the little words before it
            lead = indices[0]
            while lead > 0 and items[lead - 1].kind == "stop":
                lead -= 1
            cue = (items[lead].start, last.end)
        assertions.append(
            Assertion(
                frozenset(k for k, _, _ in parts),
                _text(items, indices, language),
                first.start,
                last.end,
                cue[0],
                cue[1],
                status,
                "possible" in mods,
                "historical" in mods,
                clause_keys.get(clause, frozenset()),
                parts=tuple(parts),
                **more,
            )
        )

    assertions: list[Assertion] = []
    for k, reach in scopes.items():
        cue = items[k]
        status = _status(cue)
        if reach:
            for group in _groups(items, reach):
                make(group, status, (_lead(cue), cue.end), cue.piece, modifiers.get(k, set()))
            continue
        if _opens_a_cell(items, k):
            continue  # a table cell of a status alone ("| 阴性 |": a reference range, a flag) speaks of no other cell
        # an affirmation before its finding ("that has since ...") speaks of nothing when nothing follows
        speaks_back = status != "present" or (cue.cue is not None and not cue.cue.before)
        previous = _previous_clause(items, k) if speaks_back else []
        if previous:  # the clause before is what the cue speaks of, not a finding of its own
            for index in previous:
                claimed[index] = k
            make(previous, status, (_lead_back(items, k), cue.end), cue.piece, modifiers.get(k, set()), inherited=True)
        elif cue.cue is not None and cue.cue.category in {"normal", "abnormal", "positive", "negative"}:
            # "The patient was normal before ...": a status of nothing named, told apart by its surroundings
            assertions.append(
                Assertion(
                    frozenset({NOTHING_NAMED}),
                    cue.text,
                    cue.start,
                    cue.end,
                    _lead_back(items, k),
                    cue.end,
                    status,
                    "possible" in modifiers.get(k, set()),
                    "historical" in modifiers.get(k, set()),
                    clause_keys.get(cue.piece, frozenset()),
                    inherited=True,
                    parts=((NOTHING_NAMED, cue.start, cue.end),),
                )
            )
    for k, item in enumerate(items):
        if item.kind != "lexical" or item.lexical is None:
            continue
        concept, status = item.lexical
        if item.flipped:
            status = OPPOSITE[status]
        keys = _fold_keys([concept], language)
        mods = modifiers.get(k, set())
        assertions.append(
            Assertion(
                frozenset(keys),
                item.text,
                item.start,
                item.end,
                _lead(item),
                item.end,
                status,
                "possible" in mods,
                "historical" in mods,
                clause_keys.get(item.piece, frozenset()),
                parts=tuple((key, item.start, item.end) for key in keys),
            )
        )
    for chunk in _unclaimed_chunks(items, claimed, language):
        make(chunk, "present", None, items[chunk[0]].piece, set(), has_cue=False, measured=_measured(items, chunk[-1]))
    assertions.sort(key=lambda a: a.span)
    all_keys = frozenset().union(*clause_keys.values()) if clause_keys else frozenset()
    return Reading(assertions, _sides(items, language), all_keys)


def _measured(items: list[_Item], last: int) -> bool:
    """Is the name that ends at ``items[last]`` a measurement's ("体温39℃", "temperature
    38.5") named for its finding, followed by its value (a quiet span)?"""
    if not items[last].alias:
        return False
    for item in items[last + 1 : last + 3]:
        if item.kind != "stop":
            return False
        if item.text == "":
            return True
    return False


def _lead(item: _Item) -> int:
    return item.start if item.lead is None else item.lead


def _lead_back(items: list[_Item], k: int) -> int:
    """Where a cue with nothing in reach begins, with the little words before it ("did
    have any focal signs": where a "not" may have been taken out)."""
    start = _lead(items[k])
    j, seen = k - 1, 0
    while j >= 0 and items[j].kind == "stop" and seen < 4:
        start = items[j].start
        j -= 1
        seen += 1
    return start


def _category(item: _Item) -> str | None:
    return item.cue.category if item.kind == "cue" and item.cue is not None else None


def _status(cue: _Item) -> str:
    status = cue.cue.category if cue.cue is not None else "present"
    return OPPOSITE[status] if cue.flipped else status


def _next_meaningful(items: list[_Item], k: int) -> int | None:
    for j in range(k + 1, len(items)):
        if items[j].kind == "stop":
            continue
        return j
    return None


def _reach(items: list[_Item], k: int, language: str, modifiers_only: bool) -> list[int]:
    """Indices of the content items a cue governs."""
    cue = items[k].cue
    assert cue is not None
    forward = _forward(items, k, language, modifiers_only)
    backward = _backward(items, k, language, modifiers_only)
    if cue.before and cue.after:  # "normal LFTs", but "LFTs were normal as mentioned", "二便正常"
        nxt = k + 1
        while nxt < len(items) and items[nxt].kind == "stop" and (language == "zh" or items[nxt].soft):
            nxt += 1
        predicate = language == "en" and k > 0 and items[k - 1].text in _COPULAS
        follows = nxt < len(items) and items[nxt].kind in {"word", "side"} and items[nxt].clause == items[k].clause
        return forward if follows and forward and not predicate else backward
    if cue.category not in {"absent", "present"}:
        return forward if cue.before else backward  # nothing there: it speaks of the clause before
    # an affirmation or negation with nothing on its side speaks of the other side ("肝脾肋下可触及")
    return (forward or backward) if cue.before else (backward or forward)


def _stops(item: _Item, modifiers_only: bool) -> bool:
    if item.kind in {"sep", "term"}:
        return True
    if item.kind in _POLARITY_KINDS and not modifiers_only:
        return _is_status(item)
    return False


def _forward(items: list[_Item], k: int, language: str, modifiers_only: bool) -> list[int]:
    found: list[int] = []
    item_words = 0
    chars = 0
    closed = False  # the list item's words ended ("for six weeks"); the list may go on
    for j in range(k + 1, len(items)):
        item = items[j]
        if item.kind == "term" and item.text == "that" and j == k + 1:
            continue  # "denies that he loses consciousness"
        if _stops(item, modifiers_only):
            break
        if item.kind == "item_end":
            closed = closed or item_words > 0  # "no pain in the leg", but "not in the chart"
            continue
        if item.kind == "list":
            if language == "zh":
                chars = 0  # "无恶心、呕吐、腹泻": the reach is counted per item
            if language == "en" and (
                (item.text == "," and (not found or not _short_item_follows(items, j))) or _clause_follows(items, j)
            ):
                break  # "did not, initially, ...": a comma before anything is in reach ends it
            item_words = 0
            closed = False
            continue
        if closed:
            continue
        if item.kind in {"word", "side"}:
            if item.kind == "word":
                item_words += 1
                chars += item.end - item.start
                if language == "en" and (item_words > EN_REACH or len(found) >= EN_TOTAL):
                    break
                if language == "zh" and chars > ZH_REACH:
                    break
            found.append(j)
    return found


_AFFIRMING = frozenset({"some", "a", "an", "few", "several", "multiple", "many", "mild", "small", "large", "trace"})
_VERBS = frozenset({"was", "were", "is", "are", "has", "had", "have", "will", "did", "does", "do", "remained", "became"})


def _clause_follows(items: list[_Item], j: int) -> bool:
    """After "and"/"or"/",": a subject with its verb ("... infiltrates and pro-BNP was
    within normal limits"), a new clause rather than one more item of the list."""
    for item in items[j + 1 : j + 6]:
        if item.kind in {"sep", "list", "term", "cue", "lexical"}:
            return False
        if item.text in _VERBS or (item is items[j + 1] and item.text in _AFFIRMING):
            return True
    return False


def _short_item_follows(items: list[_Item], j: int) -> bool:
    """After a comma: a short list item ("denies fever, chills, or cough"), not a new clause."""
    words = 0
    for item in items[j + 1 :]:
        if not words and item.text in _AFFIRMING:
            return False  # "no hepatosplenomegaly, some masses": the masses are there
        if item.kind == "cue":
            return False  # "without fever, and if she does have UTI"
        if item.kind == "word":
            words += 1
        elif item.kind == "list" and item.text != "," and not words:
            continue  # ", or cough"
        elif item.kind in {"sep", "term", "list", "item_end"} or _is_status(item):
            break
    return 0 < words <= 3


def _backward(items: list[_Item], k: int, language: str, modifiers_only: bool) -> list[int]:
    found: list[int] = []
    chars = 0
    for j in range(k - 1, -1, -1):
        item = items[j]
        if _stops(item, modifiers_only) or (item.kind == "list" and language == "en" and item.text == ","):
            break
        if item.kind == "list":
            chars = 0  # "肌酐、谷丙转氨酶及血钾均已正常": counted per item
        if item.kind in {"word", "side"}:
            chars += item.end - item.start
            if (language == "en" and len(found) >= EN_REACH) or (language == "zh" and chars > ZH_REACH):
                break
            found.append(j)
    return sorted(found)


def _groups(items: list[_Item], reach: list[int]) -> list[list[int]]:
    """A reach cut at its list separators: "fever, chills, or cough" -> three findings."""
    groups: list[list[int]] = []
    current: list[int] = []
    previous = None
    for index in reach:
        if previous is not None and any(items[j].kind == "list" for j in range(previous + 1, index)):
            if current:
                groups.append(current)
            current = []
        current.append(index)
        previous = index
    if current:
        groups.append(current)
    return groups


def _opens_a_cell(items: list[_Item], k: int) -> bool:
    """Is ``items[k]`` the first thing in a table cell ("| 阴性 | 异常 |")?"""
    j = k - 1
    while j >= 0 and items[j].kind in {"stop", "item_end"}:
        j -= 1
    return j >= 0 and items[j].text == "|"


def _previous_clause(items: list[_Item], k: int) -> list[int]:
    """What a cue with nothing in reach speaks of: the words before the terminator that
    stopped it ("amylase and lipase were done, which were normal"), else the nearest
    clause (or comma-cut piece) before its own ("abdomen soft, within normal limits")."""
    j = k - 1
    while j >= 0 and items[j].kind in {"stop", "item_end"}:
        j -= 1
    if j >= 0 and items[j].kind == "term":
        found = []
        for i in range(j - 1, -1, -1):
            if items[i].kind in {"sep", "term", "cue", "lexical"} or items[i].text == "," or len(found) >= EN_REACH + 2:
                break
            if items[i].kind == "word":
                found.append(i)
        if found:
            return sorted(found)
    while j >= 0 and not (items[j].kind == "sep" or items[j].text == ","):
        j -= 1
    found = []
    for i in range(j - 1, -1, -1):
        item = items[i]
        if item.kind == "sep" or item.text == ",":
            if found:
                break
            continue
        if item.kind == "word":
            found.append(i)
    return sorted(found)


def _unclaimed_chunks(items: list[_Item], claimed: dict[int, int], language: str) -> list[list[int]]:
    """Runs of content no status cue governs (present by default), cut at cues and breaks."""
    chunks: list[list[int]] = []
    current: list[int] = []
    for j, item in enumerate(items):
        if item.kind == "word" and j not in claimed:
            current.append(j)
            continue
        if item.kind in {"stop", "side"} or (item.kind == "list" and language == "zh"):
            continue
        if item.kind == "cue" and item.cue is not None and item.cue.category not in POLARITY:
            continue
        if current:
            chunks.append(current)
        current = []
    if current:
        chunks.append(current)
    return chunks


def _fold_keys(words: list[str], language: str) -> list[str]:
    if language == "en":
        return [stem(w) for w in words if w]
    return [w for w in words if w]


def _parts(items: list[_Item], indices: list[int], language: str) -> list[tuple[str, int, int]]:
    """The folded keys of a finding's name with their spans: English word stems; Chinese
    character pairs (a single character when the name is one character long)."""
    if language == "en":
        return [(k, items[i].start, items[i].end) for i in indices if items[i].kind == "word" for k in items[i].keys]
    chars: list[tuple[str, int, int]] = []
    runs: list[list[tuple[str, int, int]]] = []
    previous = None
    for i in indices:
        item = items[i]
        if item.kind != "word":
            continue
        if previous is not None and not all(items[j].kind == "stop" for j in range(previous + 1, i)):
            runs.append(chars)
            chars = []
        if len(item.keys) == 1 and not _CJK.match(item.keys[0][:1]):
            runs.append(chars)
            runs.append([(item.keys[0], item.start, item.end)])
            chars = []
        else:
            chars.extend((ch, item.start, item.end) for ch in "".join(item.keys))
        previous = i
    runs.append(chars)
    parts: list[tuple[str, int, int]] = []
    for run in runs:
        if len(run) == 1:
            parts.append(run[0])
        parts.extend((a[0] + b[0], a[1], b[2]) for a, b in itertools.pairwise(run))
    return parts


def _keys(items: list[_Item], indices: list[int], language: str) -> frozenset[str]:
    return frozenset(k for k, _, _ in _parts(items, indices, language))


def _clause_keys(items: list[_Item], language: str) -> dict[int, frozenset[str]]:
    """The keys of each clause (English: each comma-cut piece), sides included: what
    surrounds a finding ("左侧巴氏征阳性，右侧巴氏征阴性" are two surroundings)."""
    by_clause: dict[int, list[int]] = {}
    extra: dict[int, set[str]] = {}
    for j, item in enumerate(items):
        if item.kind == "word":
            by_clause.setdefault(item.piece, []).append(j)
        elif item.kind == "side" and item.side:
            extra.setdefault(item.piece, set()).add("@" + item.side)
        elif item.kind == "lexical" and item.lexical is not None and item.lexical[0]:
            extra.setdefault(item.piece, set()).update(_fold_keys([item.lexical[0]], language))
    found = {clause: _keys(items, indices, language) for clause, indices in by_clause.items()}
    for clause, keys in extra.items():
        found[clause] = found.get(clause, frozenset()) | frozenset(keys)
    return found


def _text(items: list[_Item], indices: list[int], language: str) -> str:
    return ("" if language == "zh" else " ").join(items[i].text for i in indices)


def _sides(items: list[_Item], language: str) -> list[SideMention]:
    """Each side word with the body part after it ("left lower extremity", "右下肺",
    "左手掌"), or before it when nothing follows ("equal bilaterally")."""
    found: list[SideMention] = []
    for k, item in enumerate(items):
        if item.kind != "side" or item.side is None:
            continue
        body: list[int] = []
        for j in range(k + 1, len(items)):
            other = items[j]
            if other.kind == "stop":
                continue
            if other.kind != "word" or other.clause != item.clause:
                break
            body.append(j)
            if len(body) >= (3 if language == "en" else 4):
                break
        if not body:  # "equal bilaterally", "1+ edema on the left"
            for j in range(k - 1, -1, -1):
                other = items[j]
                if other.kind in {"stop", "item_end"}:
                    continue
                if other.kind != "word" or other.clause != item.clause:
                    break
                body.insert(0, j)
                if len(body) >= 3:
                    break
        keys = _keys(items, body, language)
        if keys:
            found.append(SideMention(item.side, keys, item.start, item.end, item.text))
    return found
