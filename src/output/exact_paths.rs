//! Paths whose bytes are not UTF-8. The report names a file by a string, with U+FFFD where
//! its bytes do not decode; before the output leaves the process, each such name is put back
//! as it really is, so whoever reads the output can open the file:
//! - in the plain-text formats (text, concise, github, statistics), the raw bytes;
//! - in JSON (json, json-lines), each byte that does not decode as the lone surrogate
//!   `\udcXX`, the "surrogateescape" form of Python's `os.fsdecode`:
//!   `os.fsencode(json.loads(line)["filename"])` gives the exact bytes back. A strict parser
//!   may refuse a lone surrogate (serde_json does; Python, JavaScript and jq read it); only
//!   names that are not UTF-8 are written so.
//! - SARIF stays strictly valid for code-scanning services: its URIs percent-encode the
//!   bytes (`sarif.rs`), and its other text keeps U+FFFD.

use crate::report::Report;

/// `rendered` with every name of `report.path_bytes` restored to its exact bytes.
pub fn restore(rendered: Vec<u8>, report: &Report, json: bool) -> Vec<u8> {
    if report.path_bytes.is_empty() {
        return rendered;
    }
    // Longest names first, so a name that contains another is restored whole.
    let mut names: Vec<(&String, &Vec<u8>)> = report.path_bytes.iter().collect();
    names.sort_by_key(|(shown, _)| std::cmp::Reverse(shown.len()));
    let mut output = rendered;
    for (shown, exact) in names {
        let (pattern, replacement) = if json {
            (
                json_string_body(shown).into_bytes(),
                surrogate_escaped(exact).into_bytes(),
            )
        } else {
            (shown.as_bytes().to_vec(), exact.clone())
        };
        output = replace_all(&output, &pattern, &replacement);
    }
    output
}

/// The text between the quotes of `text` as a JSON string.
fn json_string_body(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or_default()
        .to_string()
}

/// `bytes` as the body of a JSON string: what decodes as UTF-8 as such, each other byte as
/// `\udcXX`.
fn surrogate_escaped(bytes: &[u8]) -> String {
    let mut escaped = String::new();
    for chunk in bytes.utf8_chunks() {
        escaped.push_str(&json_string_body(chunk.valid()));
        for byte in chunk.invalid() {
            escaped.push_str(&format!("\\udc{byte:02x}"));
        }
    }
    escaped
}

fn replace_all(haystack: &[u8], pattern: &[u8], replacement: &[u8]) -> Vec<u8> {
    if pattern.is_empty() {
        return haystack.to_vec();
    }
    let mut output = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = memchr::memmem::find(rest, pattern) {
        output.extend_from_slice(&rest[..at]);
        output.extend_from_slice(replacement);
        rest = &rest[at + pattern.len()..];
    }
    output.extend_from_slice(rest);
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undecodable_bytes_become_lone_surrogates_and_the_rest_stays_json() {
        assert_eq!(
            surrogate_escaped(b"caf\xe9 \"1\".py"),
            "caf\\udce9 \\\"1\\\".py"
        );
    }

    #[test]
    fn every_occurrence_is_replaced() {
        assert_eq!(replace_all(b"a-x-a", b"a", b"bb"), b"bb-x-bb");
    }
}
