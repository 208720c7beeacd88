-- Two indexes that every write paid for and no read needs: each entry lands on a page of its
-- own (a unit, an account), so each cost a 4-KB page written to the WAL and copied again into
-- the file — about one write in eight of recording an activity.
-- Unread notices are counted and marked read through `notifications_unread_link`, which holds
-- exactly the unread ones (the count reads that index alone, not the table).
DROP INDEX notifications_unread;
-- Every read of activities by subtree names their kind too: `activities_kind_held` (kind,
-- subtree, day) answers them all.
DROP INDEX activities_unit_held;
