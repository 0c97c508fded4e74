"""Shared fixtures for the checks: the sample stays, read once per session."""

from __future__ import annotations

import pytest

from emrwriter.checks.evidence import build_evidence
from emrwriter.records.case import load_case
from emrwriter.records.stay import select_encounter
from tests.conftest import EN_CASE, ZH_CASE


@pytest.fixture(scope="session")
def en_stay():
    return select_encounter(load_case(EN_CASE))


@pytest.fixture(scope="session")
def zh_stay():
    return select_encounter(load_case(ZH_CASE))


@pytest.fixture(scope="session")
def en_evidence(en_stay):
    return build_evidence(en_stay)


@pytest.fixture(scope="session")
def zh_evidence(zh_stay):
    return build_evidence(zh_stay)


@pytest.fixture(scope="session")
def en_medication_list() -> str:
    return (EN_CASE / "medication_list.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def zh_orders() -> str:
    return (ZH_CASE / "出院医嘱.txt").read_text(encoding="utf-8")
