-- Trials, their phases and sites, and the history of changes alerts are built on.
-- `raw` is the Zstandard-compressed source document; the record is read back from it, so a better reader or classifier
-- applies to stored trials without a re-import. The columns beside it are what queries filter and count on.
CREATE TABLE trials (
    nct_id TEXT PRIMARY KEY NOT NULL,
    last_update_posted TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source_format TEXT NOT NULL,
    overall_status TEXT NOT NULL,
    study_type TEXT NOT NULL,
    cgt_type TEXT NOT NULL,
    brief_title TEXT NOT NULL,
    first_posted TEXT,
    raw BLOB NOT NULL,
    imported_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX trials_status ON trials (overall_status);
CREATE INDEX trials_cgt ON trials (cgt_type);

CREATE TABLE trial_phases (
    nct_id TEXT NOT NULL REFERENCES trials (nct_id) ON DELETE CASCADE,
    phase TEXT NOT NULL,
    PRIMARY KEY (nct_id, phase)
) WITHOUT ROWID;

CREATE INDEX trial_phases_phase ON trial_phases (phase);

CREATE TABLE trial_sites (
    nct_id TEXT NOT NULL REFERENCES trials (nct_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    facility TEXT,
    status TEXT,
    city TEXT,
    state TEXT,
    postal_code TEXT,
    country TEXT,
    latitude REAL,
    longitude REAL,
    PRIMARY KEY (nct_id, position)
) WITHOUT ROWID;

CREATE INDEX trial_sites_country ON trial_sites (country);

CREATE TABLE trial_history (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    nct_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    last_update_posted TEXT NOT NULL,
    kind TEXT NOT NULL,
    site TEXT,
    old_value TEXT,
    new_value TEXT
);

CREATE INDEX trial_history_trial ON trial_history (nct_id, sequence);
