//! Absolute DNS names as validated ASCII labels, and why a name is rejected.

use std::fmt;

/// Longest name in text form, without the trailing dot (RFC 1035 wire
/// limit of 255 octets).
pub(crate) const MAX_NAME: usize = 253;
/// Longest label in octets.
pub(crate) const MAX_LABEL: usize = 63;

/// An absolute DNS name held as validated ASCII labels.
///
/// Labels hold letters, digits, `-` and `_` only, each 1 to 63 octets, the
/// whole name at most 253 characters without the trailing dot. Case is
/// kept as given; [`Fqdn::ends_with`] compares case-insensitively, `==`
/// does not. [`Display`](fmt::Display) gives the absolute form with the
/// trailing dot (`web.ns.svc.cluster.local.`, the root as `.`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fqdn {
    labels: Vec<String>,
}

impl Fqdn {
    /// The root name `.`.
    pub fn root() -> Self {
        Fqdn { labels: Vec::new() }
    }

    /// Builds an absolute name from labels that the caller validated.
    pub(crate) fn from_labels<I: IntoIterator<Item = S>, S: Into<String>>(labels: I) -> Self {
        Fqdn {
            labels: labels.into_iter().map(Into::into).collect(),
        }
    }

    /// Parses and validates a name; a trailing dot is optional.
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let (labels, _) = split_validated(text)?;
        Ok(Fqdn { labels })
    }

    /// The labels, leftmost first, without dots; empty for the root.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// `self` followed by `suffix` (both absolute; the result too).
    pub fn join(&self, suffix: &Fqdn) -> Result<Fqdn, NameError> {
        let mut labels = self.labels.clone();
        labels.extend(suffix.labels.iter().cloned());
        let name = Fqdn { labels };
        let len = name.text_len();
        if len > MAX_NAME {
            return Err(NameError::TooLong(len));
        }
        Ok(name)
    }

    /// Length of the text form without the trailing dot.
    pub(crate) fn text_len(&self) -> usize {
        if self.labels.is_empty() {
            return 0;
        }
        self.labels.iter().map(String::len).sum::<usize>() + self.labels.len() - 1
    }

    /// Whether `self` ends with `suffix` (case-insensitive, label-wise).
    pub fn ends_with(&self, suffix: &[String]) -> bool {
        suffix.len() <= self.labels.len()
            && self.labels[self.labels.len() - suffix.len()..]
                .iter()
                .zip(suffix)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }
}

impl fmt::Display for Fqdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.labels.is_empty() {
            return f.write_str(".");
        }
        for l in &self.labels {
            f.write_str(l)?;
            f.write_str(".")?;
        }
        Ok(())
    }
}

/// Why a name was rejected before any query was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
///
/// [`Display`](fmt::Display) gives one line for the user; it escapes what
/// the user typed, so a control character in a name cannot reach the
/// terminal raw.
pub enum NameError {
    /// The name is the empty string.
    Empty,
    /// Two dots in a row, or a leading dot.
    EmptyLabel,
    /// A label longer than 63 octets; carries the label.
    LabelTooLong(String),
    /// The name is longer than 253 characters (without the trailing dot);
    /// carries its length.
    TooLong(usize),
    /// A character other than an ASCII letter, digit, `-` or `_`.
    BadChar {
        /// The first offending character.
        ch: char,
        /// The label it is in, as typed.
        label: String,
    },
    /// A valid name that cannot be used here; the text says why and is
    /// shown as is.
    Unsupported(String),
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => write!(f, "empty name"),
            NameError::EmptyLabel => write!(f, "empty label (two dots in a row, or a leading dot)"),
            NameError::LabelTooLong(l) => write!(
                f,
                "label '{}…' is {} octets long; DNS allows at most {MAX_LABEL}",
                &l[..20.min(l.len())],
                l.len()
            ),
            NameError::TooLong(n) => {
                write!(f, "name is {n} characters long; DNS allows at most {MAX_NAME}")
            }
            NameError::BadChar { ch, label } => write!(
                f,
                "character {} in label '{}' cannot be used: names take letters, digits, '-' and '_'",
                crate::escape::term(&format!("{ch:?}")),
                crate::escape::term(label)
            ),
            NameError::Unsupported(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for NameError {}

/// Splits a name into validated labels; returns whether it was absolute.
pub(super) fn split_validated(text: &str) -> Result<(Vec<String>, bool), NameError> {
    if text.is_empty() {
        return Err(NameError::Empty);
    }
    if text == "." {
        return Ok((Vec::new(), true));
    }
    let absolute = text.ends_with('.');
    let body = if absolute {
        &text[..text.len() - 1]
    } else {
        text
    };
    if body.len() > MAX_NAME {
        return Err(NameError::TooLong(body.len()));
    }
    let mut labels = Vec::new();
    for label in body.split('.') {
        if label.is_empty() {
            return Err(NameError::EmptyLabel);
        }
        if let Some(ch) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(NameError::BadChar {
                ch,
                label: label.to_string(),
            });
        }
        if label.len() > MAX_LABEL {
            return Err(NameError::LabelTooLong(label.to_string()));
        }
        labels.push(label.to_string());
    }
    Ok((labels, absolute))
}
