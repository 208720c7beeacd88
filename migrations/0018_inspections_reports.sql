-- Inspections (检查, SPEC §3.11) and annual work reports (年度工作汇报). Both are read by the
-- annual evaluation (考核): the year's inspections feed its judged items, a submitted report
-- is half of “plan and summary submitted”.

-- One visit of the supervising union to a studio, quarterly by default.
CREATE TABLE inspections (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    -- The studio's unit path: who may read the inspection follows the studio.
    unit_path @PATH@ NOT NULL,
    -- The union unit that inspected (the studio's supervising unit or one above it).
    inspecting_unit_id BIGINT NOT NULL REFERENCES org_units (id),
    year BIGINT NOT NULL,
    -- 1..4: the quarter the visit counts for.
    quarter BIGINT NOT NULL,
    inspected_on TEXT NOT NULL,
    -- The checklist as answered: JSON [{"item": code, "met": bool, "note": text}].
    checklist TEXT NOT NULL,
    -- 0..100.
    score BIGINT NOT NULL,
    remarks TEXT,
    inspector_id BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX inspections_studio_quarter ON inspections (studio_id, year, quarter);
CREATE INDEX inspections_tree ON inspections (unit_path, inspected_on);

-- What an inspection asked the studio to put right, tracked until closed.
CREATE TABLE inspection_follow_ups (
    id @ID@,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    unit_path @PATH@ NOT NULL,
    item TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- open | closed
    state TEXT NOT NULL,
    closed_on TEXT,
    closed_by BIGINT REFERENCES accounts (id),
    closing_note TEXT
);
CREATE INDEX follow_ups_inspection ON inspection_follow_ups (inspection_id, id);
CREATE INDEX follow_ups_open ON inspection_follow_ups (unit_path, due_on) WHERE state = 'open';

-- A studio's annual work report: generated from its records, edited, then submitted and fixed.
CREATE TABLE annual_reports (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    unit_path @PATH@ NOT NULL,
    year BIGINT NOT NULL,
    -- The report's sections as edited: JSON [{"key": code, "title": text, "body": text}].
    body TEXT NOT NULL,
    -- draft | submitted
    state TEXT NOT NULL,
    submitted_on TEXT,
    submitted_by BIGINT REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX annual_reports_studio_year ON annual_reports (studio_id, year);
CREATE INDEX annual_reports_tree ON annual_reports (unit_path, year);
