// The exam room's way through: access code (from the link's fragment or typed) → intro → sitting →
// submitted → result. The candidate token is kept in the browser's storage until the exam closes, so
// a reload or a second tab continues where the candidate is.
import * as api from './api.js';
import { h, replace } from './dom.js';
import { languageSwitch, onLanguage, t } from './i18n.js';
import { codeForm, intro } from './intro.js';
import { closed, result } from './result.js';
import { Sitting } from './sitting.js';
import { store } from './store.js';

const SESSION = 'examd.session';
const main = document.getElementById('main');
const bar = {
  title: document.getElementById('exam-title'),
  clock: document.getElementById('clock'),
  status: document.getElementById('save-status'),
  alert: document.getElementById('alert'),
};
let redraw = () => {};

/** Shows a view; `draw()` is kept so a language switch can draw it again. */
function show(draw) {
  redraw = () => replace(main, draw());
  redraw();
}

function problemText(error) {
  if (error instanceof api.NetworkError) return t('networkDown');
  if (error.status === 401) return t('codeWrong');
  if (error.status === 429) return t('tooMany');
  if (error.code === 'exam_closed') return t('examClosed');
  return error.message;
}

function forget() {
  store.remove(SESSION);
  api.setToken(null);
}

function askForCode(message) {
  bar.title.textContent = '';
  show(() => codeForm(message, enter));
  document.getElementById('code')?.focus();
}

async function enter(code) {
  show(() => h('p', { class: 'card', role: 'status' }, t('loading')));
  try {
    const out = await api.access(code);
    store.set(SESSION, { token: out.access_token, expires: Date.now() + out.expires_in * 1000, name: out.candidate.name });
    api.setToken(out.access_token);
  } catch (error) {
    return askForCode(problemText(error));
  }
  return resume();
}

/** Finds where the candidate stands and shows that. */
async function resume() {
  let data;
  try {
    data = await api.exam();
  } catch (error) {
    if (error.status === 401) {
      forget();
      return askForCode(t('sessionEnded'));
    }
    return show(() => h('div', { class: 'card' }, h('p', { class: 'error', role: 'alert' }, problemText(error)), h('button', { type: 'button', onclick: resume }, t('retry'))));
  }
  data.candidate = (store.get(SESSION) || {}).name;
  bar.title.textContent = data.exam.title;
  if (!data.attempt) return showIntro(data, null);
  try {
    const view = await api.attempt(data.attempt.id);
    return view.state === 'in_progress' ? sit(view) : finished(view, data.results_released);
  } catch (error) {
    return show(() => h('p', { class: 'card error', role: 'alert' }, problemText(error)));
  }
}

function showIntro(data, error) {
  show(() =>
    intro(data, error, async (button) => {
      button.disabled = true;
      try {
        sit(await api.start());
      } catch (e) {
        showIntro(data, problemText(e));
      }
    }),
  );
}

function sit(view) {
  if (view.state !== 'in_progress') return finished(view, false);
  const sitting = new Sitting(view, bar, (closedView) => afterSitting(view.id, closedView));
  redraw = () => sitting.render();
  sitting.start(main);
}

async function afterSitting(id, view) {
  if (!view) {
    try {
      view = await api.attempt(id);
    } catch {
      view = { id, state: 'expired', closed_at: null };
    }
  }
  finished(view, false);
}

/** The closed attempt, and its result straight away when it is released. */
async function finished(view, released) {
  bar.title.textContent = view.title || bar.title.textContent;
  let message = null;
  const check = async (button) => {
    if (button) button.disabled = true;
    try {
      const data = await api.result(view.id);
      show(() => result(data));
      return;
    } catch (error) {
      message = error.code === 'results_not_released' ? t('resultPending') : problemText(error);
    }
    show(() => closed(view, message, check));
  };
  if (released) return check(null);
  show(() => closed(view, message, check));
}

function boot() {
  languageSwitch(document.getElementById('lang'));
  onLanguage(() => redraw());
  window.addEventListener('hashchange', () => {
    const code = takeCode();
    if (code) enter(code);
  });
  const code = takeCode();
  if (code) return enter(code);
  const session = store.get(SESSION);
  if (session && session.token && session.expires > Date.now()) {
    api.setToken(session.token);
    return resume();
  }
  forget();
  return askForCode(null);
}

/** The code from the link's fragment, removed from the address bar at once (no history entry keeps it). */
function takeCode() {
  const raw = window.location.hash.slice(1);
  if (!raw) return null;
  history.replaceState(null, '', window.location.pathname + window.location.search);
  try {
    return decodeURIComponent(raw).trim() || null;
  } catch {
    return raw.trim() || null;
  }
}

boot();
