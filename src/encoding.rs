//! Decoding a source file as CPython does: a UTF-8 byte order mark, else a PEP 263 coding
//! declaration in the first or second line, else UTF-8.
//!
//! What CPython rejects is rejected with CPython's words (3.11's tokenizer): an unknown
//! encoding or bytes the declared encoding cannot decode are an "encoding problem", a BOM
//! beside a declaration of another encoding is one "with BOM", and bytes that are not UTF-8
//! where nothing was declared are "Non-UTF-8 code". Those are syntax errors (CPython does not
//! run the file), so the caller reports them as LW001.
//!
//! Latin-1 and ASCII are decoded exactly; the other declared encodings are decoded with
//! `encoding_rs`, whose tables follow the WHATWG Encoding Standard. Those agree with Python's
//! codecs on every byte a real source file holds; where the WHATWG table defines a byte
//! Python's `cp1252` leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), it is rejected as
//! CPython rejects it.

use std::borrow::Cow;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The encoding a source file is decoded with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceEncoding {
    /// UTF-8: the default, a BOM, or a declaration of `utf-8`.
    Utf8,
    /// UTF-8 but for bytes inside comments, which CPython's tokenizer skips without decoding
    /// them (the file loads): read with each such byte as `?`. Nothing is written back to
    /// it, since the text would lose those bytes.
    Utf8WithStrayBytesInComments,
    Latin1,
    Ascii,
    /// Any other encoding named by a declaration (Python's codec name, the decoder).
    Other(&'static str, &'static encoding_rs::Encoding),
}

impl SourceEncoding {
    /// Python's name of the encoding (`utf-8`, `iso-8859-1`, `cp1252`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 | Self::Utf8WithStrayBytesInComments => "utf-8",
            Self::Latin1 => "iso-8859-1",
            Self::Ascii => "ascii",
            Self::Other(name, _) => name,
        }
    }

    /// `text` in this encoding, or `None` when a character of it has no byte sequence here
    /// (a fix that inserts `é` into an ASCII file).
    pub fn encode(self, text: &str) -> Option<Vec<u8>> {
        match self {
            Self::Utf8 => Some(text.as_bytes().to_vec()),
            Self::Utf8WithStrayBytesInComments => None,
            Self::Latin1 => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).ok())
                .collect(),
            Self::Ascii => text.is_ascii().then(|| text.as_bytes().to_vec()),
            Self::Other(_, encoding) => {
                let (bytes, _, unmappable) = encoding.encode(text);
                (!unmappable).then(|| bytes.into_owned())
            }
        }
    }
}

/// [`decode`] of bytes the caller hands over: UTF-8 bytes become the text themselves, checked
/// once (the text of most files: decoding and then owning them checked every byte twice);
/// an error gives the bytes back.
pub fn decode_owned(bytes: Vec<u8>) -> Result<String, (Vec<u8>, DecodeError)> {
    match declared_encoding(&bytes) {
        Err(error) => Err((bytes, error)),
        Ok(None | Some((SourceEncoding::Utf8, _))) => String::from_utf8(bytes).or_else(|error| {
            let at = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            match stray_bytes_in_comments(&bytes) {
                Some(text) => Ok(text),
                None => {
                    let error = not_utf8(&bytes, at);
                    Err((bytes, error))
                }
            }
        }),
        Ok(Some(_)) => match decode(&bytes) {
            Ok((text, _)) => Ok(text.into_owned()),
            Err(error) => Err((bytes, error)),
        },
    }
}

/// The encoding a PEP 263 declaration names, and where; an error for a name CPython does
/// not know.
fn declared_encoding(bytes: &[u8]) -> Result<Option<(SourceEncoding, usize)>, DecodeError> {
    match coding_declaration(bytes) {
        Some((name, at)) => Ok(Some((
            lookup(&name).ok_or(DecodeError {
                message: format!("encoding problem: {name}"),
                offset: at,
            })?,
            at,
        ))),
        None => Ok(None),
    }
}

/// CPython's error for bytes that are not UTF-8 from `at` on, with no other encoding
/// declared.
fn not_utf8(bytes: &[u8], at: usize) -> DecodeError {
    DecodeError {
        message: format!(
            "Non-UTF-8 code starting with '\\x{:02x}' on line {}, but no encoding declared; \
             see https://peps.python.org/pep-0263/ for details",
            bytes[at],
            line_number(bytes, at)
        ),
        offset: at,
    }
}

/// Why CPython would not read a file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// CPython's message, without the `SyntaxError: ` prefix.
    pub message: String,
    /// Where the problem is: the first byte that does not decode, else the declaration.
    pub offset: usize,
}

/// A source file's text, decoded as CPython decodes it.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, SourceEncoding), DecodeError> {
    let has_bom = bytes.starts_with(BOM);
    let declared = declared_encoding(bytes)?;
    match declared {
        None | Some((SourceEncoding::Utf8, _)) => {
            // The BOM stays in the text: the parser skips it, and offsets stay those of the
            // file.
            match std::str::from_utf8(bytes) {
                Ok(text) => Ok((Cow::Borrowed(text), SourceEncoding::Utf8)),
                Err(error) => match stray_bytes_in_comments(bytes) {
                    Some(text) => Ok((
                        Cow::Owned(text),
                        SourceEncoding::Utf8WithStrayBytesInComments,
                    )),
                    None => Err(not_utf8(bytes, error.valid_up_to())),
                },
            }
        }
        Some((encoding, at)) if has_bom => Err(DecodeError {
            message: format!("encoding problem: {} with BOM", encoding.name()),
            offset: at,
        }),
        Some((encoding, at)) => {
            let problem = |offset| DecodeError {
                message: format!("encoding problem: {}", encoding.name()),
                offset,
            };
            let text = match encoding {
                SourceEncoding::Utf8 | SourceEncoding::Utf8WithStrayBytesInComments => {
                    unreachable!("decoded above")
                }
                SourceEncoding::Latin1 => {
                    Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())
                }
                SourceEncoding::Ascii => match bytes.iter().position(|b| !b.is_ascii()) {
                    Some(bad) => return Err(problem(bad)),
                    None => Cow::Owned(String::from_utf8_lossy(bytes).into_owned()),
                },
                SourceEncoding::Other(name, decoder) => {
                    if name == "cp1252"
                        && let Some(bad) = bytes
                            .iter()
                            .position(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
                    {
                        return Err(problem(bad));
                    }
                    let (text, had_errors) = decoder.decode_without_bom_handling(bytes);
                    if had_errors {
                        let bad = text.find('\u{FFFD}').map_or(at, |chars| {
                            // The replacement's offset in the text is not the byte's; the
                            // line is what the message needs, so the line start will do.
                            let line = text[..chars].matches('\n').count();
                            line_start(bytes, line)
                        });
                        return Err(problem(bad));
                    }
                    Cow::Owned(text.into_owned())
                }
            };
            Ok((text, encoding))
        }
    }
}

/// The text of UTF-8 `bytes` whose only bytes that are not UTF-8 sit inside comments, each
/// read as `?` (so every offset stays the file's): CPython's tokenizer skips a comment's
/// bytes without decoding them, and the file loads. `None` when one sits anywhere else.
fn stray_bytes_in_comments(bytes: &[u8]) -> Option<String> {
    let mut text = String::with_capacity(bytes.len());
    let mut strays = Vec::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for _ in chunk.invalid() {
            strays.push(text.len());
            text.push('?');
        }
    }
    let parsed =
        ruff_python_parser::parse_unchecked_source(&text, ruff_python_ast::PySourceType::Python);
    let mut comments = parsed
        .tokens()
        .iter()
        .filter(|token| token.kind() == ruff_python_ast::token::TokenKind::Comment)
        .map(ruff_text_size::Ranged::range)
        .peekable();
    for stray in strays {
        let stray = ruff_text_size::TextSize::try_from(stray).ok()?;
        while comments.next_if(|comment| comment.end() <= stray).is_some() {}
        if !comments
            .peek()
            .is_some_and(|comment| comment.contains(stray))
        {
            return None;
        }
    }
    Some(text)
}

/// The encoding named by a PEP 263 declaration (`# -*- coding: latin-1 -*-`, `# vim: set
/// fileencoding=cp1252 :`) in the first line, or in the second when the first is blank or a
/// comment; with the declaration's offset.
pub fn coding_declaration(bytes: &[u8]) -> Option<(String, usize)> {
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let skipped = bytes.len() - body.len();
    let mut lines = body.split_inclusive(|&b| b == b'\n');
    let first = lines.next()?;
    if let Some(name) = declared_in(first) {
        return Some((name, skipped));
    }
    let trimmed = trim_blank(first);
    if !(trimmed.is_empty() || matches!(trimmed[0], b'#' | b'\r' | b'\n')) {
        return None;
    }
    let second = lines.next()?;
    declared_in(second).map(|name| (name, skipped + first.len()))
}

/// The encoding a comment line declares: `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`.
fn declared_in(line: &[u8]) -> Option<String> {
    let line = trim_blank(line);
    let comment = line.strip_prefix(b"#")?;
    let mut rest = comment;
    loop {
        let at = find(rest, b"coding")?;
        let after = &rest[at + b"coding".len()..];
        if let Some(value) = after
            .strip_prefix(b":")
            .or_else(|| after.strip_prefix(b"="))
        {
            let value = trim_blank(value);
            let length = value
                .iter()
                .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                .count();
            if length > 0 {
                return Some(String::from_utf8_lossy(&value[..length]).into_owned());
            }
        }
        rest = after;
    }
}

fn trim_blank(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))
        .unwrap_or(line.len());
    &line[start..]
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Python's encoding for a declared name, as `codecs.lookup` finds it (case, `_` and `-`
/// alike), for the encodings source files are written in.
fn lookup(declared: &str) -> Option<SourceEncoding> {
    let name: String = declared
        .chars()
        .map(|c| match c {
            '_' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    // CPython's tokenizer first folds `utf-8-*` and `latin-1-*` spellings itself.
    if name == "utf-8" || name.starts_with("utf-8-") || name == "utf8" {
        return Some(SourceEncoding::Utf8);
    }
    // Codecs a package registers as the interpreter starts (from a `.pth` file), which read
    // UTF-8: where the project runs, the package is installed and the file loads. CPython
    // alone does not know the name; Ruff reads every file as UTF-8.
    if RUNTIME_UTF8_CODECS.contains(&name.as_str()) {
        return Some(SourceEncoding::Utf8);
    }
    if ["latin-1", "iso-8859-1", "iso-latin-1"]
        .iter()
        .any(|prefix| name == *prefix || name.starts_with(&format!("{prefix}-")))
    {
        return Some(SourceEncoding::Latin1);
    }
    match name.as_str() {
        "latin1" | "latin" | "l1" | "iso8859-1" | "8859" | "cp819" => {
            return Some(SourceEncoding::Latin1);
        }
        "ascii" | "us-ascii" | "646" => return Some(SourceEncoding::Ascii),
        _ => {}
    }
    OTHER_ENCODINGS
        .iter()
        .find(|(names, _)| names.contains(&name.as_str()))
        .map(|(names, encoding)| SourceEncoding::Other(names[0], encoding))
}

/// Codecs of packages that decode UTF-8, rewriting the text for old Pythons only:
/// `future-fstrings` (f-strings before Python 3.6; unchanged on later ones).
const RUNTIME_UTF8_CODECS: &[&str] = &["future-fstrings"];

/// Python's codec names (the first is the canonical one) and their decoders.
const OTHER_ENCODINGS: &[(&[&str], &encoding_rs::Encoding)] = &[
    (&["cp1250", "windows-1250"], encoding_rs::WINDOWS_1250),
    (&["cp1251", "windows-1251"], encoding_rs::WINDOWS_1251),
    (&["cp1252", "windows-1252"], encoding_rs::WINDOWS_1252),
    (&["cp1253", "windows-1253"], encoding_rs::WINDOWS_1253),
    (&["cp1254", "windows-1254"], encoding_rs::WINDOWS_1254),
    (&["cp1255", "windows-1255"], encoding_rs::WINDOWS_1255),
    (&["cp1256", "windows-1256"], encoding_rs::WINDOWS_1256),
    (&["cp1257", "windows-1257"], encoding_rs::WINDOWS_1257),
    (&["cp1258", "windows-1258"], encoding_rs::WINDOWS_1258),
    (
        &["iso8859-2", "iso-8859-2", "latin2", "l2"],
        encoding_rs::ISO_8859_2,
    ),
    (
        &["iso8859-3", "iso-8859-3", "latin3", "l3"],
        encoding_rs::ISO_8859_3,
    ),
    (
        &["iso8859-4", "iso-8859-4", "latin4", "l4"],
        encoding_rs::ISO_8859_4,
    ),
    (
        &["iso8859-5", "iso-8859-5", "cyrillic"],
        encoding_rs::ISO_8859_5,
    ),
    (
        &["iso8859-6", "iso-8859-6", "arabic"],
        encoding_rs::ISO_8859_6,
    ),
    (
        &["iso8859-7", "iso-8859-7", "greek"],
        encoding_rs::ISO_8859_7,
    ),
    (
        &["iso8859-8", "iso-8859-8", "hebrew"],
        encoding_rs::ISO_8859_8,
    ),
    (
        &["iso8859-10", "iso-8859-10", "latin6", "l6"],
        encoding_rs::ISO_8859_10,
    ),
    (
        &["iso8859-13", "iso-8859-13", "latin7", "l7"],
        encoding_rs::ISO_8859_13,
    ),
    (
        &["iso8859-14", "iso-8859-14", "latin8", "l8"],
        encoding_rs::ISO_8859_14,
    ),
    (
        &["iso8859-15", "iso-8859-15", "latin9", "l9"],
        encoding_rs::ISO_8859_15,
    ),
    (
        &["iso8859-16", "iso-8859-16", "latin10", "l10"],
        encoding_rs::ISO_8859_16,
    ),
    (&["koi8-r"], encoding_rs::KOI8_R),
    (&["koi8-u"], encoding_rs::KOI8_U),
    (&["cp866", "866", "ibm866"], encoding_rs::IBM866),
    (
        &["mac-roman", "macroman", "macintosh"],
        encoding_rs::MACINTOSH,
    ),
    (
        &["shift-jis", "sjis", "shiftjis", "s-jis", "cp932", "ms932"],
        encoding_rs::SHIFT_JIS,
    ),
    (&["euc-jp", "eucjp", "ujis"], encoding_rs::EUC_JP),
    (
        &["iso2022-jp", "iso-2022-jp", "csiso2022jp"],
        encoding_rs::ISO_2022_JP,
    ),
    (
        &["gbk", "cp936", "ms936", "936", "gb2312", "euc-cn", "euccn"],
        encoding_rs::GBK,
    ),
    (&["gb18030", "gb18030-2000"], encoding_rs::GB18030),
    (&["big5", "big5-tw", "csbig5", "cp950"], encoding_rs::BIG5),
    (
        &["euc-kr", "euckr", "cp949", "uhc", "ks-c-5601-1987"],
        encoding_rs::EUC_KR,
    ),
];

fn line_number(bytes: &[u8], offset: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count()
}

/// The byte offset where 0-based `line` starts.
fn line_start(bytes: &[u8], line: usize) -> usize {
    if line == 0 {
        return 0;
    }
    memchr::memchr_iter(b'\n', bytes)
        .nth(line - 1)
        .map_or(bytes.len(), |at| at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text, the same from [`decode`] and [`decode_owned`].
    fn text(bytes: &[u8]) -> String {
        let text = decode(bytes).unwrap().0.into_owned();
        assert_eq!(decode_owned(bytes.to_vec()).unwrap(), text);
        text
    }

    /// The error, the same from [`decode`] and [`decode_owned`] (which gives the bytes back).
    fn decode_error(bytes: &[u8]) -> DecodeError {
        let error = decode(bytes).unwrap_err();
        let (back, owned) = decode_owned(bytes.to_vec()).unwrap_err();
        assert_eq!((back.as_slice(), &owned), (bytes, &error));
        error
    }

    fn error(bytes: &[u8]) -> String {
        decode_error(bytes).message
    }

    #[test]
    fn utf8_with_and_without_a_bom() {
        assert_eq!(text(b"x = '\xc3\xa9'\n"), "x = 'é'\n");
        assert_eq!(text(b"\xef\xbb\xbfx = 1\n"), "\u{feff}x = 1\n");
        assert_eq!(
            text(b"\xef\xbb\xbf# coding: utf-8\n"),
            "\u{feff}# coding: utf-8\n"
        );
    }

    #[test]
    fn declarations_on_the_first_or_second_line() {
        assert_eq!(
            text(b"# -*- coding: latin-1 -*-\ns = '\xe9'\n")
                .lines()
                .nth(1),
            Some("s = 'é'")
        );
        assert_eq!(
            text(b"#!/usr/bin/python\n# vim: set fileencoding=cp1252 :\ns = '\x80'\n")
                .lines()
                .nth(2),
            Some("s = '€'")
        );
        assert_eq!(
            text(b"\n# coding=ISO_8859_15\ns = '\xa4'\n").lines().nth(2),
            Some("s = '€'")
        );
        // A declaration after a line of code is not one.
        assert!(
            error(b"x = 1\n# coding: latin-1\ns = '\xe9'\n").starts_with(
                "Non-UTF-8 code starting with '\\xe9' on line 3, but no encoding declared"
            )
        );
    }

    #[test]
    fn what_cpython_rejects() {
        assert_eq!(error(b"# coding: nope\n"), "encoding problem: nope");
        // Bytes that are not UTF-8 inside a comment: skipped by CPython, read as `?`.
        assert_eq!(
            decode(b"x = 1  # caf\xe9\n").map(|(text, encoding)| (text.into_owned(), encoding)),
            Ok((
                "x = 1  # caf?\n".to_string(),
                SourceEncoding::Utf8WithStrayBytesInComments
            ))
        );
        assert!(error(b"x = 'caf\xe9'  # caf\xe9\n").starts_with("Non-UTF-8 code"));
        // A codec its package registers at start-up, reading UTF-8.
        let text = "# -*- coding: future_fstrings -*-\nname = 'é'\n";
        assert_eq!(
            decode(text.as_bytes()).map(|(decoded, encoding)| (decoded.into_owned(), encoding)),
            Ok((text.to_string(), SourceEncoding::Utf8))
        );
        assert_eq!(
            error(b"# coding: ascii\ns = '\xe9'\n"),
            "encoding problem: ascii"
        );
        assert_eq!(
            error(b"# coding: cp1252\ns = '\x81'\n"),
            "encoding problem: cp1252"
        );
        assert_eq!(
            error(b"\xef\xbb\xbf# coding: latin-1\n"),
            "encoding problem: iso-8859-1 with BOM"
        );
        let no_declaration = decode_error(b"x = 1\ns = 'caf\xe9'\n");
        assert_eq!(no_declaration.offset, 14);
        assert_eq!(
            no_declaration.message,
            "Non-UTF-8 code starting with '\\xe9' on line 2, but no encoding declared; see \
             https://peps.python.org/pep-0263/ for details"
        );
    }

    #[test]
    fn encoding_back() {
        assert_eq!(SourceEncoding::Latin1.encode("é"), Some(vec![0xe9]));
        assert_eq!(SourceEncoding::Latin1.encode("€"), None);
        assert_eq!(SourceEncoding::Ascii.encode("é"), None);
        let cp1252 = lookup("CP1252").unwrap();
        assert_eq!(cp1252.encode("€"), Some(vec![0x80]));
        assert_eq!(cp1252.name(), "cp1252");
    }
}
