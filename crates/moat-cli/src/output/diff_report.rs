//! What every diff writer reads: the diff, the two sides' names, and the gate.

use moat::diff::{Diff, Entry, EntryKind, SideBlame};
use moat::matrix::GroupBy;

use crate::cli::FailOn;

pub struct Report<'a> {
    pub diff: &'a Diff,
    /// How each side was read (`examples/x`, `origin/main:k8s/`).
    pub old: String,
    pub new: String,
    pub gate: Gate,
}

/// The outcome of `--fail-on`.
pub struct Gate {
    pub fail_on: Option<FailOn>,
    /// Entries that fail the gate.
    pub failing: usize,
    /// Opening entries that `--allow` excused.
    pub excused: usize,
}

impl Gate {
    pub fn failed(&self) -> bool {
        self.failing > 0
    }

    pub fn word(&self) -> Option<&'static str> {
        self.fail_on.map(fail_on_word)
    }
}

pub fn fail_on_word(f: FailOn) -> &'static str {
    match f {
        FailOn::Opened => "opened",
        FailOn::Closed => "closed",
        FailOn::Any => "any",
    }
}

/// Whether an entry fails a gate of this kind.
pub fn fails(e: &Entry, f: FailOn) -> bool {
    let opens = e.opens() && !e.excused;
    match f {
        FailOn::Opened => opens,
        FailOn::Closed => e.closes(),
        FailOn::Any => opens || e.closes() || (!e.opens() && !e.closes()),
    }
}

pub fn kind_word(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Added => "added",
        EntryKind::Removed => "removed",
        EntryKind::Changed => "changed",
    }
}

pub fn group_name(by: GroupBy) -> &'static str {
    super::group_word(by)
}

/// `allowed by a (ingress), b (egress)`, `denied: isolated by a (ingress) with no rule allowing it`.
pub fn side_text(s: &Option<SideBlame>) -> String {
    let Some(s) = s else {
        return "not computed".to_string();
    };
    let by: Vec<&str> = s
        .tier_rules
        .iter()
        .chain(&s.policies)
        .map(String::as_str)
        .collect();
    match s.allowed {
        None => "absent (an end does not exist)".to_string(),
        Some(true) if by.is_empty() => "allowed (no policy isolates either end)".to_string(),
        Some(true) => format!("allowed by {}", by.join(", ")),
        Some(false) if s.tier_rules.is_empty() => format!(
            "denied: isolated by {}, no rule of which allows it",
            s.policies.join(", ")
        ),
        Some(false) if s.policies.is_empty() => {
            format!("denied by {}", s.tier_rules.join(", "))
        }
        Some(false) => format!(
            "denied by {}; isolated by {}, no rule of which allows it",
            s.tier_rules.join(", "),
            s.policies.join(", ")
        ),
    }
}

/// `+`, `-` or `~`, for text.
pub fn sign(k: EntryKind) -> char {
    match k {
        EntryKind::Added => '+',
        EntryKind::Removed => '-',
        EntryKind::Changed => '~',
    }
}

/// Pair coverage when the matrix would print it: `3 of 4 pairs, ports differ by pair`.
pub fn coverage(c: &moat::diff::Conn) -> Option<String> {
    super::variation(c.uniform, c.pairs, c.total, c.same_ports)
}

/// The ports of one side of an entry, with coverage: `TCP 80 (1 of 2 pairs)`, or `none`.
pub fn side_ports(c: Option<&moat::diff::Conn>) -> String {
    match c {
        None => "none".to_string(),
        Some(c) => match coverage(c) {
            Some(v) => format!("{} ({v})", c.ports),
            None => c.ports.to_string(),
        },
    }
}

/// `production/frontend → production/cache TCP 6379`.
pub fn probe_text(p: &moat::diff::Probe) -> String {
    format!("{} → {} {} {}", p.from, p.to, p.protocol, p.port)
}

/// The ports of an entry: `TCP 80` (added or removed), `TCP 80,443 → TCP 443; closed TCP 80`.
pub fn ports_cell(e: &Entry) -> String {
    match e.kind {
        EntryKind::Added => side_ports(e.after.as_ref()),
        EntryKind::Removed => side_ports(e.before.as_ref()),
        EntryKind::Changed => {
            let mut s = format!(
                "{} → {}",
                side_ports(e.before.as_ref()),
                side_ports(e.after.as_ref())
            );
            if !e.opened.is_empty() {
                s.push_str(&format!("; opened {}", e.opened));
            }
            if !e.closed.is_empty() {
                s.push_str(&format!("; closed {}", e.closed));
            }
            s
        }
    }
}
