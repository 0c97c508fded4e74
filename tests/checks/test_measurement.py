"""The measurement script runs end to end and meets the targets on the samples."""

from __future__ import annotations

import re
import sys

from tests.conftest import ROOT


def test_measurement_on_chinese_sample(capsys) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import measure_verifier
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert measure_verifier.main(["--lang", "zh", "--drafts", "2", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    recall = float(re.search(r"zh: recall ([\d.]+)", out).group(1))
    false_flags = float(re.search(r"zh: false-flag rate ([\d.]+)", out).group(1))
    assert recall >= 0.9, out
    assert false_flags <= 0.1, out


def test_polarity_measurement_on_the_chinese_notes(capsys) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import measure_polarity
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert measure_polarity.main(["--lang", "zh", "--drafts", "1", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    recall = float(re.search(r"zh: recall ([\d.]+)", out).group(1))
    false_flags = float(re.search(r"zh: false-flag rate ([\d.]+)", out).group(1))
    assert recall >= 0.95, out
    assert false_flags <= 0.05, out
    assert re.search(r"side +[\d.]+", out) and re.search(r"normal>abnormal +[\d.]+", out), out
