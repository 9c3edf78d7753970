// The UI language: one table per language, picked from the browser's language, with a switch that is
// remembered. Only the page's own words are translated; the exam's text is shown as written.
import zh from './strings-zh.js';
import en from './strings-en.js';
import { store } from './store.js';

const tables = { zh, en };
const listeners = [];
let lang = pick();

function pick() {
  const saved = store.get('examd.lang');
  if (saved && saved in tables) return saved;
  const wanted = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
  return wanted.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** The string for `key`, with `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = tables[lang][key] ?? tables.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

/** `zh` or `en`. */
export function language() {
  return lang;
}

/** Switches the language, remembers it and tells every listener to redraw. */
export function setLanguage(next) {
  lang = next in tables ? next : 'en';
  store.set('examd.lang', lang);
  applyDocumentLanguage();
  listeners.forEach((f) => f());
}

/** The `lang` attribute, so screen readers and fonts pick the right language. */
export function applyDocumentLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

/** Calls `f` after every language switch. */
export function onLanguage(f) {
  listeners.push(f);
}

/** The other language, which the switch offers. */
export function otherLanguage() {
  return lang === 'zh' ? 'en' : 'zh';
}

/** A date and time in the reader's language and time zone. */
export function formatTime(iso) {
  const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** Points without trailing zeros (2, 2.5). */
export function formatPoints(n) {
  return String(Math.round(Number(n) * 100) / 100);
}

/** Wires a language switch button: it names the other language and switches to it. */
export function languageSwitch(button) {
  const label = () => {
    button.textContent = t('switchTo');
    button.setAttribute('aria-label', t('switchLabel'));
    button.setAttribute('lang', otherLanguage() === 'zh' ? 'zh-CN' : 'en');
  };
  button.addEventListener('click', () => setLanguage(otherLanguage()));
  onLanguage(label);
  applyDocumentLanguage();
  label();
}
