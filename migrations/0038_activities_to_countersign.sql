-- A studio leader's home page lists the records of their studios the host has signed and that
-- wait for the leader's signature. They were found through `activities_studio` (studio, day),
-- each of the studio's records read from the table to see its state: a studio with years of
-- history read hundreds of records for the few waiting. This index holds only the waiting ones
-- (a record is in it between the host's signature and the leader's), so recording an activity
-- does not write to it.
CREATE INDEX activities_to_countersign ON activities (studio_id, held_on, id) WHERE state = 'host_signed';
