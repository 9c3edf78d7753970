// Autosave that loses nothing. Every change is written to the browser's storage first, with a `seq`
// that only grows (kept there too, so a reload or a second tab continues it), then sent. Typing waits
// for a short pause; choices go at once. Saves go one at a time in `seq` order; one that fails for
// network reasons stays in the stored queue and is retried with backoff (at once when the browser says
// it is online again). A `409 stale_seq` means the server holds a newer answer: the room takes it.
// `attempt_closed` ends saving. Nothing here renders: the room is told through the handlers.
import * as api from './api.js';
import { store } from './store.js';

const TYPING_MS = 700;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

export class AutoSave {
  /**
   * `handlers`: `onStatus({state, waiting})` with state `saved`/`saving`/`offline`; `onStale(question)`;
   * `onClosed(error)`; `onRejected(question, error)` for an answer the server refused (e.g. over the
   * word limit); `onSaved(question, reply)`.
   */
  constructor(attemptId, handlers) {
    this.id = attemptId;
    this.key = `examd.autosave.${attemptId}`;
    this.handlers = handlers;
    this.sending = null;
    this.failures = 0;
    this.timer = null;
    this.closed = false;
    this.waiters = [];
    window.addEventListener('online', () => this.wake(0));
    // A tab being hidden may be a tab being closed: send what waits for a typing pause now.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.hurry();
    });
  }

  load() {
    const s = store.get(this.key);
    return s && Array.isArray(s.queue) && Number.isFinite(s.seq) ? s : { seq: 0, queue: [] };
  }

  persist(s) {
    store.set(this.key, s);
  }

  /** The server holds saves up to `seq`: ours continue above it. */
  floor(seq) {
    const s = this.load();
    if (seq > s.seq) {
      s.seq = seq;
      this.persist(s);
    }
  }

  /** Answers changed here and not yet acknowledged, by question: newer than what the server holds. */
  pending() {
    const out = {};
    for (const e of this.load().queue) out[e.q] = e.answer;
    return out;
  }

  /** Records a change of question `q` to `answer` (`null` clears it). */
  change(q, answer, typing) {
    if (this.closed) return;
    const s = this.load();
    s.seq += 1;
    // One waiting save per question is enough: the newest replaces it (unless it is on the wire).
    s.queue = s.queue.filter((e) => e.q !== q || this.isSending(e));
    s.queue.push({ q, answer, seq: s.seq, due: Date.now() + (typing ? TYPING_MS : 0) });
    this.persist(s);
    this.report();
    this.wake(typing ? TYPING_MS : 0);
  }

  /** Starts sending what the storage holds (after a reload: what the last page left). */
  start() {
    this.wake(0);
  }

  /** Resolves once every change is acknowledged (false if saving ended because the attempt closed). */
  drain() {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.hurry();
    });
  }

  /** Whether anything waits. */
  waiting() {
    return new Set(this.load().queue.map((e) => e.q)).size;
  }

  /** Stops for good: the attempt is closed. */
  close() {
    this.closed = true;
    clearTimeout(this.timer);
    store.remove(this.key);
    this.settle(false);
  }

  hurry() {
    const s = this.load();
    for (const e of s.queue) e.due = 0;
    this.persist(s);
    this.wake(0);
  }

  isSending(e) {
    return this.sending !== null && this.sending.q === e.q && this.sending.seq === e.seq;
  }

  wake(delay) {
    if (this.closed || this.sending) return; // the running save looks at the queue again when it ends
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), delay);
  }

  settle(result) {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve(result));
  }

  async flush() {
    if (this.closed || this.sending) return;
    const queue = this.load().queue;
    if (queue.length === 0) {
      this.failures = 0;
      this.report();
      this.settle(true);
      return;
    }
    const now = Date.now();
    const entry = queue.find((e) => e.due <= now);
    if (!entry) {
      this.report();
      this.timer = setTimeout(() => this.flush(), Math.min(...queue.map((e) => e.due)) - now);
      return;
    }
    this.sending = { q: entry.q, seq: entry.seq };
    this.report();
    let retry = false;
    try {
      const reply = await api.save(this.id, entry.q, entry.answer, entry.seq);
      this.failures = 0;
      this.done(entry);
      this.handlers.onSaved(entry.q, reply);
    } catch (error) {
      if (api.retryable(error)) {
        this.failures += 1;
        retry = true;
      } else if (error.code === 'attempt_closed' || error.status === 401 || error.status === 404) {
        this.sending = null;
        this.close();
        this.handlers.onClosed(error);
        return;
      } else {
        this.done(entry);
        if (error.code === 'stale_seq') this.handlers.onStale(entry.q);
        else this.handlers.onRejected(entry.q, error);
      }
    }
    this.sending = null;
    if (this.closed) return;
    if (retry) {
      this.report();
      this.timer = setTimeout(() => this.flush(), BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length) - 1]);
    } else {
      this.flush();
    }
  }

  done(entry) {
    const s = this.load();
    s.queue = s.queue.filter((e) => !(e.q === entry.q && e.seq === entry.seq));
    this.persist(s);
  }

  report() {
    if (this.closed) return;
    const waiting = this.waiting();
    let state = 'saved';
    if (this.failures > 0 && waiting > 0) state = 'offline';
    else if (waiting > 0) state = 'saving';
    this.handlers.onStatus({ state, waiting });
  }
}
