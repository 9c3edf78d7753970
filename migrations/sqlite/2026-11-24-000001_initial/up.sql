-- Portable schema: ids are text (UUIDv7 made in Rust), times are UTC timestamps bound from Rust,
-- documents and answers are JSON text, points are integer hundredths.
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE papers (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    derived_from TEXT REFERENCES papers(id),
    document TEXT NOT NULL,
    total_points BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);
CREATE INDEX papers_owner ON papers(owner_id);

CREATE TABLE exams (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users(id),
    paper_id TEXT NOT NULL REFERENCES papers(id),
    title TEXT NOT NULL,
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    duration_seconds INTEGER NOT NULL,
    grace_seconds INTEGER NOT NULL,
    shuffle_questions BOOLEAN NOT NULL,
    shuffle_options BOOLEAN NOT NULL,
    release_policy TEXT NOT NULL,
    double_marking BOOLEAN NOT NULL,
    marking_tolerance BIGINT NOT NULL,
    released_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX exams_owner ON exams(owner_id);

CREATE TABLE exam_markers (
    exam_id TEXT NOT NULL REFERENCES exams(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (exam_id, user_id)
);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    exam_id TEXT NOT NULL REFERENCES exams(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    extra_seconds INTEGER NOT NULL,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invitations_exam ON invitations(exam_id);

CREATE TABLE attempts (
    id TEXT PRIMARY KEY NOT NULL,
    exam_id TEXT NOT NULL REFERENCES exams(id),
    invitation_id TEXT NOT NULL UNIQUE REFERENCES invitations(id),
    seed BIGINT NOT NULL,
    state TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    deadline_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    auto_points BIGINT,
    marked_points BIGINT,
    total_points BIGINT
);
CREATE INDEX attempts_exam ON attempts(exam_id);
CREATE INDEX attempts_open_deadline ON attempts(state, deadline_at);

CREATE TABLE responses (
    attempt_id TEXT NOT NULL REFERENCES attempts(id),
    question_key TEXT NOT NULL,
    answer TEXT,
    seq BIGINT NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    points BIGINT,
    PRIMARY KEY (attempt_id, question_key)
);

CREATE TABLE marking_tasks (
    id TEXT PRIMARY KEY NOT NULL,
    exam_id TEXT NOT NULL REFERENCES exams(id),
    attempt_id TEXT NOT NULL REFERENCES attempts(id),
    question_key TEXT NOT NULL,
    round INTEGER NOT NULL,
    state TEXT NOT NULL,
    claimed_by TEXT REFERENCES users(id),
    lease_expires_at TIMESTAMP,
    fence BIGINT NOT NULL,
    points BIGINT,
    comment TEXT,
    marked_by TEXT REFERENCES users(id),
    marked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (attempt_id, question_key, round)
);
CREATE INDEX marking_tasks_queue ON marking_tasks(exam_id, state, question_key);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events(subject);
