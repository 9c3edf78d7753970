-- A staff token carries the account's token version; changing a role, disabling the account or
-- changing its password bumps the version, so every token issued before stops working at once.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;
