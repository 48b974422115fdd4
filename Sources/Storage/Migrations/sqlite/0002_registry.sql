-- The CAR-T outcomes registry (docs/REGISTRY.md): seven tables of pseudonymous records, the same columns as the CSV
-- files (snake_case), dates as YYYY-MM-DD text, amounts in cents. Grades are never stored: they are computed from the
-- raw signs by the ASTCT grader. An import replaces the whole registry in one transaction and is logged in
-- registry_imports.
CREATE TABLE registry_patients (
    id TEXT PRIMARY KEY NOT NULL,
    birth_year INTEGER NOT NULL,
    sex TEXT NOT NULL,
    region TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE registry_episodes (
    id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES registry_patients (id),
    product TEXT NOT NULL,
    indication TEXT NOT NULL,
    centre TEXT NOT NULL,
    referral_date TEXT NOT NULL,
    approval_date TEXT,
    apheresis_date TEXT,
    infusion_date TEXT,
    bridging TEXT NOT NULL,
    lymphodepletion TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX registry_episodes_patient ON registry_episodes (patient_id);

CREATE TABLE registry_deaths (
    patient_id TEXT PRIMARY KEY NOT NULL REFERENCES registry_patients (id),
    date TEXT NOT NULL,
    cause TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE registry_toxicities (
    episode_id TEXT NOT NULL REFERENCES registry_episodes (id),
    date TEXT NOT NULL,
    temperature_celsius REAL,
    fever_masked_by_treatment INTEGER NOT NULL,
    hypotension TEXT NOT NULL,
    hypoxia TEXT NOT NULL,
    encephalopathy_screen TEXT,
    encephalopathy_score INTEGER,
    consciousness TEXT NOT NULL,
    seizure TEXT NOT NULL,
    motor TEXT NOT NULL,
    intracranial_pressure TEXT NOT NULL,
    tocilizumab INTEGER NOT NULL,
    corticosteroids INTEGER NOT NULL,
    PRIMARY KEY (episode_id, date)
) WITHOUT ROWID;

CREATE TABLE registry_responses (
    episode_id TEXT NOT NULL REFERENCES registry_episodes (id),
    date TEXT NOT NULL,
    category TEXT NOT NULL,
    PRIMARY KEY (episode_id, date)
) WITHOUT ROWID;

CREATE TABLE registry_visits (
    episode_id TEXT NOT NULL REFERENCES registry_episodes (id),
    date TEXT NOT NULL,
    PRIMARY KEY (episode_id, date)
) WITHOUT ROWID;

CREATE TABLE registry_costs (
    id TEXT PRIMARY KEY NOT NULL,
    episode_id TEXT NOT NULL REFERENCES registry_episodes (id),
    category TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    date TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX registry_costs_episode ON registry_costs (episode_id);

CREATE TABLE registry_imports (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    imported_at TEXT NOT NULL,
    source TEXT NOT NULL,
    patients INTEGER NOT NULL,
    episodes INTEGER NOT NULL,
    toxicities INTEGER NOT NULL,
    responses INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    deaths INTEGER NOT NULL,
    costs INTEGER NOT NULL
);
