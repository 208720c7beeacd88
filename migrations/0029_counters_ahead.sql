-- The lights and the overdue follow-ups of a subtree read what lies ahead, not the years
-- behind: red (or overdue) is the total less what is due from today on. Totals of running
-- projects with a deadline (`tot:due`) and of open follow-up items (`tot:fu`), and the open
-- items by month of their due day (`fm:YYYY-MM`) beside the counts by day, summed here from
-- the counters by day, which hold the same records.
DELETE FROM unit_counters WHERE counter >= 'tot:' AND counter < 'tot;';
DELETE FROM unit_counters WHERE counter >= 'fm:' AND counter < 'fm;';
INSERT INTO unit_counters (unit_id, counter, value)
SELECT unit_id, 'tot:due', SUM(value)
FROM unit_counters WHERE counter >= 'dm:' AND counter < 'dm;'
GROUP BY unit_id
HAVING SUM(value) <> 0;
INSERT INTO unit_counters (unit_id, counter, value)
SELECT unit_id, 'tot:fu', SUM(value)
FROM unit_counters WHERE counter >= 'fu:' AND counter < 'fu;'
GROUP BY unit_id
HAVING SUM(value) <> 0;
INSERT INTO unit_counters (unit_id, counter, value)
SELECT unit_id, 'fm:' || substr(counter, 4, 7), SUM(value)
FROM unit_counters WHERE counter >= 'fu:' AND counter < 'fu;'
GROUP BY unit_id, substr(counter, 4, 7)
HAVING SUM(value) <> 0;
