-- Running projects are counted per unit subtree by their earliest open deadline
-- (unit_counters rows `due:YYYY-MM-DD`), so red/yellow/green totals of a subtree no longer count
-- its projects. The rows are computed from the records right after this step (see
-- storage::migrate, `then`); the index below serves the red lists of small units.
CREATE INDEX projects_due_unit ON projects (next_due, unit_path);
