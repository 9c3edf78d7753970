-- The first admin's password, when examd generated it, was printed in a log: the account is told to
-- set its own, and setting it clears the mark (and, like any password change, ends every session).
ALTER TABLE users ADD COLUMN password_generated BOOLEAN NOT NULL DEFAULT FALSE;
