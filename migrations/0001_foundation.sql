-- Foundation: organisation tree, people, accounts and roles, studios and their teams,
-- attachments, the audit log, subtree counters and the search index.
-- Portable SQL; @ID@, @PATH@, @BLOB@ and @WITHOUT_ROWID@ are filled in per database.

CREATE TABLE org_units (
    id @ID@,
    parent_id BIGINT REFERENCES org_units (id),
    path @PATH@ NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX org_units_path ON org_units (path);
CREATE INDEX org_units_parent ON org_units (parent_id, id);

CREATE TABLE people (
    id @ID@,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    unit_path @PATH@ NOT NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_year BIGINT,
    education TEXT,
    title TEXT,
    skill_grade TEXT,
    employee_no TEXT,
    phone TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- The name rides along so that a search scanning a subtree in order reads only the index.
CREATE INDEX people_unit_path ON people (unit_path, id, name);
CREATE INDEX people_employee_no ON people (employee_no);

CREATE TABLE person_honours (
    id @ID@,
    person_id BIGINT NOT NULL REFERENCES people (id),
    honour TEXT NOT NULL,
    year BIGINT
);
CREATE UNIQUE INDEX person_honours_person ON person_honours (person_id, honour);

CREATE TABLE accounts (
    id @ID@,
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    person_id BIGINT REFERENCES people (id),
    home_unit_id BIGINT REFERENCES org_units (id),
    locale TEXT,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_username ON accounts (username);
CREATE UNIQUE INDEX accounts_person ON accounts (person_id);
CREATE INDEX accounts_home ON accounts (home_unit_id, id);

CREATE TABLE role_grants (
    id @ID@,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    role TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    granted_by BIGINT REFERENCES accounts (id),
    granted_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX role_grants_unique ON role_grants (account_id, role, unit_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id @ID@,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    prefix TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_account ON api_tokens (account_id, id);

CREATE TABLE login_attempts (
    attempt_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL
);

CREATE TABLE studios (
    id @ID@,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    unit_path @PATH@ NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    leader_person_id BIGINT REFERENCES people (id),
    founded_on TEXT,
    room TEXT,
    area_m2 BIGINT,
    facilities TEXT,
    description TEXT,
    contact TEXT,
    partner TEXT,
    state TEXT NOT NULL,
    level TEXT,
    supervisor_unit_id BIGINT REFERENCES org_units (id),
    applying_unit_id BIGINT REFERENCES org_units (id),
    notice_starts_on TEXT,
    notice_ends_on TEXT,
    rectify_by TEXT,
    team_reviewed_on TEXT,
    member_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX studios_unit_path ON studios (unit_path, id, name);
CREATE INDEX studios_leader ON studios (leader_person_id);

CREATE TABLE studio_transitions (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT,
    detail TEXT,
    actor_account_id BIGINT REFERENCES accounts (id),
    at BIGINT NOT NULL
);
CREATE INDEX studio_transitions_studio ON studio_transitions (studio_id, id);

CREATE TABLE studio_namings (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    level TEXT NOT NULL,
    naming_unit_id BIGINT NOT NULL REFERENCES org_units (id),
    named_on TEXT NOT NULL,
    certificate_no TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX studio_namings_studio ON studio_namings (studio_id, named_on);
CREATE UNIQUE INDEX studio_namings_certificate ON studio_namings (naming_unit_id, certificate_no);

CREATE TABLE studio_members (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    role TEXT NOT NULL,
    duty TEXT,
    joined_on TEXT NOT NULL,
    left_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX studio_members_studio ON studio_members (studio_id, id);
CREATE INDEX studio_members_person ON studio_members (person_id);
CREATE UNIQUE INDEX studio_members_active ON studio_members (studio_id, person_id) WHERE left_on IS NULL;

CREATE TABLE member_proposals (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    kind TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id),
    member_id BIGINT REFERENCES studio_members (id),
    role TEXT,
    duty TEXT,
    effective_on TEXT NOT NULL,
    reason TEXT,
    status TEXT NOT NULL,
    proposed_by BIGINT REFERENCES accounts (id),
    proposed_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES accounts (id),
    decided_at BIGINT,
    decision_note TEXT
);
CREATE INDEX member_proposals_studio ON member_proposals (studio_id, id);
CREATE INDEX member_proposals_pending ON member_proposals (status, id);

CREATE TABLE attachments (
    id @ID@,
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    purpose TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES accounts (id),
    uploaded_at BIGINT NOT NULL,
    removed_at BIGINT
);
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id, id);

CREATE TABLE audit_log (
    id @ID@,
    at BIGINT NOT NULL,
    account_id BIGINT,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    unit_path @PATH@,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);

CREATE TABLE unit_counters (
    unit_id BIGINT NOT NULL,
    counter TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (unit_id, counter)
) @WITHOUT_ROWID@;

CREATE TABLE search_terms (
    kind BIGINT NOT NULL,
    term TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    PRIMARY KEY (kind, term, entity_id)
) @WITHOUT_ROWID@;
