-- A key correction's regrade of one exam, worked in chunks of attempts, each chunk one transaction that
-- also moves `after_attempt` on: a regrade stopped anywhere (a crash, a restart) resumes after the
-- last chunk that committed, and no attempt is regraded twice.
CREATE TABLE regrades (
    id TEXT PRIMARY KEY NOT NULL,
    exam_id TEXT NOT NULL REFERENCES exams(id),
    paper_id TEXT NOT NULL,
    question_key TEXT NOT NULL,
    actor TEXT NOT NULL,
    state TEXT NOT NULL,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    after_attempt TEXT,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX regrades_exam ON regrades (exam_id);
CREATE INDEX regrades_running ON regrades (state);
-- A regrade walks an exam's attempts in id order, a chunk at a time.
CREATE INDEX attempts_exam_id ON attempts (exam_id, id);
