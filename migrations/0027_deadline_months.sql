-- Running projects counted by the month of their deadline (`dm:YYYY-MM` rows of
-- `unit_counters`) beside the counts by day: the lights of a subtree read the months before
-- this one whole and only this month's days and the week ahead one by one. Summed here from
-- the counters by day, which hold the same projects.
DELETE FROM unit_counters WHERE counter >= 'dm:' AND counter < 'dm;';
INSERT INTO unit_counters (unit_id, counter, value)
SELECT unit_id, 'dm:' || substr(counter, 5, 7), SUM(value)
FROM unit_counters WHERE counter >= 'due:' AND counter < 'due;'
GROUP BY unit_id, substr(counter, 5, 7)
HAVING SUM(value) <> 0;
