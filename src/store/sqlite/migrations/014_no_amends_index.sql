-- The amend steps' index (migration 6) was read by `report` until migration 11 gave each
-- incident its amend counts in its own row; since then only migration 11 itself read it.
-- It cost every amend step written a second entry (67 MB of a log of a million
-- incidents, written again by every import), for nothing.
DROP INDEX steps_amends;
