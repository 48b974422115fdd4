-- Accounts and sessions, saved searches and their alerts, the e-mail outbox, navigation requests and the audit log.
-- Booleans are 0/1 integers and times ISO 8601 UTC text, as in PostgreSQL's version of this migration, so both
-- databases run the same statements (Sources/Storage/PeopleStore.swift).
CREATE TABLE settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    display_name TEXT NOT NULL,
    language TEXT NOT NULL,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

-- Only a SHA-256 of each session token is kept, so a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX sessions_account ON sessions (account_id);

-- Failed sign-ins, by e-mail and by client address, for rate limiting.
CREATE TABLE sign_in_failures (
    key TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);

CREATE TABLE saved_searches (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    query TEXT NOT NULL,
    language TEXT NOT NULL,
    frequency TEXT NOT NULL,
    confirmed INTEGER NOT NULL,
    feed_token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    unsubscribed_at TEXT
);

CREATE INDEX saved_searches_email ON saved_searches (email);

-- One row per (saved search, trial, change): `key` is the idempotency key of the alert.
CREATE TABLE alerts (
    key TEXT PRIMARY KEY NOT NULL,
    saved_search_id TEXT NOT NULL REFERENCES saved_searches (id) ON DELETE CASCADE,
    nct_id TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL,
    history_sequence INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    mailed_in TEXT
);

CREATE INDEX alerts_search ON alerts (saved_search_id, created_at);
CREATE INDEX alerts_unmailed ON alerts (mailed_in, created_at);

-- The transactional outbox: a message is queued in the same transaction as what caused it, and the delivery worker
-- sends it. `key` is the idempotency key (also the message's Message-ID).
CREATE TABLE outbox (
    key TEXT PRIMARY KEY NOT NULL,
    recipient TEXT NOT NULL,
    message TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT
);

CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

CREATE TABLE navigation_requests (
    id TEXT PRIMARY KEY NOT NULL,
    requester_account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    requester_kind TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    contact_preference TEXT NOT NULL,
    language TEXT NOT NULL,
    situation TEXT NOT NULL,
    trials TEXT NOT NULL,
    consent INTEGER NOT NULL,
    status TEXT NOT NULL,
    assignee_account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    status_token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    due_at TEXT NOT NULL
);

CREATE INDEX navigation_requests_status ON navigation_requests (status, due_at);

CREATE TABLE navigation_notes (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL REFERENCES navigation_requests (id) ON DELETE CASCADE,
    author_account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE INDEX navigation_notes_request ON navigation_notes (request_id, sequence);

-- Who read or changed what, append-only.
CREATE TABLE audit_log (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE INDEX audit_log_subject ON audit_log (subject, sequence);
