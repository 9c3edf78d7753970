// After the exam: the "submitted" (or "time is up") page, and once results are released the result:
// total, sections, and every question with the candidate's answer, the option texts, the correct
// answer and the explanation.
import { h } from './dom.js';
import { t, formatPoints, formatTime } from './i18n.js';

/** The closed attempt; `onCheck(button)` asks for the result. */
export function closed(view, message, onCheck) {
  const submitted = view && view.state !== 'expired';
  const when = view && view.closed_at ? (submitted ? t('submittedAt', { at: formatTime(view.closed_at) }) : t('closedAt', { at: formatTime(view.closed_at) })) : null;
  const check = h('button', { type: 'button', onclick: () => onCheck(check) }, t('checkResult'));
  return h(
    'article',
    { class: 'card closed' },
    h('h1', {}, submitted ? t('submittedTitle') : t('expiredTitle')),
    submitted ? null : h('p', {}, t('expiredText')),
    when ? h('p', { class: 'when' }, when) : null,
    h('p', { class: 'note', role: 'status' }, message || t('resultPending')),
    h('div', { class: 'actions' }, check),
  );
}

function blank(answer) {
  return answer === null || answer === undefined || answer === '' || (Array.isArray(answer) && answer.length === 0);
}

/** An answer (or key) as lines of text: option keys with their text, true/false in words. */
function describe(q, answer) {
  if (blank(answer)) return [t('noAnswer')];
  if (q.kind === 'true_false') return [answer ? t('trueLabel') : t('falseLabel')];
  if (q.options && q.options.length) {
    return (Array.isArray(answer) ? answer : [answer]).map((key) => {
      const option = q.options.find((o) => o.key === key);
      return option ? `${key}. ${option.text}` : String(key);
    });
  }
  if (Array.isArray(answer)) return [answer.join(' / ')];
  return [String(answer)];
}

function lines(list) {
  return h('div', { class: 'lines' }, list.map((line) => h('p', {}, line)));
}

/** The released result. */
export function result(data) {
  const sections = h(
    'table',
    { class: 'sections' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('colSection')), h('th', { scope: 'col' }, t('resultScore')))),
    h('tbody', {}, data.sections.map((s) => h('tr', {}, h('th', { scope: 'row' }, s.title), h('td', {}, `${formatPoints(s.points)} / ${formatPoints(s.max_points)}`)))),
  );
  const questions = data.questions.map((q, i) => {
    const points = q.points === null || q.points === undefined ? t('resultAwaiting') : `${formatPoints(q.points)} / ${formatPoints(q.max_points)}`;
    return h(
      'article',
      { class: 'result-q' },
      h('h3', {}, h('span', { class: 'qnum' }, `${i + 1}.`), ' ', h('span', { class: 'prompt' }, q.prompt)),
      h(
        'dl',
        {},
        h('dt', {}, t('resultYour')), h('dd', {}, lines(describe(q, q.answer))),
        q.correct_answer !== null && q.correct_answer !== undefined ? [h('dt', {}, t('resultCorrect')), h('dd', {}, lines(describe(q, q.correct_answer)))] : null,
        h('dt', {}, t('resultScore')), h('dd', {}, points),
        q.explanation ? [h('dt', {}, t('resultExplanation')), h('dd', { class: 'text' }, q.explanation)] : null,
        q.reference_answer ? [h('dt', {}, t('resultReference')), h('dd', { class: 'text' }, q.reference_answer)] : null,
      ),
    );
  });
  return h(
    'article',
    { class: 'card result' },
    h('h1', {}, t('resultTitle')),
    h('p', { class: 'total' }, t('resultTotal', { total: formatPoints(data.total), max: formatPoints(data.max_points) })),
    data.complete ? null : h('p', { class: 'note' }, t('resultIncomplete')),
    h('div', { class: 'table-wrap' }, sections),
    questions,
  );
}
