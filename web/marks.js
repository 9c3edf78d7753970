// The look back: the marker's own marks in one exam, most recent first, each correctable until the
// results are released. Only the caller's marks ever reach this page (double marking stays blind).
import { h } from './dom.js';
import { formatPoints, formatTime, t } from './i18n.js';
import { checkPoints } from './scoring.js';

/** The list; `onCorrect(mark, points, comment)` saves a correction and resolves to an error text or null. */
export function marksView(exam, data, { onCorrect, onBack }) {
  const rows = data.marks.map((mark) => markRow(mark, data.released, onCorrect));
  return h(
    'section',
    { class: 'card wide marks' },
    h('h1', {}, t('marksTitle', { exam: exam.title })),
    h('p', { class: 'hint' }, data.released ? t('marksReleased') : t('marksHint')),
    data.marks.length === 0
      ? h('p', {}, t('marksNone'))
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'sections' },
            h('thead', {}, h('tr', {}, ...['colQuestion', 'colAnswer', 'colPoints', 'colComment', 'colWhen', 'correctShort'].map((k) => h('th', { scope: 'col' }, t(k))))),
            h('tbody', {}, ...rows),
          ),
        ),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: onBack }, t('backToExams'))),
  );
}

function markRow(mark, released, onCorrect) {
  const q = mark.question;
  const points = h('td', { class: 'num' }, `${formatPoints(mark.points)} / ${formatPoints(q.points)}`);
  const comment = h('td', { class: 'text' }, mark.comment || '');
  const cell = h('td', {});
  const open = h('button', { type: 'button', 'aria-label': t('correctMark', { n: q.number }), disabled: released }, t('correctShort'));
  cell.append(open);
  open.addEventListener('click', () => {
    cell.replaceChildren(editor(mark, cell, open, async (value, text) => {
      const problem = await onCorrect(mark, value, text);
      if (problem) return problem;
      mark.points = value;
      mark.comment = text || null;
      points.textContent = `${formatPoints(value)} / ${formatPoints(q.points)}`;
      comment.textContent = text || '';
      cell.replaceChildren(open, h('span', { class: 'note', role: 'status' }, t('corrected', { p: formatPoints(value) })));
      open.focus();
      return null;
    }));
    cell.querySelector('input').focus();
  });
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, t('questionN', { n: q.number })),
    h('td', { class: 'text excerpt' }, typeof mark.answer === 'string' ? mark.answer : t('emptyAnswer')),
    points,
    comment,
    h('td', {}, mark.marked_at ? formatTime(mark.marked_at) : ''),
    cell,
  );
}

function editor(mark, cell, open, save) {
  const id = `fix-${mark.id}`;
  const input = h('input', { id, type: 'text', inputmode: 'decimal', value: formatPoints(mark.points), autocomplete: 'off' });
  const note = h('textarea', { id: `${id}-c`, rows: 2, value: mark.comment || '' });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { class: 'fix' },
    h('label', { for: id }, t('pointsLabel', { max: formatPoints(mark.question.points), step: formatPoints(mark.step) })),
    input,
    h('label', { for: `${id}-c` }, t('colComment')),
    note,
    error,
    h('button', { type: 'submit', class: 'primary' }, t('saveCorrection')),
    h('button', { type: 'button', onclick: () => { cell.replaceChildren(open); open.focus(); } }, t('cancel')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = checkPoints(input.value, mark.question.points, mark.step);
    if (value === null) {
      error.textContent = t('pointsBad', { max: formatPoints(mark.question.points), step: formatPoints(mark.step) });
      return;
    }
    error.textContent = (await save(value, note.value.trim())) || '';
  });
  return form;
}
