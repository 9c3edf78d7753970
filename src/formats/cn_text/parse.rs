//! Reads the lines of a paper into draft sections and questions, from the preamble through the
//! question sections to the answer part, which is matched back to questions by section and number.

use super::answers::{answer_part_title, key_runs, opens_section_or_question};
use super::draft::{Draft, DraftAnswer, DraftOption, DraftQuestion, DraftSection};
use super::furniture;
use super::heading::Heading;
use super::text::Line;
use super::tokens::{self, Context, Label, MarkerKind, Options};
use super::ImportWarning;

/// Whether the parser is reading questions or answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Mode {
    Questions,
    Answers,
}

/// Where text read next goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Target {
    Preamble,
    Intro,
    Prompt,
    Choice(usize),
    Answer,
    Explanation,
    Discard,
}

/// Reads the lines.
pub(super) fn read(lines: &[Line]) -> Draft {
    let skip: Vec<bool> = lines.iter().map(|l| l.is_blank() || furniture::is_furniture(&l.text())).collect();
    let mut next_content = vec![None; lines.len()];
    let mut upcoming = None;
    for i in (0..lines.len()).rev() {
        next_content[i] = upcoming;
        if !skip[i] {
            upcoming = Some(i);
        }
    }
    let mut parser = Parser::default();
    for (i, line) in lines.iter().enumerate() {
        if line.code {
            // Code goes where the text around it goes (a stem, mostly), as written.
            parser.text(line.text(), line.number);
            continue;
        }
        if line.is_blank() {
            continue;
        }
        let end_marker = furniture::is_end_marker(&line.text());
        if end_marker && parser.started() {
            parser.draft.end_line = Some(line.number);
            break;
        }
        if skip[i] || end_marker {
            continue;
        }
        let next = next_content[i].map(|n| &lines[n]);
        if let Some(bare) = answer_part_title(line) {
            if !bare || parser.mode == Mode::Answers || next.is_some_and(opens_section_or_question) {
                parser.answer_part(line.number);
            } else {
                parser.label(Label::Answer, line.number);
            }
            continue;
        }
        if parser.mode == Mode::Answers {
            if let Some(runs) = key_runs(&line.folded) {
                parser.key_runs(runs, line.number);
                continue;
            }
        }
        parser.read_line(line, next.is_some_and(tokens::starts_question_one));
    }
    parser.draft
}

/// The reader's position in the paper, and what it has collected so far.
#[derive(Debug)]
pub(super) struct Parser {
    /// What has been read.
    pub draft: Draft,
    /// Reading questions or their answers.
    pub mode: Mode,
    /// Where the next text goes.
    pub target: Target,
    /// The question that text and labels belong to: (section, question).
    pub current: Option<(usize, usize)>,
    /// The section the answer part is answering.
    pub answer_section: Option<usize>,
    /// Answer parts seen; the first one usually covers the whole paper, later ones their section.
    pub answer_parts: usize,
    /// Whether the answer part names its sections; without headings a restart in numbering moves on.
    pub answer_headed: bool,
    /// The number of the last answer read, to notice a restart.
    pub last_answer_number: u32,
    /// The number the next question (or answer) should carry.
    pub next_question: u32,
    /// Inside a labelled answer or explanation, where list numbers are text.
    pub in_answer_text: bool,
    /// The line being read and its text from the marker being handled, so a warning about it can
    /// point at its column (one run-on line may hold a whole paper).
    pub here: (usize, String),
}

impl Default for Parser {
    fn default() -> Parser {
        Parser {
            draft: Draft::default(),
            mode: Mode::Questions,
            target: Target::Preamble,
            current: None,
            answer_section: None,
            answer_parts: 0,
            answer_headed: false,
            last_answer_number: 0,
            next_question: 1,
            in_answer_text: false,
            here: (0, String::new()),
        }
    }
}

impl Parser {
    pub(super) fn started(&self) -> bool {
        !self.draft.sections.is_empty() || self.mode == Mode::Answers
    }

    pub(super) fn warn(&mut self, line: usize, message: String) {
        let warning = match &self.here {
            (at, hint) if *at == line => ImportWarning::about(line, hint, message),
            _ => ImportWarning::new(line, message),
        };
        self.draft.warnings.push(warning);
    }

    fn context(&self, next_line_q1: bool) -> Context {
        Context {
            next_question: self.next_question,
            in_answer_text: self.in_answer_text,
            options: self.options(),
            next_line_q1,
        }
    }

    fn options(&self) -> Options {
        let reading_options = matches!(self.target, Target::Prompt | Target::Choice(_));
        let Some((s, q)) = self.current.filter(|_| self.mode == Mode::Questions && reading_options) else {
            return Options::Off;
        };
        let section = &self.draft.sections[s];
        let next = match section.questions[q].options.last() {
            None => 'A',
            Some(o) if o.letter < 'Z' => char::from(o.letter as u8 + 1),
            Some(_) => return Options::Off,
        };
        match section.heading.kind {
            Some(kind) if kind.has_options() => Options::Anywhere(next),
            // Options at a line start are read in any section, so a choice question in an open
            // section is noticed (and reported); without a letter key they go back into the prompt.
            Some(_) => Options::LineOnly(next),
            None => Options::LineStart(next),
        }
    }

    /// Cuts a line at its markers and hands each piece to the field it belongs to.
    fn read_line(&mut self, line: &Line, next_line_q1: bool) {
        let mut marker = tokens::line_start(line, &self.context(next_line_q1));
        loop {
            let from = marker.end.max(marker.start + 1);
            self.here = (line.number, line.slice(marker.start, marker.start + 16));
            self.begin(marker.kind, line.number);
            let next = tokens::next_marker(line, from, &self.context(next_line_q1));
            let end = next.as_ref().map_or(line.folded.len(), |m| m.start);
            self.text(line.slice(marker.end, end), line.number);
            match next {
                Some(m) => marker = m,
                None => break,
            }
        }
    }

    fn begin(&mut self, kind: MarkerKind, line: usize) {
        match kind {
            MarkerKind::Heading(h) => self.heading(h, line),
            MarkerKind::Question(n) => self.question(n, line),
            MarkerKind::Choice(c) => self.choice(c),
            MarkerKind::Label(l) => self.label(l, line),
            MarkerKind::Continue => {}
        }
    }

    fn heading(&mut self, h: Heading, line: usize) {
        self.in_answer_text = false;
        self.next_question = 1;
        self.current = None;
        let answers = h.answers || (self.mode == Mode::Answers && self.names_a_read_section(&h));
        if answers {
            self.mode = Mode::Answers;
            self.answer_headed = true;
            self.answer_section = self.section_for_answers(&h);
            if self.answer_section.is_none() {
                self.warn(line, format!("answer heading “{}” matches no section; its answers were left out", h.title));
            }
            self.target = Target::Discard;
        } else {
            self.mode = Mode::Questions;
            self.draft.sections.push(DraftSection::new(line, h, false));
            self.target = Target::Intro;
        }
    }

    fn question(&mut self, n: u32, line: usize) {
        self.in_answer_text = false;
        self.next_question = n.saturating_add(1);
        match self.mode {
            Mode::Questions => self.new_question(n, line),
            Mode::Answers => self.answer_item(n, line),
        }
    }

    fn new_question(&mut self, n: u32, line: usize) {
        if self.draft.sections.is_empty() {
            self.warn(
                line,
                "questions come before any section heading; they were put in a section of their own".into(),
            );
            self.draft.sections.push(DraftSection::new(line, Heading::default(), true));
        }
        let s = self.draft.sections.len() - 1;
        let section = &mut self.draft.sections[s];
        let expected = section.questions.last().map_or(1, |q| q.number.saturating_add(1));
        let q = section.questions.len();
        section.by_number.entry(n).or_insert(q);
        section.questions.push(DraftQuestion::new(n, line));
        self.current = Some((s, q));
        self.target = Target::Prompt;
        if n != expected {
            self.warn(line, format!("question {n} where question {expected} was expected"));
        }
    }

    fn choice(&mut self, letter: char) {
        if let Some((s, q)) = self.current {
            let options = &mut self.draft.sections[s].questions[q].options;
            options.push(DraftOption { letter, text: String::new() });
            self.target = Target::Choice(options.len() - 1);
        }
    }

    fn label(&mut self, label: Label, line: usize) {
        self.in_answer_text = true;
        let Some((s, q)) = self.current else {
            self.warn(line, "an answer or explanation belongs to no question; it was left out".into());
            self.target = Target::Discard;
            return;
        };
        match label {
            Label::Answer => {
                self.start_answer(line);
                self.target = Target::Answer;
            }
            Label::Explanation => {
                self.draft.sections[s].questions[q].explanation.get_or_insert_with(String::new);
                self.target = Target::Explanation;
            }
        }
    }

    /// Opens a fresh answer for the current question. An answer already there is kept aside, for
    /// the builder to compare: two different keys for one question leave it without one.
    pub(super) fn start_answer(&mut self, line: usize) {
        let Some((s, q)) = self.current else { return };
        let question = &mut self.draft.sections[s].questions[q];
        let previous = question.answer.replace(DraftAnswer { line, text: String::new() });
        if let Some(prev) = previous.filter(|a| !a.text.trim().is_empty()) {
            question.earlier_answers.push(prev);
        }
    }

    pub(super) fn text(&mut self, text: String, line: usize) {
        if text.is_empty() {
            return;
        }
        match (self.target, self.current) {
            (Target::Preamble, _) => self.draft.preamble.push((line, text)),
            (Target::Intro, _) => {
                if let Some(section) = self.draft.sections.last_mut() {
                    append(&mut section.intro, &text, "\n");
                }
            }
            (Target::Prompt, Some((s, q))) => append(&mut self.draft.sections[s].questions[q].prompt, &text, "\n"),
            (Target::Choice(o), Some((s, q))) => self.option_text(s, q, o, &text, line),
            (Target::Answer, Some((s, q))) => {
                if let Some(answer) = self.draft.sections[s].questions[q].answer.as_mut() {
                    append(&mut answer.text, &text, "\n");
                }
            }
            (Target::Explanation, Some((s, q))) => {
                let explanation = self.draft.sections[s].questions[q].explanation.get_or_insert_with(String::new);
                append(explanation, &text, "\n");
            }
            _ => {
                let shown = crate::formats::place::excerpt(&text);
                self.warn(line, format!("text outside any question was left out: “{shown}”"));
            }
        }
    }

    fn option_text(&mut self, s: usize, q: usize, o: usize, text: &str, line: usize) {
        let option = &mut self.draft.sections[s].questions[q].options[o];
        let wrapped = !option.text.is_empty();
        append(&mut option.text, text, " ");
        if wrapped {
            let letter = option.letter;
            self.warn(line, format!("a line after option {letter} was read as the rest of that option"));
        }
    }
}

fn append(buffer: &mut String, text: &str, separator: &str) {
    if !buffer.is_empty() {
        buffer.push_str(separator);
    }
    buffer.push_str(text);
}
