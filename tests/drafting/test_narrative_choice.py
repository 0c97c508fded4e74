"""Who writes the narrative when the doctor leaves it to the app: the model, unless its last
draft on this PC took longer than the site's narrative_seconds; then the record, said why."""

from __future__ import annotations

import json

from emrwriter.config import load_config
from emrwriter.engine.speeds import known_speed, remember_speed, speed_of
from emrwriter.workflow import FROM_MODEL, FROM_RECORD, NARRATIVE_AUTO, choose_narrative


def test_the_model_writes_until_it_is_measured_too_slow(tmp_path, monkeypatch, default_model) -> None:
    model = default_model.path
    monkeypatch.setenv("EMRWRITER_SPEEDS", str(tmp_path / "speeds.json"))
    site = tmp_path / "site.toml"
    site.write_text("narrative_seconds = 60\n", encoding="utf-8")
    monkeypatch.setenv("EMRWRITER_SITE_CONFIG", str(site))
    monkeypatch.setattr("emrwriter.workflow.config", load_config)
    assert choose_narrative(NARRATIVE_AUTO, model) == (FROM_MODEL, "")  # never measured here
    remember_speed(model, speed_of(45.0, 900, 3.0, 200, 42.0, 2))
    assert choose_narrative(NARRATIVE_AUTO, model) == (FROM_MODEL, "")
    remember_speed(model, speed_of(200.0, 900, 30.0, 200, 170.0, 2))
    mode, why = choose_narrative(NARRATIVE_AUTO, model, "zh")
    assert mode == FROM_RECORD and model.name in why and "200" in why and "60" in why and "模型" in why
    assert choose_narrative(FROM_MODEL, model) == (FROM_MODEL, "")  # the doctor's choice stands
    assert choose_narrative(NARRATIVE_AUTO, None) == (FROM_MODEL, "")  # a server: fast by design
    kept = json.loads((tmp_path / "speeds.json").read_text(encoding="utf-8"))
    assert list(kept.values())[0]["writing"] == round(200 / 170.0, 1)
    assert known_speed(model).seconds == 200.0


def test_a_damaged_speeds_file_is_no_measurement(tmp_path, monkeypatch, default_model) -> None:
    model = default_model.path
    monkeypatch.setenv("EMRWRITER_SPEEDS", str(tmp_path / "speeds.json"))
    (tmp_path / "speeds.json").write_text("{not json", encoding="utf-8")
    assert known_speed(model) is None
    assert choose_narrative(NARRATIVE_AUTO, model) == (FROM_MODEL, "")
