"""The repetition guard stops a looping section and keeps the text before the loop."""

from __future__ import annotations

import pytest

from emrwriter.engine.repetition import RepetitionGuard


def stream(text: str, size: int = 3) -> RepetitionGuard:
    guard = RepetitionGuard()
    for i in range(0, len(text), size):
        if guard.feed(text[i : i + size]):
            break
    return guard


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "患者入院后予抗感染治疗。患者病情平稳。患者病情平稳。患者病情平稳。患者病情平稳。",
            "患者入院后予抗感染治疗。患者病情平稳。",
        ),
        ("The patient improved. She was discharged. She was discharged. She was discharged. She was", None),
        ("1. aspirin 2. aspirin 3. aspirin 4. aspirin 5. aspirin", None),
    ],
)
def test_a_loop_is_caught_early(text: str, kept: str | None) -> None:
    guard = stream(text)
    assert guard.cut is not None
    if kept is not None:
        assert guard.kept == kept
    assert len(guard.kept) < len(text) * 0.75


def test_ordinary_prose_is_left_alone() -> None:
    text = (
        "入院后予头孢曲松抗感染，体温于第3天恢复正常。复查血常规：白细胞降至7.2×10^9/L。"
        "出院前复查胸片示病灶明显吸收。患者无发热，偶有咳嗽。" * 1
    )
    assert stream(text).cut is None
    english = (
        "She was treated with IV furosemide with good diuresis. Creatinine peaked at 1.7 and improved to 1.3. "
        "Sacubitril/valsartan was started on day 4. She walked the hallway without dyspnea on day 5."
    )
    assert stream(english).cut is None
