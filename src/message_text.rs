//! Source text cut to fit in a one-line message.

/// The first line of `text`, cut to `limit` characters; `...` marks what was left out.
pub fn shorten(text: &str, limit: usize) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    let cut: String = first.chars().take(limit).collect();
    if cut.len() < first.len() || text.trim().lines().nth(1).is_some() {
        format!("{}...", cut.trim_end())
    } else {
        cut
    }
}
