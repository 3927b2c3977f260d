//! The search walk of a pod's resolver (glibc or musl rules): which
//! candidates it asks, in which order, and when it stops.

use super::fqdn::{split_validated, Fqdn, NameError};

/// Which libc's search rules to replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolverRules {
    Glibc,
    Musl,
}

impl ResolverRules {
    pub fn as_str(self) -> &'static str {
        match self {
            ResolverRules::Glibc => "glibc",
            ResolverRules::Musl => "musl",
        }
    }
}

/// One name a resolver would try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub fqdn: Fqdn,
    /// The name as typed (not completed with a search domain).
    pub as_is: bool,
}

/// The result of asking for one candidate (an A+AAAA pair), as the walk
/// judges it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// At least one address.
    Answer,
    NxDomain,
    NoData,
    ServFail,
    /// REFUSED, NOTIMP, FORMERR, ...
    OtherRcode,
    Timeout,
    /// The server port was closed (ICMP port unreachable / RST).
    ConnRefused,
    /// Malformed reply or other network error.
    Error,
}

/// What the walk does after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Query the next candidate.
    Continue,
    /// Stop here; the name resolved.
    Found,
    /// Stop here; resolution failed.
    Fail,
}

/// A replay of a pod resolver's search walk (spec §5.2–5.4).
#[derive(Clone, Debug)]
pub struct SearchWalk {
    pub rules: ResolverRules,
    pub ndots: u8,
    pub dots: usize,
    pub candidates: Vec<Candidate>,
    as_is_first: bool,
    trailing_dot: bool,
}

impl SearchWalk {
    /// Plans the walk of `input` under `rules`. `search` is the list the
    /// resolver uses (the caller applies musl's 255-character line limit).
    pub fn plan(
        input: &str,
        search: &[Fqdn],
        ndots: u8,
        rules: ResolverRules,
    ) -> Result<SearchWalk, NameError> {
        let (labels, trailing_dot) = split_validated(input)?;
        let name = Fqdn::from_labels(labels);
        let dots = input.trim_end_matches('.').matches('.').count();
        let ndots = ndots.min(15);
        let as_is_first = trailing_dot || dots >= ndots as usize;
        let as_is = Candidate {
            fqdn: name.clone(),
            as_is: true,
        };
        let suffixed = || {
            search
                .iter()
                .filter_map(|d| name.join(d).ok())
                .map(|fqdn| Candidate { fqdn, as_is: false })
        };
        let candidates: Vec<Candidate> = match (rules, trailing_dot, as_is_first) {
            (_, true, _) => vec![as_is],
            (ResolverRules::Musl, _, true) => vec![as_is],
            (ResolverRules::Glibc, _, true) => std::iter::once(as_is).chain(suffixed()).collect(),
            (_, _, false) => suffixed().chain(std::iter::once(as_is)).collect(),
        };
        Ok(SearchWalk {
            rules,
            ndots,
            dots,
            candidates,
            as_is_first,
            trailing_dot,
        })
    }

    /// What the resolver does after candidate `index` gave `result`.
    pub fn next(&self, index: usize, result: StepResult) -> Next {
        let last = index + 1 >= self.candidates.len();
        if result == StepResult::Answer {
            return Next::Found;
        }
        let decision = match self.rules {
            ResolverRules::Musl => match result {
                StepResult::NxDomain => Next::Continue,
                _ => Next::Fail,
            },
            ResolverRules::Glibc => {
                let cand = &self.candidates[index];
                if cand.as_is && self.as_is_first {
                    // Tried as is first: any failure goes on to the search list.
                    if self.trailing_dot {
                        Next::Fail
                    } else {
                        Next::Continue
                    }
                } else if cand.as_is {
                    Next::Fail
                } else {
                    match result {
                        StepResult::NxDomain | StepResult::NoData | StepResult::ServFail => {
                            Next::Continue
                        }
                        StepResult::ConnRefused => Next::Fail,
                        // Other errors end the search list, but glibc still
                        // tries the name as is if it has not yet.
                        _ => return self.skip_to_as_is(index),
                    }
                }
            }
        };
        match decision {
            Next::Continue if last => Next::Fail,
            d => d,
        }
    }

    fn skip_to_as_is(&self, index: usize) -> Next {
        if !self.as_is_first && index + 1 < self.candidates.len() {
            Next::Continue
        } else {
            Next::Fail
        }
    }

    /// For glibc, the index of the candidate to ask after `index` when the
    /// search list was abandoned (only the final as-is remains).
    pub fn next_index(&self, index: usize, result: StepResult) -> Option<usize> {
        match self.next(index, result) {
            Next::Continue => {
                let abandon = self.rules == ResolverRules::Glibc
                    && !self.candidates[index].as_is
                    && !matches!(
                        result,
                        StepResult::NxDomain | StepResult::NoData | StepResult::ServFail
                    );
                if abandon {
                    Some(self.candidates.len() - 1)
                } else {
                    Some(index + 1)
                }
            }
            _ => None,
        }
    }
}
