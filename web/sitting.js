// Sitting the exam: the paper on one page, section by section, with the navigator beside it, the clock
// and the save status in the bar, and the submit dialog. Answers live in `values` (what the candidate
// sees) and in the autosave queue until the server has them.
import * as api from './api.js';
import { AutoSave } from './autosave.js';
import { Clock, formatRemaining } from './clock.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { Navigator } from './navigator.js';
import { isAnswered, renderQuestion, wordCount } from './questions.js';
import { store } from './store.js';

export class Sitting {
  /** `bar`: the clock, status and alert elements; `done(view|null)`: the attempt is over. */
  constructor(view, bar, done) {
    this.view = view;
    this.bar = bar;
    this.done = done;
    this.over = false;
    this.flagKey = `examd.flags.${view.id}`;
    this.flags = new Set(store.get(this.flagKey) || []);
    this.notes = {};
    this.questions = [];
    for (const section of view.sections) {
      for (const q of section.questions) this.questions.push({ q, n: this.questions.length + 1 });
    }
    this.autosave = new AutoSave(view.id, {
      onStatus: (s) => this.showStatus(s),
      onSaved: () => {},
      onStale: (key) => this.takeServerAnswer(key),
      onRejected: (key, error) => this.rejected(key, error),
      onClosed: () => this.finish(null),
    });
    this.values = {};
    this.takeServer(view);
    Object.assign(this.values, this.autosave.pending());
    this.answered = new Set(this.questions.filter(({ q }) => isAnswered(this.values[q.key])).map(({ q }) => q.key));
    this.nav = new Navigator(
      this.questions.map(({ q, n }) => ({ key: q.key, n })),
      (key) => this.go(key),
    );
    this.clock = new Clock({
      onTick: (s) => replace(bar.clock, h('span', { class: 'label' }, t('timeLeft')), ' ', h('strong', {}, formatRemaining(s))),
      onWarn: (threshold) => replace(bar.alert, threshold >= 300 ? t('warn5') : t('warn1')),
      onZero: () => this.timeUp(),
    });
    api.onServerTime((server, sent, received) => this.clock.observe(server, sent, received));
    this.clock.observe(Date.parse(view.server_time), Date.now(), Date.now());
    this.clock.setDeadline(view.deadline_at);
  }

  /** Copies the server's answers and raises the autosave seq above the server's. */
  takeServer(view) {
    let top = 0;
    for (const [key, saved] of Object.entries(view.answers || {})) {
      this.values[key] = saved.answer;
      top = Math.max(top, saved.seq || 0);
    }
    this.autosave.floor(top);
  }

  /** Starts the clock and the saving of what storage holds. */
  start(main) {
    this.main = main;
    this.render();
    this.clock.start();
    this.autosave.start();
  }

  /** Draws the whole sitting (again after a language switch: values and flags are kept). */
  render() {
    if (this.over) return;
    this.bar.title.textContent = this.view.title;
    const paper = h('div', { class: 'paper' }, h('h1', {}, this.view.title));
    let index = 0;
    for (const section of this.view.sections) {
      const part = h('section', { class: 'section' }, h('h2', {}, section.title));
      for (const q of section.questions) {
        const { n } = this.questions[index++];
        part.append(this.question(q, n));
      }
      paper.append(part);
    }
    this.submitButton = h('button', { type: 'button', class: 'primary', onclick: () => this.confirm() }, t('submit'));
    paper.append(h('div', { class: 'actions' }, this.submitButton));
    const aside = h('aside', { class: 'navpane' }, this.nav.render({ answered: this.answered, flagged: this.flags }));
    this.dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' });
    replace(this.main, h('div', { class: 'sitting' }, aside, paper), this.dialog);
    this.clock.tick();
  }

  question(q, n) {
    return renderQuestion(q, n, this.values[q.key], {
      flagged: this.flags.has(q.key),
      note: this.notes[q.key],
      onFlag: (key) => this.toggleFlag(key),
      onChange: (key, answer, typing) => this.change(key, answer, typing),
    });
  }

  change(key, answer, typing) {
    if (this.over) return;
    this.values[key] = answer;
    this.setNote(key, '');
    if (isAnswered(answer)) this.answered.add(key);
    else this.answered.delete(key);
    this.nav.update(key);
    this.autosave.change(key, answer, typing);
  }

  toggleFlag(key) {
    if (this.flags.has(key)) this.flags.delete(key);
    else this.flags.add(key);
    store.set(this.flagKey, [...this.flags]);
    const button = this.fieldset(key)?.querySelector('button.flag');
    if (button) button.setAttribute('aria-pressed', String(this.flags.has(key)));
    this.nav.update(key);
  }

  fieldset(key) {
    const entry = this.questions.find(({ q }) => q.key === key);
    return entry ? document.getElementById(`q${entry.n}`) : null;
  }

  /** Moves to a question: scrolls it into view and puts the keyboard on its first field. */
  go(key) {
    const fieldset = this.fieldset(key);
    if (!fieldset) return;
    fieldset.scrollIntoView({ block: 'start' });
    const field = fieldset.querySelector('input:checked, input, textarea');
    if (field) field.focus({ preventScroll: true });
  }

  setNote(key, text) {
    this.notes[key] = text;
    const note = this.fieldset(key)?.querySelector('.note');
    if (note) note.textContent = text;
  }

  /** A newer save is stored (another tab, another device): show the server's answer. */
  async takeServerAnswer(key) {
    try {
      const view = await api.attempt(this.view.id);
      if (key in this.autosave.pending()) return; // something newer typed here is still on its way
      this.takeServer(view);
      const entry = this.questions.find(({ q }) => q.key === key);
      const old = this.fieldset(key);
      if (entry && old) old.replaceWith(this.question(entry.q, entry.n));
      if (isAnswered(this.values[key])) this.answered.add(key);
      else this.answered.delete(key);
      this.nav.update(key);
    } catch {
      // The next save or reload shows it.
    }
  }

  rejected(key, error) {
    const entry = this.questions.find(({ q }) => q.key === key);
    const value = this.values[key];
    const over = entry && entry.q.word_limit && typeof value === 'string' && wordCount(value) > entry.q.word_limit;
    this.setNote(key, over ? t('overLimit') : t('notSaved', { detail: error.message }));
  }

  showStatus({ state, waiting }) {
    this.lastStatus = { state, waiting };
    const text = state === 'offline' ? t('offline', { n: waiting }) : state === 'saving' ? t('saving') : t('saved');
    this.bar.status.textContent = text;
    this.bar.status.dataset.state = state;
    if (this.waitingNote) this.waitingNote.textContent = waiting ? t('waitingQueue', { n: waiting }) : '';
  }

  unanswered() {
    return this.questions.filter(({ q }) => !isAnswered(this.values[q.key])).map(({ n }) => n);
  }

  /** Asks before handing in, naming the unanswered questions; hands in once every save is stored. */
  confirm() {
    const missing = this.unanswered();
    const text = missing.length
      ? t('confirmUnanswered', { n: missing.length, list: missing.join(', ') })
      : t('confirmAll');
    this.waitingNote = h('p', { class: 'waiting', role: 'status' });
    const go = h('button', { type: 'button', class: 'primary', onclick: () => this.submit(go) }, t('confirmSubmit'));
    const back = h('button', { type: 'button', onclick: () => this.dialog.close() }, t('keepWorking'));
    replace(this.dialog, h('h2', { id: 'confirm-title' }, t('confirmTitle')), h('p', {}, text), this.waitingNote, h('div', { class: 'actions' }, back, go));
    this.dialog.showModal();
    back.focus();
  }

  async submit(button) {
    button.disabled = true;
    const waiting = this.autosave.waiting();
    if (waiting) this.waitingNote.textContent = t('waitingQueue', { n: waiting });
    if (!(await this.autosave.drain())) return; // closed meanwhile: finish() has run
    await this.handIn();
  }

  /** At zero the page hands in what it has: waiting saves get the grace period, then it submits. */
  async timeUp() {
    if (this.over) return;
    this.main.querySelectorAll('input, textarea, button.primary').forEach((el) => (el.disabled = true));
    const grace = Math.max(2, Number(this.view.grace_seconds) || 0) * 1000;
    await Promise.race([this.autosave.drain(), new Promise((resolve) => setTimeout(resolve, grace - 1000))]);
    await this.handIn();
  }

  async handIn() {
    for (let tries = 0; tries < 5 && !this.over; tries++) {
      try {
        return this.finish(await api.submit(this.view.id));
      } catch (error) {
        if (!api.retryable(error)) return this.finish(null);
        await new Promise((resolve) => setTimeout(resolve, 1000 * (tries + 1)));
      }
    }
    return this.finish(null);
  }

  /** The attempt is over (submitted, expired, or closed by the server): stop everything. */
  finish(view) {
    if (this.over) return;
    this.over = true;
    this.clock.stop();
    this.autosave.close();
    store.remove(this.flagKey);
    if (this.dialog && this.dialog.open) this.dialog.close();
    replace(this.bar.clock);
    replace(this.bar.status);
    replace(this.bar.alert);
    this.done(view);
  }
}
