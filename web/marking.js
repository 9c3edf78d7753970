// One answer on the desk: the question (prompt, points, reference answer, rubric, guidance) beside the
// candidate's answer, and the score form (rubric checkboxes adding up, points on the step, a comment,
// "Score and next"). Nothing here knows or shows who wrote the answer: the task carries no one.
import { h } from './dom.js';
import { formatPoints, t } from './i18n.js';
import { checkPoints, rubricTotal } from './scoring.js';

/** The shortcuts, shown on the page as well as handled. */
export function shortcutsHelp() {
  return h(
    'aside',
    { class: 'shortcuts', 'aria-label': t('shortcuts') },
    h('h2', {}, t('shortcuts')),
    h('ul', {}, h('li', {}, t('keyDigits')), h('li', {}, t('keyEnter')), h('li', {}, t('keyCtrlEnter'))),
  );
}

function block(title, text, cls) {
  if (!text) return null;
  return h('section', { class: `ref ${cls}` }, h('h3', {}, title), h('p', { class: 'text' }, text));
}

/** What the marker compares against. */
function questionPanel(q) {
  return h(
    'section',
    { class: 'qpanel', 'aria-labelledby': 'q-title' },
    h('h2', { id: 'q-title' }, t('questionPoints', { n: q.number, p: formatPoints(q.points) })),
    h('p', { class: 'prompt' }, q.prompt),
    q.word_limit ? h('p', { class: 'hint' }, t('wordLimit', { n: q.word_limit })) : null,
    block(t('reference'), q.reference_answer, 'reference'),
    q.rubric.length
      ? h('section', { class: 'ref rubric-ref' }, h('h3', {}, t('rubric')), h('ul', {}, ...q.rubric.map((r) => h('li', {}, t('criterion', { c: r.criterion, p: formatPoints(r.points) })))))
      : null,
    block(t('guidance'), q.guidance, 'guidance'),
  );
}

/**
 * The view of one task. `kept` holds points and comment typed before (a lost lease keeps them);
 * `onScore(points, comment)` and `onSkip()` are the actions. Returns `{node, focus(), values(), lost()}`.
 */
export function taskView(task, heading, kept, { onScore, onSkip, onBack }) {
  const q = task.question;
  const max = formatPoints(q.points);
  const step = formatPoints(task.step);
  const points = h('input', { id: 'points', name: 'points', type: 'text', inputmode: 'decimal', autocomplete: 'off', value: kept ? kept.points : '', 'aria-describedby': 'points-error' });
  const comment = h('textarea', { id: 'comment', name: 'comment', rows: 3, value: kept ? kept.comment : '' });
  const error = h('p', { id: 'points-error', class: 'error', role: 'alert' });
  const total = h('p', { class: 'rubric-total', 'aria-live': 'polite' });
  const boxes = q.rubric.map((r, i) => h('input', { type: 'checkbox', id: `crit-${i}`, 'data-points': r.points }));
  const showTotal = () => {
    const sum = rubricTotal(boxes.filter((b) => b.checked).map((b) => b.dataset.points));
    total.textContent = t('rubricTotal', { t: formatPoints(sum), max });
    return sum;
  };
  boxes.forEach((b) => b.addEventListener('change', () => {
    points.value = formatPoints(showTotal());
  }));
  const rubric = q.rubric.length
    ? h('fieldset', { class: 'criteria' }, h('legend', {}, t('rubric')), ...q.rubric.map((r, i) => h('label', { class: 'option', for: `crit-${i}` }, boxes[i], h('span', {}, t('criterion', { c: r.criterion, p: formatPoints(r.points) })))), total)
    : null;
  if (q.rubric.length) showTotal();
  const submit = h('button', { type: 'submit', class: 'primary' }, t('scoreAndNext'));
  const form = h(
    'form',
    { class: 'score-form', novalidate: true },
    rubric,
    h('label', { for: 'points' }, t('pointsLabel', { max, step })),
    points,
    error,
    h('label', { for: 'comment' }, t('commentLabel')),
    comment,
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: onBack }, t('backToExams')),
      h('button', { type: 'button', onclick: () => onSkip() }, t('skip')),
      submit),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = checkPoints(points.value, q.points, task.step);
    if (value === null) {
      error.textContent = t('pointsBad', { max, step });
      points.focus();
      return;
    }
    error.textContent = '';
    onScore(value, comment.value.trim());
  });
  comment.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  const answer = typeof task.answer === 'string' ? task.answer : JSON.stringify(task.answer);
  const node = h(
    'div',
    { class: 'desk' },
    h('p', { class: 'mode' }, heading),
    h('div', { class: 'desk-grid' },
      questionPanel(q),
      h('section', { class: 'apanel', 'aria-labelledby': 'a-title' },
        h('h2', { id: 'a-title' }, t('theAnswer')),
        h('p', { class: 'text answer-text' }, answer || t('emptyAnswer')),
        form,
        shortcutsHelp())),
  );
  return {
    node,
    form,
    focus: () => points.focus(),
    values: () => ({ points: points.value, comment: comment.value }),
    /** The lease is gone: scoring would be refused, but what was typed stays. */
    lost: () => {
      submit.disabled = true;
    },
    /** A digit typed outside the fields goes to the points. */
    typeDigit: (ch) => {
      points.focus();
      points.value += ch;
    },
  };
}
