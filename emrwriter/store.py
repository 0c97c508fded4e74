"""Local persistence: cases, drafts, every version of every section, and work sessions,
in one SQLite file in the user's data folder, so that nothing the doctor typed is lost.

Qt-free on purpose: the GUI calls it from the GUI thread only (one connection,
``check_same_thread`` left on). Each write is one short transaction in WAL mode with
``synchronous=NORMAL`` (no fsync on commit), well under a millisecond for a typical edit,
so saving on a short debounce timer does not stall the keyboard. A crash or kill of the
process loses no committed write; a power cut may lose the last moments but never
corrupts the file.

Versions of a section, oldest first: the text the pipeline produced ("model" or "data"),
then the doctor's edits ("edit"; a burst of typing within ``COALESCE`` is one version),
restores of an earlier version ("restore") and regenerations ("model"). The current
text is the newest version; that is what ``load_draft`` hands to the exporter.

Sessions detect crashes: the app calls ``begin_session`` at start and ``end_session`` on
a clean exit; a session left without an end was a crash or kill, and ``unclean_sessions``
says which drafts were edited during it. The GUI must run as a single instance per data
folder, or a running instance's session would look unclean to the other.

The file holds patient data: it, its WAL and SHM files and its folder are owner-only
(0600/0700, see emrwriter.owner_only), and a store made wider by an older version is
narrowed when opened. ``open_store`` is how the faces open it: a damaged file (not a
database, or failing SQLite's quick check) is moved aside under a timestamped name and an
empty store takes its place, with one line saying so. ``forget_case`` leaves nothing of a
case in the file: its rows go, and the file is rebuilt (VACUUM) and its WAL emptied, so no
deleted page still holds the patient's text.

Encryption at rest (optional; the site config's ``[store] encrypt = true``): with a ``key``
the file is opened through SQLCipher (the ``sqlcipher3`` package, extra ``encryption``),
every page of the file and of its WAL encrypted with AES-256. The key is 32 random bytes
kept in the OS keyring (``keyring``: Windows Credential Manager, macOS Keychain, the Secret
Service on Linux desktops) under the store's path, made on first use; ``store_key`` fetches
it. A plain store met with a key is converted once (sqlcipher_export) and the plain file
replaced. A file the key does not open is never moved aside (a lost key is not damage).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType

from .drafting.draft import Draft, DraftSection, Table
from .drafting.stats import DraftStats
from .owner_only import create_private, narrow, private_folder
from .paths import store_dir
from .records.model import Provenance

log = logging.getLogger(__name__)

COALESCE = timedelta(seconds=60)  # edits closer together than this are one version

# Schema migrations: MIGRATIONS[n] takes the file from user_version n to n + 1.
# Append only; never edit a migration that has shipped.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,          -- resolved path of the record file or folder
        label TEXT NOT NULL,
        opened_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        ended_at TEXT,                      -- NULL: running, or crashed/killed
        acknowledged INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        encounter_id TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        template TEXT NOT NULL,
        title TEXT NOT NULL,
        language TEXT NOT NULL,
        model TEXT NOT NULL,
        created TEXT NOT NULL,
        patient TEXT NOT NULL,              -- JSON object, header label -> value, in order
        omitted TEXT NOT NULL,              -- JSON list
        problems TEXT NOT NULL,             -- JSON list
        cancelled INTEGER NOT NULL,
        stats TEXT NOT NULL                 -- JSON object
    );
    CREATE INDEX drafts_by_case ON drafts(case_id, id);
    CREATE TABLE sections (
        id INTEGER PRIMARY KEY,
        draft_id INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        key TEXT NOT NULL,
        heading TEXT NOT NULL,
        origin TEXT NOT NULL,
        sources TEXT NOT NULL,              -- JSON list of Provenance
        table_json TEXT,                    -- JSON Table or NULL
        complete INTEGER NOT NULL,
        note TEXT NOT NULL,
        UNIQUE (draft_id, key)
    );
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        section_id INTEGER NOT NULL REFERENCES sections(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('model', 'data', 'edit', 'restore')),
        text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,           -- later than created_at when edits were coalesced
        session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL
    );
    CREATE INDEX versions_by_section ON versions(section_id, id);
    CREATE INDEX versions_by_session ON versions(session_id);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The database cannot be opened or written; one line naming the file, for the user."""


class DamagedStore(StoreError):
    """The file is not a database, or SQLite finds it damaged: ``open_store`` moves it aside."""


# SQLite's result codes for a damaged file: SQLITE_CORRUPT, SQLITE_NOTADB.
DAMAGE_CODES = {11, 26}
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error,)
try:  # SQLCipher, when installed: its own DB-API module and exceptions
    from sqlcipher3 import dbapi2 as sqlcipher

    DB_ERRORS = (sqlite3.Error, sqlcipher.Error)
except ImportError:  # pragma: no cover - the encryption extra is optional
    sqlcipher = None
KEYRING_SERVICE = "EMRWriter store key"
PLAIN_HEADER = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm")  # SQLite's companions of the database file, in WAL mode


@dataclass(frozen=True)
class CaseRow:
    id: int
    path: str
    label: str
    opened_at: datetime


@dataclass(frozen=True)
class Version:
    id: int
    kind: str  # "model" | "data" | "edit" | "restore"
    text: str
    created_at: datetime
    updated_at: datetime


@dataclass
class StoredDraft:
    """A saved draft as the doctor left it: section texts are the current versions."""

    id: int
    case_id: int
    encounter_id: str
    saved_at: datetime
    draft: Draft
    edited: frozenset[str]  # keys whose current text differs from what the machine wrote


@dataclass(frozen=True)
class EditedDraft:
    draft_id: int
    case_id: int
    case_label: str
    headings: list[str]  # sections whose latest version was the doctor's, written in the session
    last_edit_at: datetime


@dataclass(frozen=True)
class UncleanSession:
    id: int
    started_at: datetime
    drafts: list[EditedDraft]  # empty: the app died with no edits to offer


def default_store_path() -> Path:
    """In the configured store folder (site or user config), else the user's data folder."""
    return store_dir() / "emrwriter.sqlite3"


class Store:
    """One SQLite file, one connection, used from one thread."""

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime] = datetime.now, key: str | None = None) -> None:
        self.path = Path(path)
        self._clock = clock
        self.encrypted = key is not None
        self._session: int | None = None
        try:
            private_folder(self.path.parent)
            if not self.path.exists():
                create_private(self.path)  # SQLite gives its WAL and SHM files the database's mode
            for file in self.files():
                narrow(file)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so reads inside a
            # transaction are part of it (the implicit mode only begins on the first write).
            self._db = _connect(self.path, key)
        except (OSError, *DB_ERRORS) as exc:
            raise StoreError(f"{self.path}: cannot open the database ({exc})") from exc
        try:
            self._prepare()
        except StoreError:
            self._db.close()
            raise
        except DB_ERRORS as exc:  # "file is not a database", read-only, disk full
            self._db.close()
            damaged = getattr(exc, "sqlite_errorcode", None) in DAMAGE_CODES and not self.encrypted
            if self.encrypted and "not a database" in str(exc):
                raise StoreError(f"{self.path}: the key in the keyring does not open this encrypted store") from exc
            kind = DamagedStore if damaged else StoreError
            raise kind(f"{self.path}: cannot open the database ({exc})") from exc
        log.info("store %s open (schema %d)", self.path, SCHEMA_VERSION)

    def _prepare(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]  # fails here on a non-SQLite file
        problems = [row[0] for row in self._db.execute("PRAGMA quick_check(5)").fetchall()]
        if problems != ["ok"]:
            raise DamagedStore(f"{self.path}: the database is damaged ({'; '.join(problems)})")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer EMRWriter (schema {version}, this version reads up to {SCHEMA_VERSION})"
            )
        mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode != "wal":
            log.warning("store %s: journal mode is %s, not WAL", self.path, mode)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            script = MIGRATIONS[target - 1]
            try:
                self._db.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {target};\nCOMMIT;")
            except DB_ERRORS:
                if self._db.in_transaction:
                    self._db.rollback()
                raise
            log.info("store %s migrated to schema %d", self.path, target)

    # -- plumbing -----------------------------------------------------------------------

    def files(self) -> list[Path]:
        """The database file and its WAL and SHM companions (those that exist)."""
        return [f for f in (self.path, *(self.path.with_name(self.path.name + s) for s in SIDE_FILES)) if f.exists()]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: all of it lands or none of it does, even under SIGKILL."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.rollback()
                raise
        except DB_ERRORS as exc:
            raise StoreError(f"{self.path}: could not save ({exc})") from exc

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self._db.execute(sql, params).fetchall()
        except DB_ERRORS as exc:
            raise StoreError(f"{self.path}: could not read ({exc})") from exc

    def _now(self) -> str:
        # Local time with its UTC offset: readable, and still comparable across DST changes.
        return self._clock().astimezone().isoformat(timespec="microseconds")

    # -- cases --------------------------------------------------------------------------

    def open_case(self, source_path: str | Path, label: str) -> int:
        """Remember a case (by resolved path) and mark it the most recently opened."""
        path = str(Path(source_path).resolve())
        with self._write() as db:
            db.execute(
                "INSERT INTO cases (path, label, opened_at) VALUES (?, ?, ?)"
                " ON CONFLICT (path) DO UPDATE SET label = excluded.label, opened_at = excluded.opened_at",
                (path, label, self._now()),
            )
            return db.execute("SELECT id FROM cases WHERE path = ?", (path,)).fetchone()[0]

    def recent_cases(self, limit: int = 10) -> list[CaseRow]:
        rows = self._read(
            # julianday() reads the UTC offset, so the order holds across DST changes.
            "SELECT id, path, label, opened_at FROM cases ORDER BY julianday(opened_at) DESC, opened_at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [CaseRow(id, path, label, datetime.fromisoformat(at)) for id, path, label, at in rows]

    def find_case(self, key: str) -> CaseRow | None:
        """A case by its key (the resolved path the app remembers it by, see ``open_case``)."""
        rows = self._read("SELECT id, path, label, opened_at FROM cases WHERE path = ?", (key,))
        return next((CaseRow(id, path, label, datetime.fromisoformat(at)) for id, path, label, at in rows), None)

    def forget_case(self, case_id: int) -> list[str]:
        """Delete a case with all its drafts and versions, and leave nothing of it in the
        file (rebuilt without the freed pages; the WAL emptied). Returns the prefix-cache
        files its drafts were read from (the caller deletes them: the cache is the engine's)."""
        cache_files = []
        with self._write() as db:
            for (stats,) in db.execute("SELECT stats FROM drafts WHERE case_id = ?", (case_id,)).fetchall():
                prefix = json.loads(stats).get("prefix") or {}
                if prefix.get("cache_file"):
                    cache_files.append(prefix["cache_file"])
            db.execute("DELETE FROM cases WHERE id = ?", (case_id,))
        try:
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except DB_ERRORS as exc:
            raise StoreError(f"{self.path}: the case was deleted but the file could not be compacted ({exc})") from exc
        log.info("case %d forgotten", case_id)
        return cache_files

    # -- drafts -------------------------------------------------------------------------

    def save_draft(self, case_id: int, draft: Draft, encounter_id: str) -> int:
        """Store a freshly drafted document; each section's text becomes its first version."""
        now = self._now()
        with self._write() as db:
            draft_id = db.execute(
                "INSERT INTO drafts (case_id, encounter_id, saved_at, template, title, language, model, created,"
                " patient, omitted, problems, cancelled, stats) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    case_id,
                    encounter_id,
                    now,
                    draft.template,
                    draft.title,
                    draft.language,
                    draft.model,
                    draft.created.isoformat(),
                    _dumps(draft.patient),
                    _dumps(draft.omitted),
                    _dumps(draft.problems),
                    int(draft.cancelled),
                    _dumps(draft.stats.as_dict()),
                ),
            ).lastrowid
            for position, section in enumerate(draft.sections):
                section_id = db.execute(
                    "INSERT INTO sections (draft_id, position, key, heading, origin, sources, table_json, complete, note)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        draft_id,
                        position,
                        section.key,
                        section.heading,
                        section.origin,
                        _dumps([asdict(p) for p in section.sources]),
                        _dumps(asdict(section.table)) if section.table else None,
                        int(section.complete),
                        section.note,
                    ),
                ).lastrowid
                kind = "data" if section.origin == "data" else "model"
                self._add_version(db, section_id, kind, section.text, now)
        log.debug("saved draft %d for case %d (%d sections)", draft_id, case_id, len(draft.sections))
        return draft_id

    def latest_draft(self, case_id: int) -> StoredDraft | None:
        """The newest draft of a case, as last edited: what reopening the case shows."""
        row = self._read("SELECT id FROM drafts WHERE case_id = ? ORDER BY id DESC LIMIT 1", (case_id,))
        return self._stored_draft(row[0][0]) if row else None

    def load_draft(self, draft_id: int) -> Draft:
        """The draft with the doctor's current texts: what export writes."""
        return self._stored_draft(draft_id).draft

    def _stored_draft(self, draft_id: int) -> StoredDraft:
        head = self._read(
            "SELECT case_id, encounter_id, saved_at, template, title, language, model, created,"
            " patient, omitted, problems, cancelled, stats FROM drafts WHERE id = ?",
            (draft_id,),
        )
        if not head:
            raise KeyError(f"no draft {draft_id} in {self.path}")
        (
            case_id,
            encounter_id,
            saved_at,
            template,
            title,
            language,
            model,
            created,
            patient,
            omitted,
            problems,
            cancelled,
            stats,
        ) = head[0]
        sections: list[DraftSection] = []
        edited: set[str] = set()
        rows = self._read(
            "SELECT s.id, s.key, s.heading, s.origin, s.sources, s.table_json, s.complete, s.note,"
            " (SELECT text FROM versions WHERE section_id = s.id ORDER BY id DESC LIMIT 1),"
            " (SELECT text FROM versions WHERE section_id = s.id AND kind IN ('model', 'data') ORDER BY id DESC LIMIT 1)"
            " FROM sections s WHERE s.draft_id = ? ORDER BY s.position",
            (draft_id,),
        )
        for _, key, heading, origin, sources, table, complete, note, current, machine in rows:
            sections.append(
                DraftSection(
                    key=key,
                    heading=heading,
                    text=current,
                    origin=origin,
                    sources=[Provenance(**p) for p in json.loads(sources)],
                    table=Table(**json.loads(table)) if table else None,
                    complete=bool(complete),
                    note=note,
                )
            )
            if current != machine:
                edited.add(key)
        draft = Draft(
            template=template,
            title=title,
            language=language,
            model=model,
            created=datetime.fromisoformat(created),
            patient=json.loads(patient),
            sections=sections,
            omitted=json.loads(omitted),
            problems=json.loads(problems),
            cancelled=bool(cancelled),
            stats=DraftStats.from_dict(json.loads(stats)),
        )
        return StoredDraft(draft_id, case_id, encounter_id, datetime.fromisoformat(saved_at), draft, frozenset(edited))

    # -- versions -----------------------------------------------------------------------

    def save_text(self, draft_id: int, key: str, text: str) -> int:
        """Record the doctor's edit; a burst of typing within COALESCE stays one version.

        Returns the id of the version now holding the text. Saving the current text again
        does nothing, so the GUI may call this on every debounce tick.
        """
        now = self._now()
        with self._write() as db:
            section_id = self._section_id(db, draft_id, key)
            latest = db.execute(
                "SELECT id, kind, text, created_at, session_id FROM versions WHERE section_id = ? ORDER BY id DESC LIMIT 1",
                (section_id,),
            ).fetchone()
            version_id, kind, current, created_at, session_id = latest
            if text == current:
                return version_id
            age = datetime.fromisoformat(now) - datetime.fromisoformat(created_at)
            if kind == "edit" and session_id == self._session and timedelta(0) <= age < COALESCE:
                db.execute(
                    "UPDATE versions SET text = ?, updated_at = ? WHERE id = ?",
                    (text, now, version_id),
                )
                log.debug("draft %d section %s: edit %d updated (%d chars)", draft_id, key, version_id, len(text))
                return version_id
            version_id = self._add_version(db, section_id, "edit", text, now)
        log.debug("draft %d section %s: edit %d added (%d chars)", draft_id, key, version_id, len(text))
        return version_id

    def history(self, draft_id: int, key: str) -> list[Version]:
        """Every version of a section, oldest first."""
        rows = self._read(
            "SELECT v.id, v.kind, v.text, v.created_at, v.updated_at FROM versions v JOIN sections s ON s.id = v.section_id"
            " WHERE s.draft_id = ? AND s.key = ? ORDER BY v.id",
            (draft_id, key),
        )
        if not rows:  # every section has at least its first version
            raise KeyError(f"no section {key} in draft {draft_id}")
        return [Version(id, kind, text, datetime.fromisoformat(c), datetime.fromisoformat(u)) for id, kind, text, c, u in rows]

    def restore(self, draft_id: int, key: str, version_id: int) -> int:
        """Make an earlier version current again, as a new "restore" version (history is kept)."""
        now = self._now()
        with self._write() as db:
            section_id = self._section_id(db, draft_id, key)
            row = db.execute("SELECT text FROM versions WHERE id = ? AND section_id = ?", (version_id, section_id)).fetchone()
            if row is None:
                raise KeyError(f"version {version_id} is not a version of section {key} of draft {draft_id}")
            current_id, current = db.execute(
                "SELECT id, text FROM versions WHERE section_id = ? ORDER BY id DESC LIMIT 1", (section_id,)
            ).fetchone()
            if row[0] == current:
                return current_id
            new_id = self._add_version(db, section_id, "restore", row[0], now)
        log.debug("draft %d section %s: version %d restored as %d", draft_id, key, version_id, new_id)
        return new_id

    def update_model_text(self, draft_id: int, key: str, text: str, complete: bool, note: str) -> int:
        """A regenerated section: a new "model" version; the doctor's earlier edits stay in history."""
        now = self._now()
        with self._write() as db:
            section_id = self._section_id(db, draft_id, key)
            db.execute("UPDATE sections SET complete = ?, note = ? WHERE id = ?", (int(complete), note, section_id))
            version_id = self._add_version(db, section_id, "model", text, now)
        log.debug("draft %d section %s: model version %d (%d chars)", draft_id, key, version_id, len(text))
        return version_id

    def _section_id(self, db: sqlite3.Connection, draft_id: int, key: str) -> int:
        row = db.execute("SELECT id FROM sections WHERE draft_id = ? AND key = ?", (draft_id, key)).fetchone()
        if row is None:
            raise KeyError(f"no section {key} in draft {draft_id}")
        return row[0]

    def _add_version(self, db: sqlite3.Connection, section_id: int, kind: str, text: str, now: str) -> int:
        return db.execute(
            "INSERT INTO versions (section_id, kind, text, created_at, updated_at, session_id) VALUES (?, ?, ?, ?, ?, ?)",
            (section_id, kind, text, now, now, self._session),
        ).lastrowid

    # -- sessions -----------------------------------------------------------------------

    def begin_session(self) -> int:
        """Mark the app running; versions written from now on belong to this session."""
        if self._session is None:
            with self._write() as db:
                self._session = db.execute("INSERT INTO sessions (started_at) VALUES (?)", (self._now(),)).lastrowid
            log.info("session %d begun", self._session)
        return self._session

    def end_session(self) -> None:
        """A clean exit: this session will not be offered for recovery."""
        if self._session is None:
            return
        with self._write() as db:
            db.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (self._now(), self._session))
        log.info("session %d ended", self._session)
        self._session = None

    def unclean_sessions(self) -> list[UncleanSession]:
        """Earlier sessions that never ended (crash or kill), not yet acknowledged, oldest first,
        each with the drafts whose sections the doctor last changed during it."""
        sessions = self._read(
            "SELECT id, started_at FROM sessions WHERE ended_at IS NULL AND acknowledged = 0 AND id IS NOT ? ORDER BY id",
            (self._session,),
        )
        found = []
        for session_id, started_at in sessions:
            rows = self._read(
                "SELECT d.id, d.case_id, c.label, s.heading, v.updated_at FROM versions v"
                " JOIN sections s ON s.id = v.section_id JOIN drafts d ON d.id = s.draft_id JOIN cases c ON c.id = d.case_id"
                " WHERE v.session_id = ? AND v.kind IN ('edit', 'restore')"
                " AND v.id = (SELECT MAX(id) FROM versions WHERE section_id = v.section_id)"
                " ORDER BY d.id, s.position",
                (session_id,),
            )
            edited: dict[int, tuple[int, str, list[str], list[datetime]]] = {}
            for draft_id, case_id, label, heading, updated_at in rows:
                _, _, headings, times = edited.setdefault(draft_id, (case_id, label, [], []))
                headings.append(heading)
                times.append(datetime.fromisoformat(updated_at))
            drafts = [EditedDraft(d, c, label, headings, max(times)) for d, (c, label, headings, times) in edited.items()]
            found.append(UncleanSession(session_id, datetime.fromisoformat(started_at), drafts))
        return found

    def acknowledge(self, session_id: int) -> None:
        """The user has seen the recovery offer for this session; do not offer it again."""
        with self._write() as db:
            db.execute("UPDATE sessions SET acknowledged = 1 WHERE id = ?", (session_id,))


@dataclass(frozen=True)
class MovedAside:
    """A damaged store found at start-up and moved aside: what was wrong, and where it is now."""

    reason: str
    aside: Path

    def __str__(self) -> str:
        return f"{self.reason}. It was moved aside as {self.aside} and an empty store was started."


def _connect(path: Path, key: str | None):
    if key is None:
        return sqlite3.connect(path, isolation_level=None, timeout=5.0)
    if sqlcipher is None:
        raise StoreError(
            f"{path}: the site config asks for an encrypted store, but SQLCipher is not installed (pip install sqlcipher3-binary)"
        )
    if path.stat().st_size and path.read_bytes()[:16] == PLAIN_HEADER:
        _encrypt_plain(path, key)
    db = sqlcipher.connect(str(path), isolation_level=None, timeout=5.0)
    db.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our one line, not SQLCipher's on stderr
    db.execute(f"PRAGMA key = \"x'{key}'\"")
    return db


def _encrypt_plain(path: Path, key: str) -> None:
    """A plain store met with a key: an encrypted copy made beside it replaces it."""
    with sqlite3.connect(path) as plain:  # the WAL into the file first
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    plain.close()
    target = path.with_name(path.name + ".encrypting")
    target.unlink(missing_ok=True)
    create_private(target)
    db = sqlcipher.connect(str(path), isolation_level=None)
    try:
        db.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key}'\"", (str(target),))
        db.execute("SELECT sqlcipher_export('encrypted')")
        version = db.execute("PRAGMA main.user_version").fetchone()[0]
        db.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        db.execute("DETACH DATABASE encrypted")
    finally:
        db.close()
    for suffix in SIDE_FILES:
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    os.replace(target, path)
    log.info("store %s encrypted", path)


def new_key() -> str:
    return secrets.token_hex(32)


def store_key(path: str | Path) -> str:
    """The store's key from the OS keyring (made and kept there on first use); StoreError,
    one line, when there is no keyring to keep it in."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        raise StoreError(f"{path}: the site config asks for an encrypted store, but keyring is not installed") from None
    account = str(Path(path).resolve())
    try:
        key = keyring.get_password(KEYRING_SERVICE, account)
        if not key:
            key = new_key()
            keyring.set_password(KEYRING_SERVICE, account, key)
            log.info("store key made and kept in the OS keyring")
    except (KeyringError, RuntimeError) as exc:
        raise StoreError(
            f"{path}: the site config asks for an encrypted store, but no OS keyring can keep its key ({exc})"
        ) from None
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise StoreError(f"{path}: the store key in the OS keyring is not one EMRWriter made")
    return key


def open_store(
    path: str | Path, *, clock: Callable[[], datetime] = datetime.now, key: str | None = None
) -> tuple[Store, MovedAside | None]:
    """The store at ``path``, and what was done when it had to be replaced: a damaged
    file is moved aside (with its WAL and SHM) as ``NAME.damaged-YYYYmmdd-HHMMSS`` and an
    empty store is made in its place. Other failures (permissions, a newer schema, a full
    disk) raise StoreError: moving a sound file aside would hide the doctor's work."""
    path = Path(path)
    try:
        return Store(path, clock=clock, key=key), None
    except DamagedStore as exc:
        reason = str(exc)
    stamp = clock().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    try:
        for suffix in ("", *SIDE_FILES):
            source = path.with_name(path.name + suffix)
            if source.exists():
                source.replace(aside.with_name(aside.name + suffix))
    except OSError as exc:
        raise StoreError(f"{reason}; it could not be moved aside ({exc.strerror})") from None
    log.info("store %s was damaged; moved aside as %s", path, aside.name)  # the faces tell the user
    return Store(path, clock=clock, key=key), MovedAside(reason, aside)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
