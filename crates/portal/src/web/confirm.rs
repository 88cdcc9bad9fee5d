//! The page every irreversible action asks on first: what it is done to, what will happen, and a
//! button that does it (a POST to the action's own address, which a page's link opens with a
//! GET). Nothing happens on the GET.

use askama::Template;

use super::error::{render, WebResult};
use super::extract::Chrome;

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    /// Its title is the question.
    pub c: Chrome,
    /// What the action is done to, as label and value.
    pub facts: Vec<(String, String)>,
    /// What will happen, one sentence each.
    pub what: Vec<String>,
    /// Where the button posts.
    pub action: String,
    /// The button's words: the action itself ("Khóa tài khoản").
    pub button: String,
    pub danger: bool,
    /// Where "Huỷ" leads: the page the action was offered on.
    pub back: String,
    /// Why it cannot be done now; then the page has no button.
    pub refused: String,
}

impl ConfirmPage {
    pub fn new(c: Chrome, action: String, button: String, back: String) -> ConfirmPage {
        ConfirmPage {
            c,
            facts: Vec::new(),
            what: Vec::new(),
            action,
            button,
            danger: true,
            back,
            refused: String::new(),
        }
    }

    pub fn fact(mut self, label: String, value: String) -> ConfirmPage {
        self.facts.push((label, value));
        self
    }

    pub fn will(mut self, sentence: String) -> ConfirmPage {
        self.what.push(sentence);
        self
    }

    /// The action cannot be done now, for this reason: the page says so instead of asking.
    pub fn refuse(mut self, why: String) -> ConfirmPage {
        self.refused = why;
        self
    }

    pub fn show(self) -> WebResult {
        render(self)
    }
}
