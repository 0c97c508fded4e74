"""Offline by construction: in local mode nothing opens a network connection. Every way
Python opens one is made to fail the test, then a case is batch-drafted with the real
default model (opened, drafted, checked, exported); and a server engine, which is the one
part allowed to connect, is shown to trip the same guard."""

from __future__ import annotations

import socket

import pytest

from emrwriter.batch import expand_cases, run_batch
from emrwriter.engine.server_engine import ServerEngine, ServerSettings
from tests.conftest import short_template


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    attempts: list[str] = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(name)
            raise NetworkUsed(f"{name} called in local mode: {args[:2]}")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    return attempts


def test_a_local_draft_check_export_and_batch_open_no_socket(no_network, engine, corpus, tmp_path):
    """The batch runs the whole errand per case: open, draft, check, export."""
    case = corpus / "discharge-notes" / "cardiopulmo-discharge-summary.txt"
    template = short_template("discharge_summary_en", tmp_path / "t", 4)
    summary = run_batch(expand_cases([case]), tmp_path / "batch", lambda: engine, template=template.folder)
    assert [r.status for r in summary.results] == ["done"] and summary.results[0].tokens > 0
    assert (tmp_path / "batch" / f"{case.stem}.docx").is_file()
    assert no_network == []


def test_the_guard_catches_a_connection(no_network):
    engine = ServerEngine(ServerSettings("http://127.0.0.1:9", retries=0))
    with pytest.raises(NetworkUsed):
        engine.connect()
    assert no_network
