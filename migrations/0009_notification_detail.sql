-- What happened, beyond a notice's kind (the step taken, a score, a reason), as JSON; and the
-- unread notices of an account by the page they point to, so that opening that page reads them.
ALTER TABLE notifications ADD COLUMN detail TEXT;
CREATE INDEX notifications_unread_link ON notifications (account_id, link) WHERE read_at IS NULL;
