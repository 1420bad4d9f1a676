"""Append-only schema migrations, applied when a Store opens.

Never edit a migration that has shipped; add ``m002_...``.  All pending
migrations run inside one ``BEGIN IMMEDIATE`` transaction (sqlite-utils turns
each into a savepoint), so two processes opening a fresh database at once
cannot both apply them, and a failed migration leaves nothing behind.

Statements are executed one at a time: ``executescript`` would commit the
surrounding transaction.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlite_utils.migrations import Migrations

if TYPE_CHECKING:  # pragma: no cover
    from sqlite_utils import Database

    from desk.store.db import Store

MIGRATIONS = Migrations("factdesk")

_ROLES = "'admin','editor','fact_checker','researcher','coordinator'"
_CHANNELS = "'whatsapp','facebook','x','youtube','phone','field_report'"
_CLAIM_STATUSES = ("'new','triaged','in_research','in_review','approved','published',"
                   "'dismissed','duplicate','answered'")
_VERDICTS = "'false','misleading','true','partly_true','unverified','satire'"

SCHEMA_V1: tuple[str, ...] = (
    """CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)""",
    """INSERT INTO counters (name, value) VALUES ('match_rev', 0)""",
    f"""CREATE TABLE regions (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        name_hi TEXT,
        level TEXT NOT NULL CHECK (level IN ('state','district','ac','block','booth')),
        parent_id INTEGER REFERENCES regions(id),
        path TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by INTEGER,
        version INTEGER NOT NULL DEFAULT 1)""",
    "CREATE INDEX regions_path ON regions(path)",
    "CREATE INDEX regions_parent ON regions(parent_id)",
    f"""CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL COLLATE NOCASE UNIQUE,
        display_name TEXT NOT NULL,
        email TEXT COLLATE NOCASE,
        role TEXT NOT NULL CHECK (role IN ({_ROLES})),
        language TEXT,
        region_id INTEGER REFERENCES regions(id),
        password_hash TEXT,
        password_changed_at TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        is_system INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by INTEGER,
        version INTEGER NOT NULL DEFAULT 1)""",
    "CREATE UNIQUE INDEX users_email ON users(email) WHERE email IS NOT NULL",
    # The built-in actor of the local CLI: role admin, no password, never signs in.
    """INSERT INTO users (username, display_name, role, active, is_system, created_at,
        updated_at) VALUES ('system', 'System (local CLI)', 'admin', 1, 1,
        '1970-01-01T00:00:00Z', '1970-01-01T00:00:00Z')""",
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value)),
        version INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL,
        updated_by INTEGER REFERENCES users(id))""",
    """INSERT INTO settings (key, value, updated_at) VALUES
        ('index_epoch', '0', '1970-01-01T00:00:00Z')""",
    """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id INTEGER NOT NULL REFERENCES users(id),
        method TEXT NOT NULL DEFAULT 'password',
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        revoked_at TEXT,
        revoke_reason TEXT)""",
    "CREATE INDEX sessions_user ON sessions(user_id)",
    """CREATE TABLE login_failures (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL,
        at TEXT NOT NULL)""",
    "CREATE INDEX login_failures_user ON login_failures(username, at)",
    "CREATE INDEX login_failures_at ON login_failures(at)",
    """CREATE TABLE topics (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name_en TEXT NOT NULL,
        name_hi TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by INTEGER,
        version INTEGER NOT NULL DEFAULT 1)""",
    f"""CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        match_key TEXT NOT NULL,
        lang TEXT,
        script TEXT,
        channel TEXT NOT NULL CHECK (channel IN ({_CHANNELS})),
        source_url TEXT,
        source_group TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        region_id INTEGER REFERENCES regions(id),
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ({_CLAIM_STATUSES})),
        dismiss_reason TEXT CHECK (dismiss_reason IN ('not_checkworthy','spam','opinion')),
        duplicate_of INTEGER REFERENCES claims(id),
        answered_by INTEGER REFERENCES rebuttals(id),
        priority REAL NOT NULL DEFAULT 0,
        assignee_id INTEGER REFERENCES users(id),
        due_at TEXT,
        verdict TEXT CHECK (verdict IN ({_VERDICTS})),
        sighting_count INTEGER NOT NULL DEFAULT 0,
        group_count INTEGER NOT NULL DEFAULT 0,
        region_count INTEGER NOT NULL DEFAULT 0,
        sightings_24h INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id),
        updated_at TEXT NOT NULL,
        updated_by INTEGER REFERENCES users(id),
        version INTEGER NOT NULL DEFAULT 1,
        CHECK ((status = 'dismissed') = (dismiss_reason IS NOT NULL)),
        CHECK ((status = 'duplicate') = (duplicate_of IS NOT NULL)),
        CHECK ((status = 'answered') <= (answered_by IS NOT NULL)))""",
    # Triage queue: every common filter has an index that also yields priority order.
    "CREATE INDEX claims_status_priority ON claims(status, priority DESC, id DESC)",
    "CREATE INDEX claims_assignee ON claims(assignee_id, status, priority DESC)",
    "CREATE INDEX claims_region ON claims(region_id, status, priority DESC)",
    "CREATE INDEX claims_lang ON claims(lang, status, priority DESC)",
    "CREATE INDEX claims_channel ON claims(channel, status, priority DESC)",
    "CREATE INDEX claims_last_seen ON claims(last_seen_at)",
    "CREATE INDEX claims_match_key ON claims(match_key)",
    "CREATE INDEX claims_duplicate_of ON claims(duplicate_of)",
    """CREATE TABLE claim_topics (
        claim_id INTEGER NOT NULL REFERENCES claims(id),
        topic_id INTEGER NOT NULL REFERENCES topics(id),
        PRIMARY KEY (claim_id, topic_id)) WITHOUT ROWID""",
    "CREATE INDEX claim_topics_topic ON claim_topics(topic_id, claim_id)",
    f"""CREATE TABLE sightings (
        id INTEGER PRIMARY KEY,
        claim_id INTEGER NOT NULL REFERENCES claims(id),
        seen_at TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ({_CHANNELS})),
        source_group TEXT,
        sender_hash TEXT,
        region_id INTEGER REFERENCES regions(id),
        message_key TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id))""",
    "CREATE INDEX sightings_claim ON sightings(claim_id, seen_at)",
    """CREATE TABLE facts (
        id INTEGER PRIMARY KEY,
        statement TEXT NOT NULL,
        lang TEXT,
        topic_id INTEGER REFERENCES topics(id),
        valid_until TEXT,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','retired')),
        sources TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(sources)),
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by INTEGER REFERENCES users(id),
        version INTEGER NOT NULL DEFAULT 1)""",
    "CREATE INDEX facts_status ON facts(status, topic_id)",
    f"""CREATE TABLE rebuttals (
        id INTEGER PRIMARY KEY,
        status TEXT NOT NULL DEFAULT 'draft'
            CHECK (status IN ('draft','in_review','approved','published','retracted')),
        verdict TEXT NOT NULL CHECK (verdict IN ({_VERDICTS})),
        lang TEXT,
        region_id INTEGER REFERENCES regions(id),
        author_id INTEGER NOT NULL REFERENCES users(id),
        reviewer_id INTEGER REFERENCES users(id),
        current_version_no INTEGER NOT NULL DEFAULT 1,
        published_version_no INTEGER,
        approved_at TEXT,
        published_at TEXT,
        retracted_at TEXT,
        retract_reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by INTEGER REFERENCES users(id),
        version INTEGER NOT NULL DEFAULT 1)""",
    "CREATE INDEX rebuttals_status ON rebuttals(status, updated_at)",
    f"""CREATE TABLE rebuttal_versions (
        id INTEGER PRIMARY KEY,
        rebuttal_id INTEGER NOT NULL REFERENCES rebuttals(id),
        version_no INTEGER NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ({_VERDICTS})),
        title TEXT NOT NULL DEFAULT '',
        full_text TEXT NOT NULL,
        whatsapp_text TEXT NOT NULL,
        lang TEXT,
        translations TEXT NOT NULL DEFAULT '{{}}' CHECK (json_valid(translations)),
        fact_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(fact_ids)),
        links TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(links)),
        author_id INTEGER NOT NULL REFERENCES users(id),
        change_note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        approved_by INTEGER REFERENCES users(id),
        approved_at TEXT,
        published_at TEXT,
        UNIQUE (rebuttal_id, version_no))""",
    # A saved version never changes; only its approval/publication stamps are set,
    # and once published not even those.
    """CREATE TRIGGER rebuttal_versions_content_immutable
        BEFORE UPDATE OF rebuttal_id, version_no, verdict, title, full_text, whatsapp_text,
            lang, translations, fact_ids, links, author_id, change_note, created_at
        ON rebuttal_versions
        BEGIN SELECT RAISE(ABORT, 'rebuttal versions are immutable: save a new version'); END""",
    """CREATE TRIGGER rebuttal_versions_published_final
        BEFORE UPDATE ON rebuttal_versions WHEN OLD.published_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a published rebuttal version is immutable'); END""",
    """CREATE TRIGGER rebuttal_versions_no_delete BEFORE DELETE ON rebuttal_versions
        BEGIN SELECT RAISE(ABORT, 'rebuttal versions are never deleted'); END""",
    """CREATE TABLE rebuttal_claims (
        rebuttal_id INTEGER NOT NULL REFERENCES rebuttals(id),
        claim_id INTEGER NOT NULL REFERENCES claims(id),
        PRIMARY KEY (rebuttal_id, claim_id)) WITHOUT ROWID""",
    "CREATE INDEX rebuttal_claims_claim ON rebuttal_claims(claim_id)",
    """CREATE TABLE rebuttal_topics (
        rebuttal_id INTEGER NOT NULL REFERENCES rebuttals(id),
        topic_id INTEGER NOT NULL REFERENCES topics(id),
        PRIMARY KEY (rebuttal_id, topic_id)) WITHOUT ROWID""",
    "CREATE INDEX rebuttal_topics_topic ON rebuttal_topics(topic_id)",
    """CREATE TABLE match_links (
        id INTEGER PRIMARY KEY,
        claim_id INTEGER NOT NULL REFERENCES claims(id),
        target_kind TEXT NOT NULL CHECK (target_kind IN ('fact','rebuttal','claim')),
        target_id INTEGER NOT NULL,
        score REAL NOT NULL,
        tier TEXT NOT NULL CHECK (tier IN ('same','related','none')),
        signals TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(signals)),
        decision TEXT NOT NULL DEFAULT 'suggested'
            CHECK (decision IN ('suggested','auto','confirmed','rejected')),
        decided_by INTEGER REFERENCES users(id),
        decided_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        UNIQUE (claim_id, target_kind, target_id))""",
    "CREATE INDEX match_links_decision ON match_links(decision)",
    """CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL CHECK (target IN ('claim','rebuttal')),
        target_id INTEGER NOT NULL,
        author_id INTEGER NOT NULL REFERENCES users(id),
        body TEXT NOT NULL,
        created_at TEXT NOT NULL)""",
    "CREATE INDEX notes_target ON notes(target, target_id)",
    """CREATE TABLE pulls (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        rebuttal_id INTEGER NOT NULL REFERENCES rebuttals(id),
        version_no INTEGER NOT NULL,
        region_id INTEGER REFERENCES regions(id),
        format TEXT NOT NULL,
        pulled_at TEXT NOT NULL)""",
    "CREATE INDEX pulls_user ON pulls(user_id, rebuttal_id)",
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor_id INTEGER,
        actor_name TEXT,
        action TEXT NOT NULL,
        entity TEXT,
        entity_id INTEGER,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok','denied','failed')),
        before TEXT CHECK (before IS NULL OR json_valid(before)),
        after TEXT CHECK (after IS NULL OR json_valid(after)),
        detail TEXT CHECK (detail IS NULL OR json_valid(detail)))""",
    "CREATE INDEX audit_entity ON audit_log(entity, entity_id)",
    "CREATE INDEX audit_action ON audit_log(action, at)",
    "CREATE INDEX audit_actor ON audit_log(actor_id, at)",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TABLE embeddings (
        model_id TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model_id, content_hash)) WITHOUT ROWID""",
    """CREATE TABLE match_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL CHECK (collection IN ('library','claims')),
        kind TEXT NOT NULL CHECK (kind IN ('fact','rebuttal','claim')),
        ref_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        lang TEXT,
        active INTEGER NOT NULL,
        rev INTEGER NOT NULL,
        UNIQUE (kind, ref_id))""",
    "CREATE INDEX match_items_rev ON match_items(rev)",
    "CREATE INDEX match_items_collection ON match_items(collection, active)",
)


@MIGRATIONS()
def m001_initial(db: "Database") -> None:
    for statement in SCHEMA_V1:
        db.execute(statement)


# The triage queue reads only these columns, so every queue index carries all of
# them: counts and pages are answered from the index without touching the wide
# claim rows (benchmarks/bench_queue.py).  Low-cardinality columns (language,
# channel) get no index of their own; they are filtered inside these.
_QUEUE_TAIL = "lang, channel, region_id, assignee_id, last_seen_at"
SCHEMA_V2_QUEUE_INDEXES: tuple[str, ...] = (
    "DROP INDEX claims_status_priority",
    "DROP INDEX claims_assignee",
    "DROP INDEX claims_region",
    "DROP INDEX claims_lang",
    "DROP INDEX claims_channel",
    "DROP INDEX claims_last_seen",
    f"CREATE INDEX claims_queue ON claims(status, priority DESC, id DESC, {_QUEUE_TAIL})",
    "CREATE INDEX claims_queue_assignee ON claims(assignee_id, status, priority DESC, id DESC,"
    " lang, channel, region_id, last_seen_at)",
    "CREATE INDEX claims_queue_region ON claims(region_id, status, priority DESC, id DESC,"
    " lang, channel, assignee_id, last_seen_at)",
    "CREATE INDEX claims_queue_seen ON claims(last_seen_at, status, priority, id,"
    " lang, channel, region_id, assignee_id)",
)


@MIGRATIONS()
def m002_queue_indexes(db: "Database") -> None:
    for statement in SCHEMA_V2_QUEUE_INDEXES:
        db.execute(statement)


# Substring search for the queue's text filter: a trigram index narrows the
# candidates, the escaped LIKE then confirms them (queries under 3 characters
# fall back to LIKE alone).  External content: the text lives only in claims.
SCHEMA_V3_CLAIM_SEARCH: tuple[str, ...] = (
    "CREATE VIRTUAL TABLE claims_fts USING fts5(text, match_key, content='claims',"
    " content_rowid='id', tokenize='trigram')",
    "INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')",
    """CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN
        INSERT INTO claims_fts(rowid, text, match_key) VALUES (new.id, new.text, new.match_key);
    END""",
    """CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN
        INSERT INTO claims_fts(claims_fts, rowid, text, match_key)
            VALUES ('delete', old.id, old.text, old.match_key);
    END""",
    """CREATE TRIGGER claims_fts_update AFTER UPDATE OF text, match_key ON claims BEGIN
        INSERT INTO claims_fts(claims_fts, rowid, text, match_key)
            VALUES ('delete', old.id, old.text, old.match_key);
        INSERT INTO claims_fts(rowid, text, match_key) VALUES (new.id, new.text, new.match_key);
    END""",
)


@MIGRATIONS()
def m003_claim_search(db: "Database") -> None:
    for statement in SCHEMA_V3_CLAIM_SEARCH:
        db.execute(statement)


@MIGRATIONS()
def m004_match_links_updated_by(db: "Database") -> None:
    # Decisions are edits like any other: a stale one must name who decided.
    db.execute("ALTER TABLE match_links ADD COLUMN updated_by INTEGER REFERENCES users(id)")


# The queue's topic filter: a claim's queue columns are copied onto its claim_topics rows
# (kept in step by triggers, whoever writes the claim), so counts and pages for a topic
# come from one covering index instead of a lookup of every claim row of the topic.
_TOPIC_QUEUE_COLS = ("status", "priority", "lang", "channel", "region_id", "assignee_id",
                     "last_seen_at")
_TOPIC_COPY = ", ".join(_TOPIC_QUEUE_COLS)
SCHEMA_V5_TOPIC_QUEUE: tuple[str, ...] = (
    "ALTER TABLE claim_topics ADD COLUMN status TEXT",
    "ALTER TABLE claim_topics ADD COLUMN priority REAL",
    "ALTER TABLE claim_topics ADD COLUMN lang TEXT",
    "ALTER TABLE claim_topics ADD COLUMN channel TEXT",
    "ALTER TABLE claim_topics ADD COLUMN region_id INTEGER",
    "ALTER TABLE claim_topics ADD COLUMN assignee_id INTEGER",
    "ALTER TABLE claim_topics ADD COLUMN last_seen_at TEXT",
    f"""UPDATE claim_topics SET ({_TOPIC_COPY}) =
        (SELECT {_TOPIC_COPY} FROM claims WHERE claims.id = claim_topics.claim_id)""",
    "CREATE INDEX claim_topics_queue ON claim_topics(topic_id, priority DESC, claim_id DESC,"
    f" {_TOPIC_COPY})",
    f"""CREATE TRIGGER claim_topics_fill AFTER INSERT ON claim_topics BEGIN
        UPDATE claim_topics SET ({_TOPIC_COPY}) =
            (SELECT {_TOPIC_COPY} FROM claims WHERE claims.id = new.claim_id)
        WHERE claim_id = new.claim_id AND topic_id = new.topic_id;
    END""",
    f"""CREATE TRIGGER claims_to_topic_queue AFTER UPDATE OF {_TOPIC_COPY} ON claims BEGIN
        UPDATE claim_topics SET ({_TOPIC_COPY}) =
            ({", ".join("new." + c for c in _TOPIC_QUEUE_COLS)})
        WHERE claim_id = new.id;
    END""",
)


@MIGRATIONS()
def m005_topic_queue(db: "Database") -> None:
    for statement in SCHEMA_V5_TOPIC_QUEUE:
        db.execute(statement)


def apply_migrations(store: "Store") -> list[str]:
    """Apply pending migrations; returns their names (empty when up to date)."""
    if not MIGRATIONS.pending(store.db):
        return []
    with store.write():
        # Re-read under the write lock: another process may have just applied them.
        names = [m.name for m in MIGRATIONS.pending(store.db)]
        if names:
            MIGRATIONS.apply(store.db)
    return names
