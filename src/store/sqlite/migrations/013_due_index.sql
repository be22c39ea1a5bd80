-- What `due` shows of an incident (id, type, ref, staff, uid), for the incidents that have
-- follow-ups open and are not abandoned only: a few thousand rows however long the log.
-- `due` looks each of its follow-ups' incidents up here instead of in the wide rows of
-- the incidents table, where a day's incidents spread over hundreds of pages: at a million
-- incidents it read 290 pages for 919 overdue follow-ups, and now about 40.
-- `follow_ups_open` is a summary column, kept in every write's transaction (see
-- `summary`), so the index holds every incident with an open follow-up.
-- The two columns of the condition are in the index too, so SQLite reads nothing else.
CREATE INDEX incidents_open_follow_ups ON incidents(n, id, type, ref, staff, uid, status, follow_ups_open)
    WHERE follow_ups_open > 0 AND status <> 'abandoned';
