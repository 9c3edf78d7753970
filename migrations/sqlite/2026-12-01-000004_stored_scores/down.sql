DROP INDEX attempts_exam_closed;
DROP INDEX attempts_exam_state;
DROP INDEX attempts_exam_total;
DROP INDEX attempts_exam_started;
ALTER TABLE attempts DROP COLUMN score_record;
ALTER TABLE attempts DROP COLUMN complete;
