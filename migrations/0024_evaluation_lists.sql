-- The results of a union's year are counted by grade and listed from the index alone: the
-- subtree's range by year carries grade, state and total, so the counts and the sorting of a
-- province's (or the country's) evaluations never read the rows with their scored items.
DROP INDEX evaluations_tree;
CREATE INDEX evaluations_tree ON evaluations (year, unit_path, grade, state, total, id);
