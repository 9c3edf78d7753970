// The marking desk's way through: staff login → the marker's exams with what is left per question
// (answers they hold first) → marking by question (the default) or by exam → their own marks, to
// correct before release. The staff token is kept for this tab only (sessionStorage), sent as a
// bearer header, never in a cookie.
import * as api from './api.js';
import { formatRemaining } from './clock.js';
import { h, replace } from './dom.js';
import { formatPoints, languageSwitch, onLanguage, t } from './i18n.js';
import { Lease } from './lease.js';
import { taskView } from './marking.js';
import { marksView } from './marks.js';
import { tabStore } from './store.js';
import { examsView, loginForm } from './desk-views.js';

const SESSION = 'examd.staff';
const main = document.getElementById('main');
const bar = {
  title: document.getElementById('desk-title'),
  lease: document.getElementById('lease'),
  status: document.getElementById('desk-status'),
  alert: document.getElementById('alert'),
  logout: document.getElementById('logout'),
};
let redraw = () => {};
/** The last server time seen, `[server, sent, received]`, for a new lease's clock. */
let observed = null;
/** What is being marked: `{exam, question, task, lease, view}`. */
let desk = null;

function show(draw) {
  redraw = () => replace(main, draw());
  redraw();
}

function say(text) {
  bar.status.textContent = text || '';
}

function problemText(error) {
  if (error instanceof api.NetworkError) return t('networkDown');
  if (error.status === 429) return t('tooMany');
  return error.message;
}

function forget() {
  tabStore.remove(SESSION);
  api.setToken(null);
}

function leave() {
  if (desk && desk.lease) desk.lease.stop();
  desk = null;
  bar.lease.textContent = '';
}

/** Handles a failure any view may meet; true when it was the session's end. */
function sessionEnded(error) {
  if (error.status !== 401) return false;
  forget();
  leave();
  askToLogIn(t('staffSessionEnded'));
  return true;
}

function askToLogIn(message) {
  bar.title.textContent = t('deskTitle');
  bar.logout.hidden = true;
  show(() => loginForm(message, logIn));
  document.getElementById('email')?.focus();
}

async function logIn(email, password) {
  try {
    const out = await api.login(email, password);
    tabStore.set(SESSION, { token: out.access_token, expires: Date.now() + out.expires_in * 1000, name: out.user.display_name || out.user.email });
    api.setToken(out.access_token);
  } catch (error) {
    return askToLogIn(error.status === 401 ? t('loginWrong') : problemText(error));
  }
  return showExams();
}

/** The marker's exams, and the answers they hold first. */
async function showExams(message) {
  leave();
  const session = tabStore.get(SESSION) || {};
  bar.title.textContent = `${t('deskTitle')} · ${session.name || ''}`;
  bar.logout.hidden = false;
  let exams;
  let held;
  try {
    [exams, held] = await Promise.all([api.markerExams(), api.heldTasks()]);
  } catch (error) {
    if (sessionEnded(error)) return;
    if (error.status === 403) {
      forget();
      return askToLogIn(t('notMarker'));
    }
    return show(() => h('p', { class: 'card error', role: 'alert' }, problemText(error)));
  }
  show(() => examsView(exams, held, message, {
    onQuestion: (exam, q) => startMarking(exam, q),
    onExam: (exam) => startMarking(exam, null),
    onHeld: (task) => {
      const exam = exams.find((e) => e.exam_id === task.exam_id);
      desk = { exam, question: null };
      take(task, null);
    },
    onMarks: (exam) => showMarks(exam),
  }));
}

function startMarking(exam, question) {
  desk = { exam, question };
  next(null);
}

function heading() {
  const q = desk.question;
  const left = q ? q.open : desk.exam.open;
  return q ? t('byQuestion', { n: q.number, left }) : t('byExam', { left });
}

/** The next answer: one the marker holds first, else a fresh claim. One at a time: a double-pressed
 * Enter must not claim two answers. */
async function next(message, skipping) {
  if (desk.busy) return;
  desk.busy = true;
  const { exam, question } = desk;
  try {
    const held = (await api.heldTasks(exam.exam_id)).filter(
      (task) => (!question || task.question.key === question.key) && (!skipping || task.id !== skipping.id),
    );
    const task = held[0] || (await api.claim(exam.exam_id, question && question.key));
    if (skipping) await giveBack(skipping);
    say(message);
    if (!task) return nothingLeft(skipping ? t('nothingElse') : t('nothingLeft'));
    take(task, null);
    refreshCounts();
  } catch (error) {
    if (sessionEnded(error)) return;
    bar.alert.textContent = problemText(error);
  } finally {
    if (desk) desk.busy = false;
  }
}

async function giveBack(task) {
  desk.lease.stop();
  try {
    await api.giveBack(task.id, task.fence);
  } catch {
    // Lost already: it is back in the queue anyway, or someone else holds it.
  }
}

/** Updates the waiting counts of the heading without holding the marker up. */
async function refreshCounts() {
  try {
    const exams = await api.markerExams();
    const exam = exams.find((e) => desk && e.exam_id === desk.exam.exam_id);
    if (!exam || !desk) return;
    desk.exam = exam;
    if (desk.question) desk.question = exam.questions.find((q) => q.key === desk.question.key) || desk.question;
    const mode = main.querySelector('.mode');
    if (mode) mode.textContent = heading();
  } catch {
    // Counts are a courtesy; marking goes on without them.
  }
}

function nothingLeft(text) {
  const exam = desk.exam;
  leave();
  show(() => h('section', { class: 'card' }, h('p', { role: 'status' }, text), h('div', { class: 'actions' },
    h('button', { type: 'button', onclick: () => showMarks(exam) }, t('myMarks')),
    h('button', { type: 'button', class: 'primary', onclick: () => showExams() }, t('backToExams')))));
  main.querySelector('button.primary')?.focus();
}

/** Puts a held task on the desk, with its lease kept. `kept` is what was typed before. */
function take(task, kept) {
  if (desk.lease) desk.lease.stop();
  bar.alert.textContent = '';
  desk.task = task;
  desk.lease = new Lease(task, observed, {
    onTick: (seconds) => {
      bar.lease.replaceChildren(h('span', { class: 'label' }, `${t('lease')} `), h('strong', {}, t('leaseLeft', { t: formatRemaining(seconds) })));
    },
    onLost: () => lost(),
  });
  const draw = () => {
    desk.view = taskView(task, heading(), kept, { onScore: scoreIt, onSkip: skip, onBack: () => showExams() });
    return desk.view.node;
  };
  redraw = () => {
    kept = desk.view ? desk.view.values() : kept;
    replace(main, draw());
  };
  replace(main, draw());
  desk.lease.start();
  desk.view.focus();
}

async function scoreIt(points, comment) {
  const { task, lease } = desk;
  if (desk.busy || desk.scoring === task.id) return;
  desk.scoring = task.id;
  try {
    await api.score(task.id, task.fence, points, comment);
  } catch (error) {
    if (desk) desk.scoring = null;
    if (sessionEnded(error)) return;
    if (error.code === 'lease_lost') return lease.lose('taken');
    bar.alert.textContent = problemText(error);
    return;
  }
  lease.stop();
  if (desk.question) desk.question.open = Math.max(0, desk.question.open - 1);
  next(t('scored', { p: formatPoints(points) }));
}

function skip() {
  next(t('skipped'), desk.task);
}

/** The lease is gone: say so where the marker looks, and keep what they typed. */
function lost() {
  const typed = desk.view.values();
  desk.view.lost();
  bar.lease.textContent = '';
  const notice = h('div', { class: 'lost', role: 'alert' },
    h('p', {}, t('leaseLost', { p: typed.points || '–' })),
    h('button', { type: 'button', class: 'primary', onclick: () => next(null) }, t('claimNext')));
  main.querySelector('.desk')?.prepend(notice);
}

async function showMarks(exam) {
  leave();
  let data;
  try {
    data = await api.myMarks(exam.exam_id);
  } catch (error) {
    if (sessionEnded(error)) return;
    bar.alert.textContent = problemText(error);
    return;
  }
  show(() => marksView(exam, data, {
    onBack: () => showExams(),
    onCorrect: async (mark, points, comment) => {
      try {
        await api.correct(mark.id, points, comment);
        return null;
      } catch (error) {
        if (sessionEnded(error)) return t('staffSessionEnded');
        return problemText(error);
      }
    },
  }));
}

/** Keys for the common path, wherever the focus is on the desk. */
function onKey(e) {
  if (!desk || !desk.view) return;
  if (desk.lease) desk.lease.touch();
  const target = e.target;
  const typing = target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && target.type !== 'checkbox');
  if (typing || e.ctrlKey || e.altKey || e.metaKey) return;
  if (/^[0-9.]$/.test(e.key) && !(target instanceof HTMLButtonElement)) {
    e.preventDefault();
    desk.view.typeDigit(e.key);
  } else if (e.key === 'Enter' && target instanceof HTMLInputElement && target.type === 'checkbox') {
    e.preventDefault();
    desk.view.form.requestSubmit();
  }
}

function boot() {
  languageSwitch(document.getElementById('lang'));
  onLanguage(() => {
    bar.logout.textContent = t('logOut');
    redraw();
  });
  bar.logout.textContent = t('logOut');
  bar.logout.addEventListener('click', () => {
    forget();
    leave();
    askToLogIn(null);
  });
  api.onServerTime((server, sent, received) => {
    observed = [server, sent, received];
    if (desk && desk.lease) desk.lease.observe(server, sent, received);
  });
  document.addEventListener('keydown', onKey);
  for (const kind of ['input', 'pointerdown']) {
    document.addEventListener(kind, () => desk && desk.lease && desk.lease.touch());
  }
  const session = tabStore.get(SESSION);
  if (session && session.token && session.expires > Date.now()) {
    api.setToken(session.token);
    return showExams();
  }
  forget();
  return askToLogIn(null);
}

boot();
