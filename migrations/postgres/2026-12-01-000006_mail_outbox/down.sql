DROP TABLE mail_outbox;
DROP INDEX invitations_email_status;
ALTER TABLE invitations DROP COLUMN email_sent_at;
ALTER TABLE invitations DROP COLUMN email_error;
ALTER TABLE invitations DROP COLUMN email_status;
ALTER TABLE invitations DROP COLUMN language;
DROP TABLE exam_mail;
