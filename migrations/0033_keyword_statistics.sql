-- Statistics of the lower-cased titles and names that keyword searches match with LIKE
-- (PostgreSQL only; see `keywords::statistics`, run after this file). Without them the planner
-- guessed that a word matched one title in several thousand, read every record of the subtree
-- and sorted them, where walking them newest first fills a page after a few hundred (outcomes
-- of a province by a common word: 24 ms → 1 ms). SQLite keeps no such statistics: nothing here.
SELECT 1;
