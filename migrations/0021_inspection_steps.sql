-- What migration 18 left out for the inspections' life cycle: what the studio reported on a
-- follow-up item, the item's history of steps, the sweep's once-per-due-day notice, and why a
-- submitted annual report was returned. The meaning of migration 18's columns is unchanged.

-- The studio's latest report on the item (what was done), cleared when the union reopens it.
ALTER TABLE inspection_follow_ups ADD COLUMN reported_on TEXT;
ALTER TABLE inspection_follow_ups ADD COLUMN reported_by BIGINT REFERENCES accounts (id);
ALTER TABLE inspection_follow_ups ADD COLUMN report_note TEXT;
-- The due day the sweep last told the studio about (once per due day).
ALTER TABLE inspection_follow_ups ADD COLUMN overdue_notified_on TEXT;

-- Every step on a follow-up item: report, close, reopen (with its note and, on reopening, the
-- new due day).
CREATE TABLE inspection_follow_up_steps (
    id @ID@,
    follow_up_id BIGINT NOT NULL REFERENCES inspection_follow_ups (id),
    action TEXT NOT NULL,
    note TEXT,
    due_on TEXT,
    taken_on TEXT NOT NULL,
    taken_by BIGINT NOT NULL REFERENCES accounts (id),
    taken_at BIGINT NOT NULL
);
CREATE INDEX follow_up_steps_item ON inspection_follow_up_steps (follow_up_id, id);

-- Why and by whom a submitted report was last returned for revision (state goes back to draft).
ALTER TABLE annual_reports ADD COLUMN returned_on TEXT;
ALTER TABLE annual_reports ADD COLUMN returned_by BIGINT REFERENCES accounts (id);
ALTER TABLE annual_reports ADD COLUMN return_reason TEXT;
