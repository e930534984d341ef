//! ANSI styling for the human formats, and making arbitrary text safe to print on a terminal.

/// Paints text with ANSI SGR codes when colour is on; returns it unchanged otherwise.
#[derive(Clone, Copy, Debug)]
pub(super) struct Paint {
    color: bool,
}

impl Paint {
    pub(super) fn new(color: bool) -> Self {
        Self { color }
    }

    fn wrap(self, sgr: &str, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// A file path in a finding's header.
    pub(super) fn path(self, text: &str) -> String {
        self.wrap("1", text)
    }

    /// A rule code.
    pub(super) fn code(self, text: &str) -> String {
        self.wrap("1;31", text)
    }

    /// The line-number gutter of a code frame.
    pub(super) fn gutter(self, text: &str) -> String {
        self.wrap("1;34", text)
    }

    /// The `^^^` under a span.
    pub(super) fn caret(self, text: &str) -> String {
        self.wrap("1;31", text)
    }

    /// `help:`, `chain:` and the like.
    pub(super) fn label(self, text: &str) -> String {
        self.wrap("1", text)
    }

    /// The `[*]` fixable marker.
    pub(super) fn fixable(self, text: &str) -> String {
        self.wrap("36", text)
    }

    /// The title of a rule's documentation.
    pub(super) fn title(self, text: &str) -> String {
        self.wrap("1;4", text)
    }

    /// Inline code in a rule's documentation.
    pub(super) fn inline_code(self, text: &str) -> String {
        self.wrap("36", text)
    }

    /// A line of a code block in a rule's documentation.
    pub(super) fn code_block(self, text: &str) -> String {
        self.wrap("33", text)
    }

    /// `All checks passed!`
    pub(super) fn success(self, text: &str) -> String {
        self.wrap("1;32", text)
    }
}

/// Replaces characters a terminal would act on instead of showing: control characters (an ESC
/// in a string literal must not restyle the terminal), and bidirectional overrides (which
/// reorder what is shown). Each becomes one visible, single-width character.
pub(super) fn printable(text: &str) -> String {
    if !text.chars().any(needs_replacement) {
        return text.to_string();
    }
    text.chars().map(visible).collect()
}

pub(super) fn needs_replacement(ch: char) -> bool {
    ch.is_control()
        || matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// The single-width stand-in for `ch` (`ch` itself when it needs none).
pub(super) fn visible(ch: char) -> char {
    match ch {
        // A tab outside a code frame (where tabs are expanded to tab stops) is a space.
        '\t' => ' ',
        // C0 controls have their own pictures: U+2400 SYMBOL FOR NULL onwards.
        '\0'..='\u{1F}' => char::from_u32(0x2400 + u32::from(ch)).unwrap_or('\u{FFFD}'),
        '\u{7F}' => '\u{2421}',
        _ if needs_replacement(ch) => '\u{FFFD}',
        _ => ch,
    }
}
