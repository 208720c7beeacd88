-- The queue of waiting plans is read oldest first, ties by id. With the unit's path between
-- the time and the row id, plans submitted in the same millisecond (a whole year's generated
-- plans, or a batch of imported ones) came out of the index unordered and the country's 20,283
-- were sorted on every home page (220 ms). The id now follows the time, the path after it so
-- that the scope is still checked in the index.
DROP INDEX annual_plans_queue;
CREATE INDEX annual_plans_queue ON annual_plans (state, submitted_at, id, unit_path);
