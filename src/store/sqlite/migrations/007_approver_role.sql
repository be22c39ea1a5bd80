ALTER TABLE incidents ADD COLUMN approver_role TEXT;
