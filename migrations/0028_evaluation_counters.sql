-- The results and the at-risk pages of a large subtree read counters, not rows.
--
-- A year's evaluations are counted by grade and state (`ev:YYYY:grade:state` rows of
-- `unit_counters`) and its forecasts by studios forecast and studios at risk (`fc:YYYY`,
-- `fr:YYYY`), kept in the transaction of every write; the counters are rebuilt from the
-- records after this step.
DELETE FROM unit_counters WHERE counter >= 'ev:' AND counter < 'ev;';
DELETE FROM unit_counters WHERE counter >= 'fc:' AND counter < 'fc;';
DELETE FROM unit_counters WHERE counter >= 'fr:' AND counter < 'fr;';

-- A year's evaluations in the orders the results list shows (newest first, lowest first):
-- walked over a large subtree instead of sorting all of its evaluations.
CREATE INDEX evaluations_year ON evaluations (year, id);
CREATE INDEX evaluations_year_total ON evaluations (year, total, id);
-- The oldest forecast of a large subtree, found by walking the year's forecasts by time.
CREATE INDEX evaluation_forecasts_age ON evaluation_forecasts (year, computed_at);
-- Open follow-up items most overdue first, walked over a large subtree (the country's
-- overdue list) instead of sorting all of its items.
CREATE INDEX follow_ups_open_due ON inspection_follow_ups (due_on, id, unit_path) WHERE state = 'open';
