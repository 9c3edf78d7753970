// The desk's plain views: the staff login form, and the marker's exams with what is left per question
// and the answers they hold (shown first: a closed tab loses nothing).
import { formatRemaining } from './clock.js';
import { h } from './dom.js';
import { formatPoints, t } from './i18n.js';

/** E-mail and password; `onLogin(email, password)` is called with what was typed. */
export function loginForm(message, onLogin) {
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form',
    { class: 'card code-form' },
    h('h1', {}, t('deskTitle')),
    h('p', {}, t('deskLoginHint')),
    h('label', { for: 'email' }, t('email')),
    email,
    h('label', { for: 'password' }, t('password')),
    password,
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    h('button', { type: 'submit', class: 'primary' }, t('logIn')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (email.value.trim() && password.value) onLogin(email.value.trim(), password.value);
  });
  return form;
}

/** Seconds from now until `iso`, by the time the server sent with the task. */
function leaseLeft(task) {
  return Math.max(0, Math.floor((Date.parse(task.lease_expires_at) - Date.parse(task.server_time)) / 1000));
}

function heldList(exams, held, onHeld) {
  if (!held.length) return null;
  const title = (id) => (exams.find((e) => e.exam_id === id) || {}).title || '';
  return h(
    'section',
    { class: 'card wide held', 'aria-labelledby': 'held-title' },
    h('h2', { id: 'held-title' }, t('deskHeld')),
    h('p', { class: 'hint' }, t('deskHeldHint')),
    h('ul', {}, ...held.map((task) => h('li', {},
      h('span', {}, t('deskHeldItem', { n: task.question.number, exam: title(task.exam_id), left: formatRemaining(leaseLeft(task)) })), ' ',
      h('button', { type: 'button', class: 'primary', onclick: () => onHeld(task) }, t('deskContinue', { n: task.question.number }))))),
  );
}

function examCard(exam, { onQuestion, onExam, onMarks }) {
  const rows = exam.questions.map((q) => h(
    'tr', {},
    h('th', { scope: 'row' }, t('questionN', { n: q.number }), h('span', { class: 'kind' }, `${t(`kind_${q.kind}`)} · ${t('points', { n: formatPoints(q.points) })}`)),
    h('td', { class: 'text excerpt' }, q.prompt),
    h('td', { class: 'num' }, q.open), h('td', { class: 'num' }, q.claimed), h('td', { class: 'num' }, q.done),
    h('td', {}, h('button', { type: 'button', class: q.open ? 'primary' : '', disabled: !q.open, onclick: () => onQuestion(exam, q) }, t('markQuestion', { n: q.number }))),
  ));
  return h(
    'section',
    { class: 'card wide exam', 'aria-labelledby': `exam-${exam.exam_id}` },
    h('h2', { id: `exam-${exam.exam_id}` }, exam.title),
    h('p', {}, t('deskCounts', { open: exam.open, claimed: exam.claimed, done: exam.done }), exam.released ? h('strong', { class: 'released' }, ` · ${t('deskReleased')}`) : null),
    h('p', { class: 'hint' }, t('byQuestionHint')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'sections' },
      h('thead', {}, h('tr', {}, ...['colQuestion', 'prompt', 'colLeft', 'colHeld', 'colDone', 'colMark'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, ...rows))),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => onMarks(exam) }, t('myMarks')),
      h('button', { type: 'button', disabled: !exam.open, onclick: () => onExam(exam) }, t('markExam'))),
  );
}

/** The exams, with held answers first; `message` (after a step) is shown on top. */
export function examsView(exams, held, message, actions) {
  return h(
    'div',
    { class: 'exams' },
    message ? h('p', { class: 'card', role: 'status' }, message) : null,
    heldList(exams, held, actions.onHeld),
    h('h1', { class: 'page-title' }, t('deskExams')),
    exams.length ? exams.map((exam) => examCard(exam, actions)) : h('p', { class: 'card' }, t('deskNoExams')),
  );
}
