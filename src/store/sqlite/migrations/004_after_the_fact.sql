ALTER TABLE steps ADD COLUMN completed_at INTEGER;
ALTER TABLE steps ADD COLUMN completed_by TEXT;
ALTER TABLE steps ADD COLUMN completed_note TEXT;
ALTER TABLE incidents ADD COLUMN abandoned_by TEXT;
ALTER TABLE incidents ADD COLUMN abandon_reason TEXT;
