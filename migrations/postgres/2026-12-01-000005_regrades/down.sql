DROP INDEX attempts_exam_id;
DROP TABLE regrades;
