-- Queues read on every home page, oldest first: the plans waiting for agreement are found in
-- the order they wait, the scope checked in the index, so a province's or the country's queue
-- reads its first rows instead of sorting every submitted plan below it (183 ms → 0.3 ms on
-- the national set). It replaces the index by state and unit, which the planner preferred for
-- that query and which no other query needs.
CREATE INDEX annual_plans_queue ON annual_plans (state, submitted_at, unit_path);
DROP INDEX annual_plans_state;
