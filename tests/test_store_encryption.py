"""The store encrypted at rest (issue 13, optional): SQLCipher through sqlcipher3, the key
kept in the OS keyring through ``keyring`` (here a keyring backend held in memory: this
machine has no Secret Service). The file and its WAL hold no readable patient text; plain
SQLite cannot open it; the right key does; a wrong key is refused without moving the file
aside; a plain store is converted once; forget works on it. The cost (open, save) is printed."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

pytest.importorskip("sqlcipher3")
keyring = pytest.importorskip("keyring")

import sqlite3  # noqa: E402

from keyring.backend import KeyringBackend  # noqa: E402

from emrwriter import store as store_module  # noqa: E402
from emrwriter.store import PLAIN_HEADER, Store, StoreError, open_store, store_key  # noqa: E402
from tests.fault_child import KEY, draft  # noqa: E402

NAME = "Quillfeather Zanbrook"


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture
def ring():
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


def fill(store: Store, n: int = 5, filler: str = "") -> int:
    case_id = store.open_case("/nonexistent/case-a", NAME)
    d = draft()
    d.patient = {"Name": NAME}
    draft_id = store.save_draft(case_id, d, "e1")
    for i in range(n):
        store.save_text(draft_id, KEY, f"{NAME} walked {i} laps{filler}")
    return draft_id


def test_an_encrypted_store_holds_no_readable_text_and_needs_its_key(tmp_path: Path, ring: MemoryKeyring) -> None:
    path = tmp_path / "data" / "emrwriter.sqlite3"
    key = store_key(path)
    assert store_key(path) == key and len(ring.secrets) == 1  # made once, kept in the keyring
    with Store(path, key=key) as store:
        draft_id = fill(store)
        wal = path.with_name(path.name + "-wal")
        assert wal.is_file() and NAME.encode() not in wal.read_bytes()
    data = path.read_bytes()
    assert not data.startswith(PLAIN_HEADER) and NAME.encode() not in data
    with pytest.raises(sqlite3.DatabaseError), sqlite3.connect(path) as plain:
        plain.execute("SELECT * FROM cases").fetchall()
    with Store(path, key=key) as store:
        assert store.load_draft(draft_id).section(KEY).text == f"{NAME} walked 4 laps"
        store.forget_case(store.recent_cases()[0].id)
        assert store.recent_cases() == []
    data = path.read_bytes()
    # The wrong key: one line, and the file stays where it is (a lost key is no damage).
    ring.set_password(store_module.KEYRING_SERVICE, str(path.resolve()), "0" * 64)
    with pytest.raises(StoreError, match="does not open this encrypted store"):
        open_store(path, key=store_key(path))
    assert path.read_bytes()[:64] == data[:64] and not list(path.parent.glob("*.damaged-*"))


def test_a_plain_store_is_converted_once(tmp_path: Path, ring: MemoryKeyring) -> None:
    path = tmp_path / "emrwriter.sqlite3"
    with Store(path) as store:
        draft_id = fill(store)
    assert path.read_bytes().startswith(PLAIN_HEADER)
    key = store_key(path)
    with Store(path, key=key) as store:
        assert store.load_draft(draft_id).section(KEY).text == f"{NAME} walked 4 laps"
    assert NAME.encode() not in path.read_bytes() and not path.read_bytes().startswith(PLAIN_HEADER)
    assert path.stat().st_mode & 0o077 == 0


def test_no_keyring_is_one_line(tmp_path: Path) -> None:
    from keyring.backends.fail import Keyring as NoKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        with pytest.raises(StoreError, match="no OS keyring can keep its key") as said:
            store_key(tmp_path / "s.sqlite3")
        assert "\n" not in str(said.value)
    finally:
        keyring.set_keyring(previous)


def test_the_cost_of_encryption(tmp_path: Path, ring: MemoryKeyring) -> None:
    """Open and save times, plain and encrypted, on a store of 200 drafts (~6 MB)."""
    figures = {}
    for kind in ("plain", "encrypted"):
        path = tmp_path / kind / "emrwriter.sqlite3"
        key = store_key(path) if kind == "encrypted" else None
        with Store(path, key=key) as store:
            for _ in range(200):
                fill(store, 3, " and slept well." * 600)  # ~10 KB, a summary's section
        opens, saves = [], []
        for _ in range(5):
            started = time.perf_counter()
            store = Store(path, key=key)
            opens.append(time.perf_counter() - started)
            draft_id = store.latest_draft(store.recent_cases()[0].id).id
            for i in range(20):
                started = time.perf_counter()
                store.save_text(draft_id, KEY, f"edit {i} " * 1500)
                saves.append(time.perf_counter() - started)
            store.close()
        figures[kind] = (statistics.median(opens) * 1000, statistics.median(saves) * 1000, path.stat().st_size / 1024)
    print(
        "\nstore cost, median: "
        + "; ".join(f"{k}: open {o:.1f} ms, save {s:.2f} ms, file {kb:.0f} KB" for k, (o, s, kb) in figures.items())
    )
    assert figures["encrypted"][1] < 50  # a save stays far below what typing would notice


def test_the_site_config_turns_encryption_on(tmp_path: Path, ring: MemoryKeyring, monkeypatch) -> None:
    from emrwriter import config, workflow

    site = tmp_path / "site.toml"
    site.write_text("[store]\nencrypt = true\n", encoding="utf-8")
    monkeypatch.setenv(config.SITE_ENV, str(site))
    monkeypatch.setenv(config.USER_ENV, str(tmp_path / "none.toml"))
    config.config.cache_clear()
    try:
        store, moved = workflow.open_store(tmp_path / "data" / "emrwriter.sqlite3")
        with store:
            assert store.encrypted and moved is None
            fill(store)
    finally:
        config.config.cache_clear()
    assert NAME.encode() not in (tmp_path / "data" / "emrwriter.sqlite3").read_bytes()
    assert len(ring.secrets) == 1
