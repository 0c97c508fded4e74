"""A short soak (scripts/soak.py) with the fake engine: many drafts in one process leave
no threads or file descriptors behind and memory flat after the warm-up. The real
model's soak is scripts/soak.py (README, "A busy CPU, and a day of drafts")."""

import importlib.util
from pathlib import Path

from tests.fakes import FakeEngine

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("soak", ROOT / "scripts" / "soak.py")
soak = importlib.util.module_from_spec(spec)
spec.loader.exec_module(soak)

CASES = [ROOT / "emrwriter" / "bundled" / "samples" / "en_heart_failure"]


def test_eight_drafts_leak_no_threads_files_or_memory(tmp_path, monkeypatch):
    monkeypatch.setenv("EMRWRITER_CACHE_DIR", str(tmp_path / "cache"))
    rows = soak.soak(FakeEngine(), CASES, 8)
    assert [r["draft"] for r in rows] == list(range(1, 9))
    assert all(r["sections"] > 0 for r in rows)
    v = soak.verdict(rows)
    assert v["py_threads_growth"] <= 0, rows
    assert v["os_threads_growth"] <= 0, rows
    assert v["fds_growth"] <= 0, rows
    assert v["rss_growth_mb"] < soak.LIMIT_MB, rows
