//! Exit codes: one enum, documented in README and the man page.

use std::fmt;

/// What the process tells its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// resolve: at least one address; diff: identical; check: healthy.
    Ok = 0,
    /// resolve: no address (NXDOMAIN or NODATA); diff: different;
    /// check: fewer healthy endpoints than required.
    Negative = 1,
    /// Bad usage or input (also a rejected name), before any query.
    Usage = 2,
    /// DNS failure: timeout after all attempts, SERVFAIL, REFUSED, network
    /// error, malformed answer.
    DnsFailure = 3,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// An error that ends the command with a given exit code and one line on
/// stderr.
#[derive(Debug)]
pub struct Fail {
    pub exit: Exit,
    pub message: String,
}

impl Fail {
    pub fn usage(message: impl Into<String>) -> Self {
        Fail {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    pub fn dns(message: impl Into<String>) -> Self {
        Fail {
            exit: Exit::DnsFailure,
            message: message.into(),
        }
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Fail {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(Exit::Ok as u8, 0);
        assert_eq!(Exit::Negative as u8, 1);
        assert_eq!(Exit::Usage as u8, 2);
        assert_eq!(Exit::DnsFailure as u8, 3);
    }
}
