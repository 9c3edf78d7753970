// The navigator: every question reachable from one list, each showing answered / unanswered / flagged,
// in words for screen readers and in shape and colour for the eye.
import { h, replace } from './dom.js';
import { t } from './i18n.js';

export class Navigator {
  /** `items`: `[{key, n}]` in display order; `onGo(key)` moves to a question. */
  constructor(items, onGo) {
    this.items = items;
    this.onGo = onGo;
    this.buttons = new Map();
    this.summary = h('p', { class: 'summary' });
    this.state = { answered: new Set(), flagged: new Set() };
  }

  /** The navigator's element, built for the current language. */
  render(state) {
    this.state = state;
    this.buttons.clear();
    const list = h('ol', { class: 'nav-list' });
    for (const item of this.items) {
      const button = h('button', { type: 'button', class: 'nav-q', onclick: () => this.onGo(item.key) }, String(item.n));
      this.buttons.set(item.key, { button, n: item.n });
      list.append(h('li', {}, button));
      this.paint(item.key);
    }
    this.count();
    const key = h(
      'p',
      { class: 'nav-key', 'aria-hidden': 'true' },
      h('span', { class: 'swatch answered' }), t('navAnswered'), ' ',
      h('span', { class: 'swatch' }), t('navUnanswered'), ' ',
      h('span', { class: 'swatch flagged' }), t('navFlagged'),
    );
    return h('nav', { class: 'navigator', 'aria-labelledby': 'nav-title' }, h('h2', { id: 'nav-title' }, t('navTitle')), this.summary, list, key);
  }

  /** Redraws one question's entry after its state changed. */
  update(key) {
    this.paint(key);
    this.count();
  }

  paint(key) {
    const entry = this.buttons.get(key);
    if (!entry) return;
    const answered = this.state.answered.has(key);
    const flagged = this.state.flagged.has(key);
    entry.button.classList.toggle('answered', answered);
    entry.button.classList.toggle('flagged', flagged);
    const words = [t('navQuestion', { n: entry.n }), answered ? t('navAnswered') : t('navUnanswered')];
    if (flagged) words.push(t('navFlagged'));
    entry.button.setAttribute('aria-label', words.join(', '));
  }

  count() {
    replace(
      this.summary,
      t('navSummary', { a: this.state.answered.size, n: this.items.length, f: this.state.flagged.size }),
    );
  }
}
