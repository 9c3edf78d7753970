-- The claim query walks the open tasks of an exam in queue order and stops at the first it may take;
-- without this index it sorted every task of the exam on every claim. (The "other round of the same
-- answer" check uses the unique (attempt_id, question_key, round) index.)
CREATE INDEX marking_tasks_open_queue ON marking_tasks (exam_id, round, question_key, created_at, id) WHERE state <> 'done';
