//! Server text made inert before it reaches a terminal: a job name or an error body may
//! hold escape sequences (clear the screen, retitle the window), newlines (forge a table
//! row, split an error) or bidirectional overrides. Each is shown as a `\u{..}` escape.

use std::borrow::Cow;

/// Whether `c` could change what a terminal shows beyond its own glyph.
fn is_active(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// `text` with every control character, newline and direction override escaped (ESC
/// becomes the six characters `\u{1b}`).
pub fn inert(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_active) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_active(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn escapes_and_newlines_become_visible_text() {
        assert_eq!(inert("plain 作业"), "plain 作业");
        assert_eq!(inert("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\u{a}c");
        assert_eq!(inert("\u{1b}]0;owned\u{7}"), "\\u{1b}]0;owned\\u{7}");
        assert_eq!(inert("x\u{202E}y\u{9b}z"), "x\\u{202e}y\\u{9b}z");
        assert!(!inert("tab\there\r").contains(['\t', '\r']));
    }
}
