"""Compare the verifier's assertion rules with medspaCy's ConText on the same English cases.

Two measurements, each run by both systems:

1. Labelled sentences (tests/checks/data/en_assertions.tsv): a sentence, a finding in it
   and its status. "negation" counts the rows whose status is present or absent (what
   ConText decides); "polarity" counts every row, normal/abnormal and negative/positive
   results included (absent, normal and negative are one side; present, abnormal and
   positive the other), which is what the verifier compares.
2. Flips in real notes (../shared/corpus/discharge-notes): each sentence with "no X",
   "denies X", "without X" or "negative for X" is read as written and with the cue
   turned into its opposite ("X", "reports X", "with X", "positive for X"); a flip is
   caught when the finding X is negated in the first and not in the second.

medspaCy is not a dependency of EMRWriter. Install it in another environment
(pip install medspacy) and pass its interpreter: it needs no model download (a blank
English pipeline with its own sentence splitter, target matcher and ConText rules).

Usage: python scripts/compare_negation_libraries.py [--medspacy-python /path/to/python]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emrwriter.facts.assertion import POLARITY, read  # noqa: E402
from emrwriter.facts.tokens import stem  # noqa: E402

CASES = ROOT / "tests" / "checks" / "data" / "en_assertions.tsv"
CORPUS = ROOT.parent / "shared" / "corpus" / "discharge-notes"
FLIPS = [
    (r"\b[Nn]o (?=[a-z])", ""),
    (r"\b[Dd]enies ", "reports "),
    (r"\b[Dd]enied ", "reported "),
    (r"\bwithout ", "with "),
    (r"\bnegative for ", "positive for "),
]

MEDSPACY_RUNNER = r"""
import json, sys, time
import medspacy
from medspacy.ner import TargetRule
cases = json.load(sys.stdin)
nlp = medspacy.load(medspacy_enable=["medspacy_pyrush", "medspacy_target_matcher", "medspacy_context"])
matcher = nlp.get_pipe("medspacy_target_matcher")
matcher.add([TargetRule(t, "FINDING") for t in sorted({c["target"].lower() for c in cases})])
out = []
started = time.perf_counter()
for case in cases:
    doc = nlp(case["sentence"])
    hits = [e for e in doc.ents if e.text.lower() == case["target"].lower()]
    out.append(None if not hits else bool(hits[0]._.is_negated))
json.dump({"negated": out, "seconds": time.perf_counter() - started}, sys.stdout)
"""


def labelled() -> list[dict]:
    rows = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            sentence, target, status = line.split("\t")
            rows.append({"sentence": sentence, "target": target, "status": status})
    return rows


def flips(limit: int = 400) -> list[dict]:
    """(sentence as written, sentence flipped, the finding) from the corpus notes."""
    found = []
    for file in sorted(CORPUS.glob("*.txt")):
        text = " ".join(file.read_text(encoding="utf-8", errors="replace").split())
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text):
            for pattern, new in FLIPS:
                match = re.search(pattern, sentence)
                if match is None:
                    continue
                rest = re.match(
                    r"(?:any |significant |further |evidence of )?([a-z][a-z-]+(?: [a-z][a-z-]+)?)", sentence[match.end() :]
                )
                if rest is None or rest.group(1).split()[0] in {"the", "a", "an", "and", "or", "of"}:
                    continue
                target = rest.group(1)
                flipped = sentence[: match.start()] + new + sentence[match.end() :]
                if len(sentence) < 400:
                    found.append({"sentence": sentence, "flipped": flipped, "target": target})
                break
    return found[:limit]


def ours(sentence: str, target: str) -> int | None:
    """The polarity our rules give ``target`` in ``sentence`` (-1 absent/normal/negative)."""
    at = sentence.lower().find(target.lower())
    if at < 0:
        return None
    span = (at, at + len(target))
    keys = {stem(w) for w in re.findall(r"[a-z][a-z-]*", target.lower())}
    best, best_overlap = None, 0.0
    for assertion in read(sentence).assertions:
        overlap = min(span[1], assertion.end) - max(span[0], assertion.start)
        overlap = max(overlap, min(span[1], assertion.cue_end) - max(span[0], assertion.cue_start))
        score = overlap + 10 * len(keys & assertion.concept)
        if overlap > 0 and score > best_overlap:
            best, best_overlap = assertion, score
    return None if best is None else POLARITY[best.status]


def medspacy_negated(python: str, cases: list[dict]) -> tuple[list[bool | None], float]:
    result = subprocess.run([python, "-c", MEDSPACY_RUNNER], input=json.dumps(cases), capture_output=True, text=True, check=True)
    data = json.loads(result.stdout)
    return data["negated"], data["seconds"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--medspacy-python", help="a Python with medspacy installed")
    args = parser.parse_args(argv)
    rows = labelled()
    started = time.perf_counter()
    our_polarity = [ours(r["sentence"], r["target"]) for r in rows]
    our_seconds = time.perf_counter() - started
    expected = [POLARITY[r["status"]] for r in rows]
    negation_rows = [i for i, r in enumerate(rows) if r["status"] in {"present", "absent"}]

    def score(predicted: list[int | None], indices: list[int]) -> str:
        right = sum(predicted[i] == expected[i] for i in indices)
        return f"{right / len(indices):.3f} ({right}/{len(indices)})"

    print(f"labelled sentences: {len(rows)} ({len(negation_rows)} present/absent)")
    print(
        f"  ours:     negation {score(our_polarity, negation_rows)}, polarity {score(our_polarity, range(len(rows)))}, {our_seconds * 1000:.0f} ms"
    )
    pairs = flips()
    our_caught = sum(ours(p["sentence"], p["target"]) == -1 and ours(p["flipped"], p["target"]) == 1 for p in pairs)
    print(f"flips in corpus sentences: {len(pairs)}")
    print(f"  ours:     caught {our_caught / len(pairs):.3f} ({our_caught}/{len(pairs)})")
    if args.medspacy_python:
        negated, seconds = medspacy_negated(args.medspacy_python, rows)
        theirs = [None if n is None else (-1 if n else 1) for n in negated]
        missing = sum(n is None for n in negated)
        print(
            f"  medspaCy: negation {score(theirs, negation_rows)}, polarity {score(theirs, range(len(rows)))}, "
            f"{seconds * 1000:.0f} ms (target not found in {missing})"
        )
        first, _ = medspacy_negated(args.medspacy_python, [{"sentence": p["sentence"], "target": p["target"]} for p in pairs])
        second, _ = medspacy_negated(args.medspacy_python, [{"sentence": p["flipped"], "target": p["target"]} for p in pairs])
        caught = sum(a is True and b is False for a, b in zip(first, second, strict=True))
        print(f"  medspaCy: caught {caught / len(pairs):.3f} ({caught}/{len(pairs)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
