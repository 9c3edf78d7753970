//! The candidate's path through the exam room, as a person at a keyboard takes it: `room.start()`,
//! `room.choose(3, "…")`, `room.write(7, "…")`, `room.submit()`. Everything is found by what a person
//! (or a screen reader) reads: button names, question numbers in legends, option texts in labels, the
//! `status` and `timer` roles; and reached with Tab, arrows, Space and Enter.

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::{json, Value};

/// One candidate's browser window on the room.
pub struct Room {
    pub client: Client,
    /// The origin the page was opened at (examd itself, or the proxy in front of it).
    pub base: String,
}

/// Finds the first node for an XPath; used by every predicate below.
const FIND: &str = "const find = (x) => document.evaluate(x, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;";

/// A button named `en` in English or `zh` in Chinese.
pub fn button(en: &str, zh: &str) -> String {
    format!("//button[normalize-space(.)='{en}' or normalize-space(.)='{zh}']")
}

/// The fieldset of question `n` (its legend starts with the number).
pub fn question(n: usize) -> String {
    format!("//fieldset[starts-with(normalize-space(legend), '{n}.')]")
}

impl Room {
    /// Opens a path (or a start link's path and fragment) of the room's origin.
    pub async fn open(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    /// Runs a script; `arguments[i]` are `args`.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.unwrap()
    }

    /// Waits until the script returns something truthy; panics with `what` after `timeout`.
    pub async fn wait_until(&self, what: &str, script: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.client.execute(script, vec![]).await.unwrap_or(Value::Null);
            if !(v.is_null() || v == json!(false) || v == json!("")) {
                return v;
            }
            if Instant::now() > deadline {
                let body = self.text("body").await;
                panic!("timed out waiting for {what}; the page shows:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until an XPath finds something.
    pub async fn wait_for(&self, xpath: &str) {
        let script = format!("{FIND} return !!find({xpath:?});");
        self.wait_until(xpath, &script, Duration::from_secs(15)).await;
    }

    /// The visible text of the first element matching a CSS selector of structure (`body`, `main`).
    pub async fn text(&self, selector: &str) -> String {
        let v = self
            .client
            .execute(
                "const el = document.querySelector(arguments[0]); return el ? el.innerText : '';",
                vec![json!(selector)],
            )
            .await;
        v.ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }

    /// Presses one key, as a keyboard does (on whatever has the focus).
    pub async fn press(&self, key: char) {
        let keys =
            KeyActions::new("keyboard".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
        self.client.perform_actions(keys).await.unwrap();
    }

    /// Presses Tab until `predicate` (a script over `active`, the focused element) holds.
    pub async fn tab_until(&self, what: &str, predicate: &str) {
        let script = format!("{FIND} const active = document.activeElement; return Boolean({predicate});");
        for _ in 0..400 {
            if self.js(&script, vec![]).await == json!(true) {
                return;
            }
            self.press(Key::Tab.into()).await;
        }
        panic!("Tab never reached {what}");
    }

    /// Tabs to the button with this name and presses Enter.
    pub async fn press_button(&self, en: &str, zh: &str) {
        let xpath = button(en, zh);
        self.wait_for(&xpath).await;
        self.tab_until(en, &format!("active === find({xpath:?})")).await;
        self.press(Key::Enter.into()).await;
    }

    /// Starts the exam from the intro: the clock starts here.
    pub async fn start(&self) {
        self.press_button("Start", "开始").await;
        self.wait_for(&question(1)).await;
    }

    /// Picks the option labelled `text` of single-choice or true/false question `n`: Tab into the
    /// group, then arrow keys to the option, then Space.
    pub async fn choose(&self, n: usize, text: &str) {
        let group = question(n);
        self.tab_until(
            &format!("question {n}"),
            &format!("find({group:?}).contains(active) && active.type === 'radio'"),
        )
        .await;
        let here = format!("{FIND} return document.activeElement.closest('label').textContent.includes({text:?});");
        for _ in 0..12 {
            if self.js(&here, vec![]).await == json!(true) {
                self.press(' ').await;
                return;
            }
            self.press(Key::Down.into()).await;
        }
        panic!("question {n} has no option {text}");
    }

    /// Sets the checkboxes of multiple-choice question `n` so exactly `texts` are ticked (Tab to each
    /// box, Space to toggle the ones that differ).
    pub async fn tick(&self, n: usize, texts: &[&str]) {
        let boxes = format!("{FIND} return [...find({:?}).querySelectorAll('input[type=checkbox]')].map(b => [b.closest('label').textContent, b.checked]);", question(n));
        let state = self.js(&boxes, vec![]).await;
        for (i, entry) in state.as_array().unwrap().iter().enumerate() {
            let label = entry[0].as_str().unwrap();
            let wanted = texts.iter().any(|t| label.contains(t));
            if wanted != entry[1].as_bool().unwrap() {
                let target = format!("find({:?}).querySelectorAll('input[type=checkbox]')[{i}]", question(n));
                self.tab_until(label, &format!("active === {target}")).await;
                self.press(' ').await;
            }
        }
    }

    /// Types `text` as the answer of question `n` (a textarea or a text field), replacing what was there.
    pub async fn write(&self, n: usize, text: &str) {
        let field = format!("find({:?}).querySelector('textarea, input[type=text]')", question(n));
        self.tab_until(&format!("the answer field of question {n}"), &format!("active === {field}")).await;
        self.clear_field().await;
        self.client.active_element().await.unwrap().send_keys(text).await.unwrap();
    }

    /// Empties the focused field as a person does: Ctrl+A, Backspace.
    pub async fn clear_field(&self) {
        let select_all = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: Key::Control.into() })
            .then(KeyAction::Down { value: 'a' })
            .then(KeyAction::Up { value: 'a' })
            .then(KeyAction::Up { value: Key::Control.into() })
            .then(KeyAction::Down { value: Key::Backspace.into() })
            .then(KeyAction::Up { value: Key::Backspace.into() });
        self.client.perform_actions(select_all).await.unwrap();
    }

    /// Toggles the "flag for later" button of question `n`.
    pub async fn flag(&self, n: usize) {
        let flag = format!("find({:?}).querySelector('button[aria-pressed]')", question(n));
        self.tab_until(&format!("the flag of question {n}"), &format!("active === {flag}")).await;
        self.press(Key::Enter.into()).await;
    }

    /// What the page shows for every question: the ticked options' labels and the typed text.
    pub async fn shown_answers(&self) -> Value {
        self.js(
            "const out = {};
             for (const fs of document.querySelectorAll('fieldset')) {
               const n = parseInt(fs.querySelector('legend').textContent, 10);
               const picked = [...fs.querySelectorAll('input:checked')].map(i => i.closest('label').textContent);
               const field = fs.querySelector('textarea, input[type=text]');
               out[n] = field ? field.value : picked;
             }
             return out;",
            vec![],
        )
        .await
    }

    /// Waits until the save status reads `en` or `zh`.
    pub async fn wait_status(&self, en: &str, zh: &str, timeout: Duration) {
        let script = format!("const s = document.querySelector('header [role=status]'); return s && (s.textContent === {en:?} || s.textContent === {zh:?});");
        self.wait_until(&format!("the status \"{en}\""), &script, timeout).await;
    }

    /// Reloads the page, as a candidate pressing F5 does.
    pub async fn reload(&self) {
        self.client.refresh().await.unwrap();
        self.wait_for(&question(1)).await;
    }

    /// Submits: the Submit button, then the confirmation dialog's button; returns what the dialog said.
    pub async fn submit(&self) -> String {
        self.press_button("Submit", "交卷").await;
        self.wait_for("//dialog[@open]").await;
        let said = self.text("dialog").await;
        self.press_button("Submit now", "确认交卷").await;
        said
    }

    /// Switches the page language with its switch if it is not `lang` (`zh` or `en`) already.
    pub async fn use_language(&self, lang: &str) {
        let current = self.js("return document.documentElement.lang;", vec![]).await;
        if !current.as_str().unwrap_or_default().starts_with(lang) {
            self.press_button("English", "中文").await;
        }
    }

    /// Saves a screenshot to `docs/screenshots/<name>.png` when it is missing or `EXAMD_SCREENSHOTS` is
    /// set: every run would otherwise change the committed pictures (the clock and dates move).
    pub async fn screenshot(&self, name: &str) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        let path = dir.join(format!("{name}.png"));
        if path.exists() && std::env::var_os("EXAMD_SCREENSHOTS").is_none() {
            return;
        }
        let png = self.client.screenshot().await.unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Every request the page made (navigation and resources) went to its own origin.
    pub async fn assert_same_origin(&self) {
        let urls = self
            .js("return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(e => e.name);", vec![])
            .await;
        let urls = urls.as_array().unwrap();
        assert!(!urls.is_empty());
        for url in urls {
            let url = url.as_str().unwrap();
            assert!(url.starts_with(&format!("{}/", self.base)), "a request left the origin: {url}");
        }
    }
}
