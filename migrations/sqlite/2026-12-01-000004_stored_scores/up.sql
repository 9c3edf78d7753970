-- An attempt's score as the grading rule last computed it: every reader (results, CSV, statistics, the
-- candidate's result) reads it instead of grading the whole exam again. `complete` beside the totals so
-- that results are filtered and sorted in SQL.
ALTER TABLE attempts ADD COLUMN complete BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE attempts ADD COLUMN score_record TEXT;
CREATE INDEX attempts_exam_started ON attempts (exam_id, started_at, id);
CREATE INDEX attempts_exam_total ON attempts (exam_id, total_points, id);
-- Filters by state (results, statistics over graded attempts, a regrade's closed ones) in start order.
CREATE INDEX attempts_exam_state ON attempts (exam_id, state, started_at, id);
CREATE INDEX attempts_exam_closed ON attempts (exam_id, closed_at, id);
