"""Measure the verifier on polarity and sides, zh and en, next to the value errors.

Faithful texts: the English discharge notes of ../shared/corpus/discharge-notes (read
in place; each note is its own record) and the Chinese notes of
tests/checks/data/zh_notes.txt (each note written to a temporary folder and read as a
record). For each text, a few drafts are made: some sentences get one error each, other
sentences get a faithful rewrite, the rest stay as they are. The draft is then checked
against the text it came from.

Error kinds (one per sentence):
    absent>present     a negated finding made present ("denies" -> "reports", "no X" -> "X",
                       "without" -> "with", 未闻及 -> 可闻及, 否认 -> 承认, 无明显 -> 有明显)
    present>absent     a present finding negated ("reports" -> "denies", 可见 -> 未见, 伴 -> 无)
    normal>abnormal    "normal" -> "abnormal", "unremarkable" -> "abnormal", 正常 -> 异常, 律齐 -> 律不齐
    abnormal>normal    "abnormal"/"elevated" -> "normal", 异常/升高 -> 正常
    negative>positive  "negative" -> "positive", 阴性 -> 阳性
    positive>negative  "positive" -> "negative", 阳性 -> 阴性
    side               left <-> right, bilateral -> one side, 左 <-> 右, 双侧 -> 左侧/右侧
    number, dose, unit, date, lab, drug   (measure_verifier.py's injectors)
Faithful rewrites: status said another way ("afebrile" -> "without fever", "denies" ->
"reports no", "within normal limits" <-> "normal", 未闻及 -> 无, 正常 <-> 未见异常,
阴性 -> (-)), and measure_verifier.py's value rewrites (units, dates, number words, ...).

The injectors and rewrites below are written from their own word lists: they do not
read the verifier's cue tables (emrwriter/facts/cues_*.toml).

    recall       = injected errors with a finding overlapping them / injected errors
    false flags  = rewritten faithful sentences with a finding overlapping them / rewritten
    untouched    = unchanged sentences with a finding overlapping them / unchanged sentences

A second set of word pairs (--pairs b), written after the rules were tuned on the first,
and a second file of Chinese notes (tests/checks/data/zh_notes_b.txt) show how far the
figures hold for errors worded otherwise.

Usage: python scripts/measure_polarity.py [--pairs a|b] [--seed 5] [--drafts 4] [--lang zh|en]
       [--zh-notes FILE] [--corpus FOLDER] [--verbose]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import measure_verifier as values  # noqa: E402  (the value injectors and rewrites)

from emrwriter.checks.evidence import build_evidence  # noqa: E402
from emrwriter.checks.verify import verify  # noqa: E402
from emrwriter.records.case import load_case  # noqa: E402
from emrwriter.records.model import RecordError  # noqa: E402
from emrwriter.records.stay import select_encounter  # noqa: E402
from emrwriter.records.text_encoding import decode_text  # noqa: E402
from emrwriter.templates import load_template  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "discharge-notes"
ZH_NOTES = ROOT / "tests" / "checks" / "data" / "zh_notes.txt"

POLARITY_KINDS = (
    "absent>present",
    "present>absent",
    "normal>abnormal",
    "abnormal>normal",
    "negative>positive",
    "positive>negative",
    "side",
)
VALUE_KINDS = ("number", "dose", "unit", "date", "lab", "drug")

# ---------------------------------------------------------------------------
# the script's own word pairs: (pattern, replacements); a replacement may use \1


def _cap(old: str, new: str) -> str:
    """``new`` with ``old``'s first-letter case."""
    if old[:1].isupper() and new:
        return new[0].upper() + new[1:]
    return new


EN_ERRORS: dict[str, list[tuple[str, list[str]]]] = {
    "absent>present": [
        (r"\b[Dd]enies( having)?\b", ["reports", "endorses", "complains of", "notes"]),
        (r"\b[Dd]enied( having)?\b", ["reported", "endorsed", "described", "admitted to"]),
        (r"\b[Nn]o evidence of\b", ["evidence of", "findings of"]),
        (r"\b[Nn]o (?=[a-z])", [""]),
        (r"\b[Ww]ithout\b", ["with"]),
        (r"\b(was|were|is|are|did|does) not\b", [r"\1"]),
        (r"\bruled out\b", ["confirmed", "diagnosed"]),
        (r"\babsent\b", ["present"]),
        (r"\b[Aa]febrile\b", ["febrile"]),
        (r"\b[Nn]on-?tender\b", ["tender"]),
        (r"\b[Nn]on-?distended\b", ["distended"]),
        (r"\bresolved\b", ["persisted", "worsened"]),
    ],
    "present>absent": [
        (r"\b(?:reports|endorses|complains of)\b", ["denies"]),
        (r"\b(?:reported|endorsed|complained of)\b", ["denied"]),
        (r"\b(had|has|with|developed) (?:a |an |some )?(?=[a-z]{4,})(?!no\b|not\b|been\b|the\b|this\b)", [r"\1 no "]),
        (r"\b(revealed|showed|demonstrated)\b(?! no\b)", [r"\1 no"]),
        (r"(?<![Aa])\bfebrile\b", ["afebrile"]),
        (r"(?<!non)(?<!non-)\btender\b", ["nontender"]),
        (r"(?<!non)(?<!non-)\bdistended\b", ["nondistended"]),
    ],
    "normal>abnormal": [
        (r"(?<![Aa]b)\b[Nn]ormal\b", ["abnormal"]),
        (r"\bwithin normal limits\b", ["outside normal limits", "abnormal"]),
        (r"\b[Uu]nremarkable\b", ["abnormal", "remarkable"]),
        (r"(?<!ir)\bregular\b", ["irregular"]),
        (r"(?<!un)\bstable\b", ["unstable"]),
        (r"\bintact\b", ["impaired"]),
    ],
    "abnormal>normal": [
        (r"\b[Aa]bnormal\b", ["normal"]),
        (r"\b[Ee]levated\b", ["normal"]),
        (r"\birregular\b", ["regular"]),
        (r"\bunstable\b", ["stable"]),
        (r"\bimpaired\b", ["intact"]),
    ],
    "negative>positive": [(r"\b[Nn]egative\b", ["positive"])],
    "positive>negative": [(r"\b[Pp]ositive\b", ["negative"])],
    "side": [
        (
            r"\b[Ll]eft(?=[ -](?!the\b|home\b|against\b|AMA\b|with\b|for\b|at\b|in\b|on\b|to\b|after\b|message\b|a\b|an\b)[a-z])",
            ["right"],
        ),
        (r"\b[Rr]ight(?=[ -](?!away\b|now\b|after\b|before\b|to\b|at\b)[a-z])", ["left"]),
        (r"\b[Bb]ilateral\b", ["left", "right"]),
        (r"\bbilaterally\b", ["on the left", "on the right"]),
    ],
}

ZH_NOT_AFTER_WU = "菌创需法痛规效"
ZH_ERRORS: dict[str, list[tuple[str, list[str]]]] = {
    "absent>present": [
        (r"未闻及", ["可闻及", "闻及"]),
        (r"未触及|未扪及", ["可触及", "触及"]),
        (r"未见(?!明显异常|异常)", ["可见", "见"]),
        (r"否认", ["承认", "有"]),
        (r"无明显(?!诱因)", ["有明显"]),
        (rf"(?<![未并])无(?![{ZH_NOT_AFTER_WU}明])(?=[\u4e00-\u9fff])", ["有", "伴"]),
        (r"未引出", ["引出", "可引出"]),
        (r"未再", ["再次"]),
        (r"未出现", ["出现"]),
        (r"未诉", ["诉"]),
        (r"不伴", ["伴"]),
        (r"消失", ["仍存在"]),
    ],
    "present>absent": [
        (r"(?<!不)伴(?!有?随)", ["无"]),
        (r"(?<![未])可见", ["未见"]),
        (r"(?<![未])可闻及", ["未闻及"]),
        (r"(?<![未])可触及", ["未触及"]),
        (r"(?<![未])出现", ["未出现"]),
        (r"(?<![未没具所])有(?![效关所利助限])", ["无"]),
    ],
    "normal>abnormal": [
        (r"未见(?:明显)?异常", ["可见异常", "异常", "明显异常"]),
        (r"(?<!恢复)正常", ["异常"]),
        (r"律齐", ["律不齐"]),
        (r"等大等圆", ["不等大"]),
        (r"灵敏", ["迟钝"]),
        (r"良好", ["不良", "欠佳"]),
        (r"(?<![不])规律", ["不规律"]),
        (r"呼吸音清", ["呼吸音粗"]),
    ],
    "abnormal>normal": [
        (r"(?<![未见无])异常", ["正常"]),
        (r"减弱", ["正常"]),
        (r"升高|增高", ["正常"]),
        (r"不齐", ["齐"]),
    ],
    "negative>positive": [(r"阴性", ["阳性"])],
    "positive>negative": [(r"阳性", ["阴性"])],
    "side": [
        (r"(?<![左右])左(?![右氧旋甲西乙卡])", ["右"]),
        (r"(?<![左右])右(?![旋美])", ["左"]),
        (r"双侧|两侧", ["左侧", "右侧"]),
        (r"双(?=[下上]肢|肺|肾|眼|足|手|膝|髋)", ["左", "右"]),
    ],
}

EN_REWRITES: list[tuple[str, list[str]]] = [
    (r"\b[Aa]febrile\b", ["without fever", "with no fever"]),
    (r"\b[Dd]enies (?:any )?", ["reports no ", "has no "]),
    (r"\b[Dd]enied (?:any )?", ["reported no ", "had no "]),
    (r"\b[Nn]o evidence of\b", ["no", "no signs of"]),
    (r"\bwithout (?:any )?", ["with no ", "without evidence of "]),
    (r"\bnegative for\b", ["without evidence of", "negative for any"]),
    (r"\bwithin normal limits\b", ["normal"]),
    (r"\b(was|were|is|are) normal\b", [r"\1 within normal limits", r"\1 unremarkable"]),
    (r"\b[Uu]nremarkable\b", ["normal", "within normal limits"]),
    (r"\b[Nn]on-?tender\b", ["not tender"]),
    (r"\b[Nn]on-?distended\b", ["not distended"]),
    (r"\bruled out\b", ["excluded"]),
    (r"\b(was|were) negative\b", [r"\1 reported negative"]),
    (r"\b(was|were|is|are) not\b", [r"\1n't"]),
]
ZH_REWRITES: list[tuple[str, list[str]]] = [
    (r"未闻及(?:明显)?", ["无", "未及"]),
    (r"无明显(?!诱因)", ["无"]),
    (r"否认", ["无"]),
    (r"未见明显异常", ["未见异常", "正常", "无异常"]),
    (r"未见异常", ["正常", "无异常"]),
    (r"(?<!恢复)(?<!降至)正常", ["未见异常", "无异常"]),
    (r"阴性", ["（-）"]),
    (r"阳性", ["（+）"]),
    (rf"(?<![未并])无(?![{ZH_NOT_AFTER_WU}明])", ["没有"]),
    (r"未触及", ["未扪及"]),
    (r"无发热", ["体温正常", "不发热"]),
    (r"体温正常", ["无发热"]),
    (r"无水肿", ["不肿"]),
    (r"双侧", ["两侧"]),
]


# A second set of word pairs, written after the rules were tuned on the first, to see how
# far the figures hold for errors worded otherwise ("concerning for", "accompanied by",
# "见到", "自诉有"; "Lungs congested", "瞳孔不等大").
EN_ERRORS_B: dict[str, list[tuple[str, list[str]]]] = {
    "absent>present": [
        (r"\b[Nn]o (?=[a-z])", ["some ", "a "]),
        (r"\b[Dd]enie[sd]\b", ["has", "had", "experienced"]),
        (r"\bwithout\b", ["along with", "accompanied by"]),
        (r"\bnot\b ", [""]),
        (r"\bnone\b", ["some"]),
        (r"\b[Nn]egative for\b", ["concerning for", "showing"]),
    ],
    "present>absent": [(r"\b(?:showed|revealed|demonstrated)\b", ["showed no", "ruled out"]), (r"\b(?:with)\b", ["without"])],
    "normal>abnormal": [
        (r"(?<![Aa]b)\b[Nn]ormal\b", ["elevated", "decreased", "impaired"]),
        (r"\bclear\b", ["congested", "diminished"]),
        (r"\bintact\b", ["decreased"]),
        (r"\b[Uu]nremarkable\b", ["concerning", "significant"]),
        (r"\bsoft\b", ["rigid", "firm"]),
    ],
    "abnormal>normal": [(r"\b(?:elevated|decreased|increased|low|high)\b", ["normal"])],
    "negative>positive": [(r"\b[Nn]egative\b", ["positive", "reactive"])],
    "positive>negative": [(r"\b[Pp]ositive\b", ["negative"])],
    "side": [
        (r"\b[Ll]eft\b(?= [a-z]{3,})(?! the\b| home| against| with| for)", ["right"]),
        (r"\b[Rr]ight\b(?= [a-z]{3,})(?! away| now)", ["left"]),
    ],
}
ZH_ERRORS_B: dict[str, list[tuple[str, list[str]]]] = {
    "absent>present": [
        (r"无(?=[\u4e00-\u9fff]{2})(?!菌|创|需|法|痛|明显诱因)", ["可见", "出现"]),
        (r"未见", ["发现", "见到"]),
        (r"未闻及", ["闻及明显"]),
        (r"否认", ["自诉有"]),
        (r"未触及", ["触及肿大"]),
        (r"未引出", ["阳性"]),
    ],
    "present>absent": [(r"(?<!未)可闻及", ["未闻及"]), (r"(?<![不])伴", ["不伴"])],
    "normal>abnormal": [
        (r"正常", ["增高", "减弱", "异常"]),
        (r"未见异常", ["异常"]),
        (r"等大", ["不等大"]),
        (r"(?<=呼吸音)清", ["粗"]),
        (r"存在", ["消失"]),
    ],
    "abnormal>normal": [(r"(?<!未见)(?:增高|升高|下降|延长)", ["正常"])],
    "negative>positive": [(r"阴性", ["阳性", "（+）"])],
    "positive>negative": [(r"阳性", ["阴性", "（-）"])],
    "side": [(r"左(?![右氧旋])", ["右"]), (r"右(?!旋)", ["左"])],
}
EN_REWRITES_B: list[tuple[str, list[str]]] = [
    (r"\b[Nn]o (?=[a-z])", ["negative for ", "no evidence of "]),
    (r"\b[Dd]enies\b", ["is negative for", "reports no"]),
    (r"\b(was|were) normal\b", [r"\1 unremarkable", r"\1 within normal limits"]),
    (r"\b[Aa]febrile\b", ["without fever", "afebrile"]),
    (r"\bwithout\b", ["with no"]),
]
ZH_REWRITES_B: list[tuple[str, list[str]]] = [
    (r"未闻及", ["未及", "无"]),
    (r"正常", ["未见异常", "无异常"]),
    (r"未见异常", ["正常"]),
    (r"无(?=[\u4e00-\u9fff])(?!菌|创|需|法|痛|明显诱因)", ["未见", "没有"]),
    (r"阴性", ["（-）"]),
    (r"否认", ["无"]),
]


PAIRS = {
    "a": (EN_ERRORS, ZH_ERRORS, EN_REWRITES, ZH_REWRITES),
    "b": (EN_ERRORS_B, ZH_ERRORS_B, EN_REWRITES_B, ZH_REWRITES_B),
}


def use_pairs(name: str) -> None:
    """Inject and rewrite with word-pair set ``name`` ("a", the default, or "b")."""
    global EN_ERRORS, ZH_ERRORS, EN_REWRITES, ZH_REWRITES
    EN_ERRORS, ZH_ERRORS, EN_REWRITES, ZH_REWRITES = PAIRS[name]


def _choices(table: list[tuple[str, list[str]]], sentence: str) -> list[tuple[re.Match[str], list[str]]]:
    found = []
    for pattern, news in table:
        for match in re.finditer(pattern, sentence):
            found.append((match, news))
    return found


def polarity_edit(text: str, s: int, e: int, kind: str, zh: bool, rng: random.Random) -> values.Edit | None:
    table = (ZH_ERRORS if zh else EN_ERRORS)[kind]
    found = _choices(table, text[s:e])
    if not found:
        return None
    match, news = rng.choice(found)
    new = _cap(match.group(), match.expand(rng.choice(news)))
    if new == match.group():
        return None
    return values.Edit(s + match.start(), s + match.end(), new, kind)


def polarity_rewrite(sentence: str, zh: bool, rng: random.Random) -> str | None:
    found = _choices(ZH_REWRITES if zh else EN_REWRITES, sentence)
    if not found:
        return None
    match, news = rng.choice(found)
    new = _cap(match.group(), match.expand(rng.choice(news)))
    return sentence[: match.start()] + new + sentence[match.end() :]


# ---------------------------------------------------------------------------
# one draft


def make_draft(
    text: str, zh: bool, rng: random.Random, errors: int, values_errors: int, rewrites: int
) -> tuple[values.Draft, dict[tuple[int, int], str]]:
    """A draft with ``errors`` polarity/side errors, ``values_errors`` value errors and
    ``rewrites`` faithful rewrites (half of them polarity rewrites), each in its own sentence."""
    spans = values.sentences(text)
    order = list(range(len(spans)))
    rng.shuffle(order)
    edits: list[values.Edit] = []
    touched: set[int] = set()
    rewritten: set[int] = set()
    rewrite_kind: dict[int, str] = {}
    wanted = Counter({"polarity": errors, "value": values_errors})
    for index in order:
        if not wanted["polarity"] and not wanted["value"]:
            break
        s, e = spans[index]
        pools = [p for p in ("polarity", "value") if wanted[p]]
        rng.shuffle(pools)
        for pool in pools:
            kinds = list(POLARITY_KINDS if pool == "polarity" else VALUE_KINDS)
            rng.shuffle(kinds)
            edit = None
            for kind in kinds:
                if pool == "polarity":
                    edit = polarity_edit(text, s, e, kind, zh, rng)
                else:
                    edit = values.error_edits(text, s, e, kind, rng)
                if edit is not None and edit.new != text[edit.start : edit.end]:
                    break
                edit = None
            if edit is not None:
                edits.append(edit)
                touched.add(index)
                wanted[pool] -= 1
                break
    for kind in ("status", "value"):  # half the rewrites say a status another way, the rest rewrite values
        limit = (rewrites + 1) // 2 if kind == "status" else rewrites
        for index in order:
            if len(rewritten) >= limit:
                break
            if index in touched:
                continue
            s, e = spans[index]
            if kind == "status":
                new = polarity_rewrite(text[s:e], zh, rng)
            else:
                new = values.rewrite_sentence(text[s:e], zh, rng)
            if new is not None and new != text[s:e]:
                edits.append(values.Edit(s, e, new, "rewrite"))
                rewritten.add(index)
                touched.add(index)
                rewrite_kind[index] = kind
    draft = values.build_draft(text, spans, edits, rewritten, touched)
    kinds = {}
    for position, index in enumerate(sorted(rewritten)):
        kinds[draft.rewritten[position]] = rewrite_kind[index]
    return draft, kinds


# ---------------------------------------------------------------------------
# texts


@dataclass
class Text:
    language: str
    name: str
    record: Path  # what load_case reads
    file: Path  # the note itself


def zh_notes(path: Path = ZH_NOTES) -> list[tuple[str, str]]:
    """(title, text) of each note of the Chinese notes file."""
    notes: list[tuple[str, str]] = []
    title, lines = None, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            if title is not None:
                notes.append((title, "\n".join(lines).strip() + "\n"))
            title, lines = line[4:].strip(), []
        elif title is not None and not line.startswith("#"):
            lines.append(line)
    if title is not None:
        notes.append((title, "\n".join(lines).strip() + "\n"))
    return notes


def texts(lang: str | None, folder: Path, zh_path: Path, corpus: Path = CORPUS) -> list[Text]:
    found: list[Text] = []
    if lang in (None, "zh"):
        for number, (title, body) in enumerate(zh_notes(zh_path)):
            place = folder / f"zh{number:02d}"
            place.mkdir()
            name = ("出院记录" if "出院" in title else "病程记录") + ".txt"
            (place / name).write_text(body, encoding="utf-8")
            found.append(Text("zh", title, place, place / name))
    if lang in (None, "en") and corpus.is_dir():
        for file in sorted(corpus.glob("*.txt")):
            if file.name.startswith(("LICENSE", "NOTICE", "UPSTREAM")):
                continue
            found.append(Text("en", file.name, file, file))
    return found


# ---------------------------------------------------------------------------
# running


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--drafts", type=int, default=4, help="drafts per text")
    parser.add_argument("--errors", type=int, default=4, help="polarity and side errors per draft")
    parser.add_argument("--value-errors", type=int, default=2, help="number, unit, date, drug errors per draft")
    parser.add_argument("--rewrites", type=int, default=6, help="rewritten sentences per draft")
    parser.add_argument("--lang", choices=("zh", "en"))
    parser.add_argument("--pairs", choices=sorted(PAIRS), default="a", help="word-pair set of the injectors and rewrites")
    parser.add_argument("--zh-notes", type=Path, default=ZH_NOTES)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of English notes")
    parser.add_argument("--verbose", action="store_true", help="list every miss and false flag")
    args = parser.parse_args(argv)
    use_pairs(args.pairs)
    rng = random.Random(args.seed)
    templates = {"zh": load_template("discharge_summary_zh"), "en": load_template("discharge_summary_en")}
    injected: dict[str, Counter] = defaultdict(Counter)
    caught: dict[str, Counter] = defaultdict(Counter)
    rewritten: dict[str, Counter] = defaultdict(Counter)
    flagged: dict[str, Counter] = defaultdict(Counter)
    untouched, untouched_flagged = Counter(), Counter()
    misses: list[str] = []
    false_flags: list[str] = []
    with tempfile.TemporaryDirectory() as temp:
        for item in texts(args.lang, Path(temp), args.zh_notes, args.corpus):
            try:
                stay = select_encounter(load_case(item.record))
            except RecordError as exc:
                print(f"skipped {item.name}: {exc}", file=sys.stderr)
                continue
            evidence = build_evidence(stay)
            text, _ = decode_text(item.file.read_bytes(), str(item.file))
            text = text.replace("\r\n", "\n")
            lang = item.language
            for _ in range(args.drafts):
                draft, rewrite_kinds = make_draft(text, lang == "zh", rng, args.errors, args.value_errors, args.rewrites)
                report = verify(stay, draft.text, templates[lang], evidence=evidence)
                spans = [(f.start, f.end) for f in report.findings]
                for start, end, kind, _note in draft.errors:
                    injected[lang][kind] += 1
                    hit = any(values.overlaps((start, end), span) or values.overlaps(span, (start, end)) for span in spans)
                    caught[lang][kind] += hit
                    if not hit:
                        line_start = draft.text.rfind("\n", 0, start) + 1
                        line_end = draft.text.find("\n", end)
                        context = draft.text[max(line_start, start - 70) : line_end if line_end >= 0 else None][:180]
                        misses.append(f"[{lang} {kind}] {item.name}: {context!r} (changed to {draft.text[start:end]!r})")
                for span in draft.rewritten:
                    kind = rewrite_kinds.get(span, "value")
                    rewritten[lang][kind] += 1
                    hits = [f for f in report.findings if values.overlaps((f.start, f.end), span)]
                    if hits:
                        flagged[lang][kind] += 1
                        f = hits[0]
                        false_flags.append(
                            f"[{lang} {kind}] {item.name}: {draft.text[span[0] : span[1]][:160]!r} -> {f.kind} {f.text!r}: {f.message}"
                        )
                for span in draft.untouched:
                    untouched[lang] += 1
                    hits = [f for f in report.findings if values.overlaps((f.start, f.end), span)]
                    if hits:
                        untouched_flagged[lang] += 1
                        f = hits[0]
                        false_flags.append(
                            f"[{lang} untouched] {item.name}: {draft.text[span[0] : span[1]][:160]!r} -> {f.kind} {f.text!r}: {f.message}"
                        )
    print(
        f"polarity measurement (pairs {args.pairs}, seed {args.seed}, {args.drafts} drafts per text, {args.errors} polarity/side and "
        f"{args.value_errors} value errors, {args.rewrites} rewrites per draft)"
    )
    for lang in ("zh", "en"):
        total = sum(injected[lang].values())
        if not total:
            continue
        hits = sum(caught[lang].values())
        print(f"{lang}: recall {hits / total:.3f} ({hits}/{total})")
        for group in (POLARITY_KINDS, VALUE_KINDS):
            n = sum(injected[lang][k] for k in group)
            c = sum(caught[lang][k] for k in group)
            label = "polarity+side" if group is POLARITY_KINDS else "values"
            if n:
                print(f"  {label}: {c / n:.3f} ({c}/{n})")
            for kind in group:
                if injected[lang][kind]:
                    print(
                        f"    {kind:18} {caught[lang][kind] / injected[lang][kind]:.3f} ({caught[lang][kind]}/{injected[lang][kind]})"
                    )
        n_rewritten = sum(rewritten[lang].values())
        n_flagged = sum(flagged[lang].values())
        rate = n_flagged / n_rewritten if n_rewritten else 0.0
        detail = ", ".join(f"{k} {flagged[lang][k]}/{rewritten[lang][k]}" for k in sorted(rewritten[lang]))
        print(f"{lang}: false-flag rate {rate:.3f} ({n_flagged}/{n_rewritten} rewritten faithful sentences flagged; {detail})")
        if untouched[lang]:
            print(
                f"{lang}: untouched sentences flagged {untouched_flagged[lang] / untouched[lang]:.3f} "
                f"({untouched_flagged[lang]}/{untouched[lang]})"
            )
    if args.verbose:
        print("\nmisses:")
        for line in misses:
            print("  " + line)
        print("\nfalse flags:")
        for line in false_flags:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
