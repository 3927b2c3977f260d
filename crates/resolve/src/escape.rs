//! Escaping of text that came from the network before it reaches a terminal.
//!
//! DNS names are rendered in presentation format from their raw label bytes
//! ([`label`]), so an ESC byte in a PTR or SRV target becomes `\027` and can
//! never colour or move the terminal. [`term`] is the second line of defence
//! for any other string (TXT data, error messages quoting a name): C0/C1
//! controls, DEL, bidi overrides and zero-width characters are escaped.

use std::fmt::Write as _;

/// Renders one DNS label the way zone files and dig do: printable ASCII as
/// is (with `.`, `\`, `"`, `(`, `)`, `;`, `@` and `$` backslash-escaped),
/// every other byte as `\DDD` (three decimal digits). The result is pure
/// printable ASCII.
pub fn label(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    push_label_bytes(&mut out, bytes);
    String::from_utf8(out).expect("presentation form is ASCII")
}

/// Appends the presentation form of a label to `out`.
pub(crate) fn push_label(out: &mut String, bytes: &[u8]) {
    let mut v = Vec::with_capacity(bytes.len());
    push_label_bytes(&mut v, bytes);
    out.push_str(std::str::from_utf8(&v).expect("presentation form is ASCII"));
}

/// Appends the presentation form of a label to a byte buffer: always
/// printable ASCII, so a buffer of such labels is valid UTF-8. Names are
/// built as bytes and checked once: a `from_utf8` per label was 110
/// instructions of the 1,700 a target name took to render (callgrind,
/// 1000 SRV targets).
pub(crate) fn push_label_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
    {
        // The common case: a hostname label, copied as is.
        out.extend_from_slice(bytes);
        return;
    }
    for &b in bytes {
        match b {
            b'.' | b'\\' | b'"' | b'(' | b')' | b';' | b'@' | b'$' => {
                out.push(b'\\');
                out.push(b);
            }
            0x21..=0x7e => out.push(b),
            _ => {
                out.push(b'\\');
                out.extend_from_slice(&[b'0' + b / 100, b'0' + b / 10 % 10, b'0' + b % 10]);
            }
        }
    }
}

/// Whether a character must not reach a terminal unescaped.
fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'   // zero-width, LRM/RLM
            | '\u{2028}'..='\u{202E}' // separators, bidi embeddings/overrides
            | '\u{2060}'..='\u{2069}' // word joiner, bidi isolates
            | '\u{FEFF}')
}

/// Escapes dangerous characters as `\xHH` (ASCII controls) or `\u{…}`.
/// Plain text passes through without allocation-heavy work.
pub fn term(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_dangerous) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_dangerous(c) {
            if (c as u32) < 0x80 {
                let _ = write!(out, "\\x{:02x}", c as u32);
            } else {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Makes serialized JSON safe for a terminal without changing its meaning:
/// characters that JSON allows raw inside strings but a terminal interprets
/// (C1 controls, bidi, zero-width) are rewritten as `\uXXXX` escapes, which
/// every JSON parser decodes back to the same character.
pub fn json(s: String) -> String {
    if !s.chars().any(is_dangerous_json) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_dangerous_json(c) {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn is_dangerous_json(c: char) -> bool {
    // serde_json already escapes U+0000..U+001F; newlines between tokens are ours.
    c != '\n' && is_dangerous(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_escapes_control_and_special_bytes() {
        assert_eq!(label(b"web-0"), "web-0");
        assert_eq!(label(b"\x1b[31mred"), "\\027[31mred");
        assert_eq!(label(b"a.b"), "a\\.b");
        assert_eq!(label(b"a\\b"), "a\\\\b");
        assert_eq!(label(b"caf\xc3\xa9"), "caf\\195\\169");
        assert_eq!(label(b"sp ace"), "sp\\032ace");
    }

    #[test]
    fn term_escapes_controls_bidi_and_zero_width() {
        assert_eq!(term("plain"), "plain");
        assert_eq!(term("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(term("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(term("z\u{200b}"), "z\\u{200b}");
        assert_eq!(term("c1\u{9b}"), "c1\\u{9b}");
        assert_eq!(term("tab\t"), "tab\\x09");
    }

    #[test]
    fn json_escaping_keeps_meaning() {
        let raw = serde_json::to_string(&"a\u{9b}b\u{202e}c\x1b").unwrap();
        let safe = json(raw);
        assert!(!safe.chars().any(is_dangerous));
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "a\u{9b}b\u{202e}c\x1b");
    }
}
