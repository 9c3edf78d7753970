-- Mail to candidates (issue 17). An exam's mail language and its own subject and body templates (none:
-- the built-in text of the language); an exam without a row mails in Chinese with the built-in text.
-- A table of its own: the exams table is at diesel's 16-column limit.
CREATE TABLE exam_mail (
    exam_id TEXT PRIMARY KEY NOT NULL REFERENCES exams(id),
    language TEXT NOT NULL,
    mail_subject TEXT,
    mail_body TEXT
);
-- An invitation may name its own language.
ALTER TABLE invitations ADD COLUMN language TEXT;
-- What the recruiter sees of delivery, kept beside the invitation so listing and filtering need no join:
-- not_sent, queued, sent or failed (with the server's reply in email_error).
ALTER TABLE invitations ADD COLUMN email_status TEXT NOT NULL DEFAULT 'not_sent';
ALTER TABLE invitations ADD COLUMN email_error TEXT;
ALTER TABLE invitations ADD COLUMN email_sent_at TIMESTAMP;
CREATE INDEX invitations_email_status ON invitations (exam_id, email_status);
-- One mail to send, written in the invitation's own transaction. access_code is the only copy of the
-- code outside the candidate's hands: it is wiped once the SMTP server accepted the mail (or the mail
-- failed for good). A sender claims rows (state sending, claimed_by, lease_expires_at); a claim whose
-- lease ran out (its instance died) is taken again.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    invitation_id TEXT NOT NULL REFERENCES invitations(id),
    kind TEXT NOT NULL,
    access_code TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    lease_expires_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);
CREATE INDEX mail_outbox_invitation ON mail_outbox (invitation_id);
