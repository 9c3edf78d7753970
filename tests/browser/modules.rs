//! The room's modules on their own, in the browser that runs them: the word counter agrees with the
//! server's (a candidate is never told "fits" for an answer the server refuses), and the clock follows
//! the server's time whatever the laptop's clock says.

use serde_json::{json, Value};

use crate::driver::session;
use crate::exam;
use crate::room::Room;
use crate::run;

/// Imports a module of the room (by name, from the page's own versioned asset path) and runs `body`
/// with it as `m`; the result comes back through WebDriver.
async fn with_module(room: &Room, module: &str, body: &str) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const base = document.querySelector('script[type=module]').src.replace(/[^/]*$/, '');
         import(base + {module:?}).then((m) => done((() => {{ {body} }})())).catch((e) => done('error: ' + e));"
    );
    room.client.execute_async(&script, vec![]).await.unwrap()
}

#[actix_web::test]
async fn the_word_counter_and_the_clock_agree_with_the_server() {
    let app = exam::app().await;
    let Some(browser) = session("en-US").await else { return };
    let room = Room { client: browser.client.clone(), base: app.address.clone() };
    run(browser, async {
        room.open("/take").await;
        room.wait_for("//input[@id='code']").await;
        let samples = [
            "我用Excel做分析",
            "Hello, world!",
            "don't e-mail 3.5 people",
            "",
            "  很好。很好，  OK ",
            "日本語のテキスト",
        ];
        let counted =
            with_module(&room, "questions.js", &format!("return {samples:?}.map(m.wordCount);", samples = samples))
                .await;
        let expected: Vec<usize> = samples.iter().map(|s| examd::domain::answer::word_count(s)).collect();
        assert_eq!(counted, json!(expected));
        // A laptop clock an hour fast: the server says 10 minutes are left, and the clock shows 10 minutes.
        let left = with_module(
            &room,
            "clock.js",
            "const c = new m.Clock({onTick() {}, onWarn() {}, onZero() {}});
             const server = Date.now() - 3600 * 1000;
             c.observe(server, Date.now(), Date.now());
             c.setDeadline(new Date(server + 600 * 1000).toISOString());
             return [c.remaining(), m.formatRemaining(c.remaining()), m.formatRemaining(3725)];",
        )
        .await;
        let seconds = left[0].as_u64().unwrap();
        assert!((598..=600).contains(&seconds), "{left}");
        assert_eq!(left[2], "1:02:05");
    })
    .await;
}
