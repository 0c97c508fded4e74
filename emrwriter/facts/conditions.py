"""Find diagnosis terms in zh and en text ("acute kidney injury", "社区获得性肺炎").

A term is a disease head word (by its ending: -itis, -emia, -pathy, 炎, 病,
衰竭 ...; or a listed noun: failure, infection, fracture ...) with the words
that qualify it. Abbreviations are expanded so that "CHF" and "congestive
heart failure" are one term. Rules only: enough to notice a diagnosis that the
record never names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EN_HEAD_ENDINGS = (
    "itis",
    "osis",
    "emia",
    "aemia",
    "oma",
    "omas",
    "pathy",
    "plegia",
    "paresis",
    "algia",
    "megaly",
    "trophy",
    "penia",
    "cytosis",
    "uria",
    "rrhea",
    "rrhage",
    "iasis",
    "ectasis",
    "ism",
    "plasia",
    "ectomy",
)
EN_HEADS = frozenset(
    [
        "failure",
        "disease",
        "disorder",
        "syndrome",
        "infection",
        "injury",
        "infarction",
        "insufficiency",
        "fracture",
        "cancer",
        "carcinoma",
        "tumor",
        "tumour",
        "stenosis",
        "effusion",
        "edema",
        "oedema",
        "embolism",
        "thrombosis",
        "hemorrhage",
        "haemorrhage",
        "bleed",
        "bleeding",
        "ulcer",
        "obstruction",
        "pneumonia",
        "sepsis",
        "diabetes",
        "hypertension",
        "hypotension",
        "asthma",
        "stroke",
        "dementia",
        "delirium",
        "arrhythmia",
        "fibrillation",
        "flutter",
        "abscess",
        "hernia",
        "gout",
        "depression",
        "schizophrenia",
        "transplant",
        "transplantation",
        "dissection",
        "aneurysm",
        "regurgitation",
        "calcification",
        "lesion",
        "nodule",
        "cyst",
        "polyp",
        "shock",
        "overdose",
        "withdrawal",
        "dehydration",
        "malnutrition",
        "obesity",
        "pneumothorax",
        "retinopathy",
        "cardiomyopathy",
        "neuropathy",
        "nephropathy",
        "encephalopathy",
        "hyperlipidemia",
        "hyponatremia",
        "hypokalemia",
        "hyperkalemia",
        "anemia",
        "leukocytosis",
        "copd",
        "chf",
        "cad",
        "ckd",
        "aki",
        "mi",
        "nstemi",
        "stemi",
        "cva",
        "tia",
        "dvt",
        "uti",
        "gerd",
        "htn",
        "afib",
        "hfref",
        "hfpef",
        "hfmref",
        "acs",
        "ards",
        "esrd",
        "osa",
        "bph",
    ]
)
EN_GENERIC = frozenset(
    [
        "acute",
        "chronic",
        "severe",
        "mild",
        "moderate",
        "new",
        "known",
        "possible",
        "likely",
        "probable",
        "suspected",
        "history",
        "recurrent",
        "bilateral",
        "left",
        "right",
        "early",
        "late",
        "stage",
        "type",
        "primary",
        "secondary",
        "underlying",
        "significant",
        "small",
        "large",
        "worsening",
        "improving",
        "active",
        "resolved",
        "decompensated",
        "compensated",
        "uncontrolled",
        "controlled",
        "exacerbation",
        "of",
        "the",
        "a",
        "an",
        "with",
        "without",
        "and",
        "or",
        "on",
        "in",
        "to",
        "status",
        "post",
        "s/p",
    ]
)
EN_VERBS = frozenset(
    [
        "had",
        "has",
        "have",
        "was",
        "were",
        "is",
        "are",
        "be",
        "manage",
        "managed",
        "undergo",
        "underwent",
        "treat",
        "treated",
        "diagnose",
        "diagnosed",
        "develop",
        "developed",
        "prevent",
        "avoid",
        "rule",
        "ruled",
        "exclude",
        "excluded",
        "suggest",
        "suggests",
        "suggestive",
        "consistent",
        "concern",
        "concerning",
        "evaluate",
        "evaluation",
        "risk",
        "due",
        "given",
        "secondary",
        "from",
        "for",
        "also",
        "any",
        "no",
        "not",
        "new",
        "her",
        "his",
        "their",
        "patient",
        "possible",
        "likely",
    ]
)
EN_ABBREVIATIONS = {
    "chf": "heart failure",
    "copd": "obstructive pulmonary disease",
    "cad": "coronary artery disease",
    "ckd": "kidney disease",
    "aki": "kidney injury",
    "mi": "myocardial infarction",
    "nstemi": "myocardial infarction",
    "stemi": "myocardial infarction",
    "cva": "stroke",
    "tia": "ischemic attack",
    "dvt": "venous thrombosis",
    "pe": "pulmonary embolism",
    "uti": "urinary tract infection",
    "gerd": "reflux disease",
    "htn": "hypertension",
    "afib": "atrial fibrillation",
    "hfref": "heart failure",
    "hfpef": "heart failure",
    "hfmref": "heart failure",
    "acs": "coronary syndrome",
    "ards": "respiratory distress syndrome",
    "esrd": "renal disease",
    "osa": "sleep apnea",
    "bph": "prostatic hyperplasia",
    "dm": "diabetes",
}

ZH_HEADS = (
    "综合征",
    "衰竭",
    "梗死",
    "梗塞",
    "骨折",
    "感染",
    "血症",
    "结石",
    "出血",
    "狭窄",
    "积液",
    "水肿",
    "栓塞",
    "血栓",
    "溃疡",
    "梗阻",
    "损伤",
    "不全",
    "硬化",
    "增生",
    "畸形",
    "高血压",
    "糖尿病",
    "哮喘",
    "肺气肿",
    "贫血",
    "结核",
    "炎",
    "病",
    "症",
    "癌",
    "瘤",
)
ZH_NOT_HEADS = (
    "炎症指标",
    "病史",
    "病情",
    "病灶",
    "病原",
    "病房",
    "病区",
    "病例",
    "病程",
    "症状",
    "病因",
    "病变",
    "病人",
    "病前",
    "出血点",
    "不全面",
    "感染科",
    "发病",
    "患病",
    "病毒",
)
_ZH_STOP = set("、，。；：,;:的了为与及和并伴有无因示提考虑诊断患者既往否认未见行予给在后前其") | set("（）()0123456789")
_ZH_HEAD = re.compile("|".join(ZH_HEADS))
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded words (en) or characters run (zh, one item)
    start: int
    end: int
    head: str


EN_NOT_HEADS = frozenset(
    {
        "diagnosis",
        "diagnoses",
        "prognosis",
        "emphasis",
        "basis",
        "analysis",
        "thesis",
        "hypothesis",
        "mechanism",
        "organism",
        "dosis",
        "colonoscopy",
        "otherwise",
        "criteria",
        "ectomy",
    }
)
_VERBISH = re.compile(r"(?:ed|ing|ly)$")


def _is_head(word: str) -> bool:
    if word in EN_NOT_HEADS:
        return False
    return word in EN_HEADS or (len(word) > 5 and word.endswith(EN_HEAD_ENDINGS))


def _qualifies(word: str) -> bool:
    """A word that can qualify a diagnosis ("kidney" in "kidney injury"), not a verb or filler."""
    from .tokens import EN_STOPWORDS

    return (
        len(word) > 2
        and word not in EN_GENERIC
        and word not in EN_STOPWORDS
        and word not in EN_VERBS
        and not _VERBISH.search(word)
    )


def en_terms(text: str) -> list[Term]:
    """English diagnosis terms: a head word with up to two qualifying words before it."""
    words = [(m.start(), m.end(), m.group().lower().strip("'-")) for m in _EN_WORD.finditer(text)]
    found: list[Term] = []
    for index, (start, end, word) in enumerate(words):
        if not _is_head(word):
            continue
        qualifiers: list[tuple[int, str]] = []
        position = index - 1
        while position >= 0 and len(qualifiers) < 2:
            p_start, p_end, p_word = words[position]
            gap = text[p_end : words[position + 1][0]]
            if not re.fullmatch(r"[ \t\-]*", gap) or not _qualifies(p_word) or _is_head(p_word):
                break
            qualifiers.insert(0, (p_start, p_word))
            position -= 1
        begin = qualifiers[0][0] if qualifiers else start
        found.append(Term(tuple(w for _, w in qualifiers) + (word,), begin, end, word))
    return found


def zh_terms(text: str) -> list[Term]:
    """Chinese diagnosis terms: a run of characters ending in a disease head (炎, 病, 衰竭 ...)."""
    found: list[Term] = []
    for match in _ZH_HEAD.finditer(text):
        if any(text.startswith(word, match.start() - len(word) + len(match.group())) for word in ZH_NOT_HEADS):
            continue
        if any(text.startswith(word, match.start()) for word in ZH_NOT_HEADS):
            continue
        start = match.start()
        while (
            start > 0 and match.end() - start < 8 and text[start - 1] not in _ZH_STOP and "\u4e00" <= text[start - 1] <= "\u9fff"
        ):
            start -= 1
        if match.end() - start < 2:
            continue
        found.append(Term((text[start : match.end()],), start, match.end(), match.group()))
    return found


def expand_abbreviation(word: str) -> str | None:
    return EN_ABBREVIATIONS.get(word.lower())
