-- The annual evaluation of a whole tree reads a year of records for every studio at once
-- (the country: 150,000 studios). Indexes that answer its counts without reading the rows:
-- exchanges, trainings, meetings and competitions of a subtree and a year by kind (2 M records
-- a year on the national set: 8 s through the studios' index). The subtree comes before the
-- day, so that one enterprise's trainings of a year (its figures) are found without walking
-- the country's ...
CREATE INDEX activities_kind_held ON activities (kind, unit_path, held_on, state, studio_id);
-- ... whether an expense has a receipt still attached ...
CREATE INDEX attachments_present ON attachments (owner_kind, owner_id, removed_at);
-- ... the studios' rules documents uploaded in two years ...
CREATE INDEX attachments_rules ON attachments (purpose, uploaded_at, owner_id)
    WHERE owner_kind = 'studio' AND removed_at IS NULL;
-- ... and the approved expenses of a subtree in a period, with their studio.
DROP INDEX expenses_tree;
CREATE INDEX expenses_tree ON expenses (unit_path, spent_on, state, studio_id);
-- One studio's budget lines of a year: the records behind its evaluation's item (150 ms a
-- studio on the national set without it).
CREATE INDEX budget_lines_studio ON budget_lines (studio_id, funded_on);
