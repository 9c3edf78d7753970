// The landing and "coming" pages: static markup whose words are swapped for the chosen language.
import { languageSwitch, onLanguage, t } from './i18n.js';

function translate() {
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
}

languageSwitch(document.getElementById('lang'));
onLanguage(translate);
translate();
