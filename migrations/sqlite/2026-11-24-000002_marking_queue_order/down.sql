DROP INDEX marking_tasks_open_queue;
