-- An evaluation queue holds open suggestions only: a department's queue was read through all
-- its suggestions by row (789 of an enterprise to keep its 102 open ones), three times per home
-- page. The indexes now hold open suggestions alone, with their deadline (and their state, so
-- that the index covers the query), so the queue, its size and its overdue part are read from
-- the index. Queries repeat the condition literally
-- (`storage::suggestions::OPEN`) so that both databases use it.
DROP INDEX suggestions_assigned;
DROP INDEX suggestions_evaluator;
CREATE INDEX suggestions_open_assigned ON suggestions (assigned_path, due_on, state)
    WHERE state IN ('assigned', 'evaluated');
CREATE INDEX suggestions_open_evaluator ON suggestions (evaluator_account_id, due_on, state)
    WHERE state IN ('assigned', 'evaluated');
