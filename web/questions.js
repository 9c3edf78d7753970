// One question as a form: a <fieldset> whose <legend> holds its number and prompt; options are radio
// buttons or checkboxes inside <label>s with the option text; open answers are labelled <textarea>s.
// Options come in this attempt's (shuffled) order and are lettered in that order, while the saved
// answer is the option's real key.
import { h } from './dom.js';
import { t, formatPoints } from './i18n.js';

const OPEN = ['short_answer', 'scenario', 'essay'];

/** Whether `value` counts as answered. */
export function isAnswered(value) {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'string') return value.trim() !== '';
  return true;
}

/** `A`, `B`, … `Z`, `AA`: the letter shown for the option in display position `i`. */
export function letter(i) {
  return i < 26 ? String.fromCharCode(65 + i) : letter(Math.floor(i / 26) - 1) + letter(i % 26);
}

/** Words as the server counts them: each CJK character is one, any other run of letters and digits is one. */
export function wordCount(text) {
  let count = 0;
  let inWord = false;
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (isCjk(c)) {
      count += 1;
      inWord = false;
    } else if (/[\p{L}\p{N}]/u.test(ch)) {
      if (!inWord) count += 1;
      inWord = true;
    } else if (!(isAsciiPunctuation(c) || ch === '\u2019')) {
      inWord = false;
    }
  }
  return count;
}

function isCjk(c) {
  return (
    (c >= 0x3040 && c <= 0x30ff) || (c >= 0x31f0 && c <= 0x31ff) || (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff66 && c <= 0xff9d) ||
    (c >= 0x20000 && c <= 0x3134f)
  );
}

function isAsciiPunctuation(c) {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/**
 * The fieldset of question `q` (number `n`, current `value`). `ctx.onChange(key, answer, typing)` is
 * called on every change; `ctx.onFlag(key)` toggles the flag; `ctx.flagged` and `ctx.note` show state.
 */
export function renderQuestion(q, n, value, ctx) {
  const id = `q${n}`;
  const legend = h(
    'legend',
    {},
    h('span', { class: 'qnum' }, `${n}.`),
    ' ',
    h('span', { class: 'prompt' }, q.prompt),
    ' ',
    h('span', { class: 'pts' }, `(${t('points', { n: formatPoints(q.points) })})`),
  );
  const note = h('p', { class: 'note', id: `${id}-note` }, ctx.note || '');
  const flag = h(
    'button',
    { type: 'button', class: 'flag', 'aria-pressed': String(Boolean(ctx.flagged)), onclick: () => ctx.onFlag(q.key) },
    t('flag'),
  );
  return h(
    'fieldset',
    { class: 'question', id, 'data-key': q.key, 'aria-describedby': `${id}-note` },
    legend,
    control(q, id, value, ctx),
    h('div', { class: 'qfoot' }, flag, note),
  );
}

function control(q, id, value, ctx) {
  switch (q.kind) {
    case 'single_choice':
      return choices(q, id, value, ctx, false);
    case 'multiple_choice':
      return choices(q, id, value, ctx, true);
    case 'true_false':
      return trueFalse(q, id, value, ctx);
    case 'fill_blank':
    case 'numeric':
      return line(q, id, value, ctx);
    default:
      return OPEN.includes(q.kind) ? essay(q, id, value, ctx) : line(q, id, value, ctx);
  }
}

function choices(q, id, value, ctx, multiple) {
  const chosen = new Set(Array.isArray(value) ? value : value ? [value] : []);
  const box = h('div', { class: 'options' });
  const picked = () => [...box.querySelectorAll('input:checked')].map((i) => i.value);
  q.options.forEach((o, i) => {
    const input = h('input', {
      type: multiple ? 'checkbox' : 'radio',
      name: id,
      value: o.key,
      checked: chosen.has(o.key),
      onchange: () => ctx.onChange(q.key, multiple ? nullIfEmpty(picked()) : o.key, false),
    });
    box.append(h('label', { class: 'option' }, input, h('span', { class: 'letter' }, `${letter(i)}.`), h('span', { class: 'otext' }, o.text)));
  });
  return box;
}

function trueFalse(q, id, value, ctx) {
  const option = (v, label) =>
    h(
      'label',
      { class: 'option' },
      h('input', { type: 'radio', name: id, value: String(v), checked: value === v, onchange: () => ctx.onChange(q.key, v, false) }),
      h('span', { class: 'otext' }, label),
    );
  return h('div', { class: 'options' }, option(true, t('trueLabel')), option(false, t('falseLabel')));
}

function line(q, id, value, ctx) {
  const numeric = q.kind === 'numeric';
  const input = h('input', {
    type: 'text',
    id: `${id}-answer`,
    class: 'line',
    inputmode: numeric ? 'decimal' : null,
    autocomplete: 'off',
    value: value === null || value === undefined ? '' : String(value),
    oninput: () => ctx.onChange(q.key, input.value.trim() === '' ? null : input.value, true),
  });
  return h('div', { class: 'answer' }, h('label', { for: `${id}-answer` }, numeric ? t('numberHint') : t('yourAnswer')), input);
}

function essay(q, id, value, ctx) {
  const limit = q.word_limit;
  const counter = limit ? h('p', { class: 'count', id: `${id}-count` }) : null;
  const area = h('textarea', {
    id: `${id}-answer`,
    rows: q.kind === 'essay' ? 10 : 6,
    'aria-describedby': counter ? `${id}-count` : null,
    value: typeof value === 'string' ? value : '',
  });
  const count = () => {
    if (!counter) return;
    const n = wordCount(area.value);
    counter.textContent = t('words', { n, limit });
    counter.classList.toggle('over', n > limit);
  };
  area.addEventListener('input', () => {
    count();
    ctx.onChange(q.key, area.value.trim() === '' ? null : area.value, true);
  });
  count();
  return h('div', { class: 'answer' }, h('label', { for: `${id}-answer` }, t('yourAnswer')), area, counter);
}

function nullIfEmpty(list) {
  return list.length ? list : null;
}
