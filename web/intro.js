// Before the exam: the form for an access code, and the intro (title, instructions, duration, window,
// sections with their question counts, points and scoring rule in words) with the Start button.
import { h } from './dom.js';
import { t, formatPoints, formatTime } from './i18n.js';

/** The access-code form; `onCode(code)` is called with what was typed. */
export function codeForm(message, onCode) {
  const input = h('input', { id: 'code', name: 'code', type: 'text', autocomplete: 'off', spellcheck: 'false', required: true });
  const form = h(
    'form',
    { class: 'card code-form' },
    h('h1', {}, t('codeTitle')),
    h('p', {}, t('codeHint')),
    h('label', { for: 'code' }, t('codeLabel')),
    input,
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    h('button', { type: 'submit', class: 'primary' }, t('enter')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (input.value.trim()) onCode(input.value.trim());
  });
  return form;
}

/** The scoring rule of a section, in words. */
export function ruleInWords(section) {
  if (section.marked_by_people) return t('ruleMarked');
  const s = section.scoring;
  if (s === 'all_or_nothing') return t('ruleAllOrNothing');
  if (s === 'partial') return t('rulePartial');
  if (s === 'weighted') return t('ruleWeighted');
  if (s && typeof s === 'object' && 'per_correct' in s) return t('rulePerCorrect', { v: formatPoints(s.per_correct) });
  if (section.penalty) {
    const p = formatPoints(section.penalty);
    return section.penalty_floor === 'section' ? t('rulePenaltySection', { p }) : t('rulePenalty', { p });
  }
  return t('ruleRight');
}

/** The intro; `onStart()` is called by the Start button. `error` is shown above it. */
export function intro(data, error, onStart) {
  const exam = data.exam;
  const minutes = Math.round((exam.duration_seconds + exam.extra_seconds) / 60);
  const extra = exam.extra_seconds ? t('extraTime', { m: Math.round(exam.extra_seconds / 60) }) : '';
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, t('duration')), h('dd', {}, t('minutes', { n: minutes }) + extra),
    h('dt', {}, t('window')), h('dd', {}, `${formatTime(exam.opens_at)} – ${formatTime(exam.closes_at)}`),
    h('dt', {}, t('totalPoints')), h('dd', {}, formatPoints(exam.total_points)),
  );
  const rows = exam.sections.map((s) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, s.title, s.title === t(`kind_${s.kind}`) ? null : h('span', { class: 'kind' }, t(`kind_${s.kind}`))),
      h('td', {}, String(s.questions)),
      h('td', {}, formatPoints(s.points)),
      h('td', {}, formatPoints(s.max_points)),
      h('td', {}, ruleInWords(s)),
    ),
  );
  const table = h(
    'table',
    { class: 'sections' },
    h('caption', {}, t('sections')),
    h('thead', {}, h('tr', {}, ...['colSection', 'colCount', 'colPoints', 'colMax', 'colRule'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, rows),
  );
  const notOpen = Date.parse(exam.opens_at) > Date.parse(data.server_time);
  const start = h('button', { type: 'button', class: 'primary', onclick: () => onStart(start) }, t('start'));
  return h(
    'article',
    { class: 'card intro' },
    h('h1', {}, exam.title),
    data.candidate ? h('p', { class: 'who' }, `${t('candidate')}: ${data.candidate}`) : null,
    exam.instructions ? [h('h2', {}, t('instructions')), h('p', { class: 'instructions' }, exam.instructions)] : null,
    facts,
    h('div', { class: 'table-wrap' }, table),
    notOpen ? h('p', { class: 'note' }, t('notOpenYet', { at: formatTime(exam.opens_at) })) : null,
    error ? h('p', { class: 'error', role: 'alert' }, error) : null,
    h('p', { class: 'hint' }, t('startHint')),
    h('div', { class: 'actions' }, start),
  );
}
