//! Hubble flow logs: policies recommended from observed traffic (`recommend`), and every
//! dropped connection explained against the manifests (`drops`).
//!
//! `parse` reads one `hubble observe -o json` line into borrowed structs, `stream` scans
//! a (possibly gzip) log line by line with bounded memory, `event` reads ports,
//! direction and replies, `resolve` matches flow ends to the manifests' workloads.

mod cidrs;
mod drops;
mod event;
mod expect;
mod intent_text;
mod parse;
mod plan;
mod recommend;
mod resolve;
mod selector;
mod stream;

pub use drops::{Drop, DropCollector, DropEnd, DropKey, DropReport, Nearest};
pub use event::{direction, is_policy_drop, is_reply, time, transport, Transport, EPHEMERAL_START};
pub use expect::{expectations, OUTSIDER_IP};
pub use intent_text::intent_text;
pub use parse::{parse_line, HubbleEndpoint, HubbleFlow, Line};
pub use plan::{Allowed, Recommendation, WorkloadInfo, SKIP_UNPROTECTED, SKIP_UNSELECTABLE};
pub use recommend::{
    Connection, End, RecommendOptions, Recommender, Seen, Summary, SKIP_EPHEMERAL, SKIP_L4,
    SKIP_NO_ADDRESS, SKIP_NO_POD, SKIP_PROBE, SKIP_REPLY, SKIP_UNKNOWN_POD,
};
pub use resolve::{Party, Resolver, Unit, UnitId, Unresolved};
pub use stream::{open, scan, FlowLine, LineCounts, Malformed, MALFORMED_SAMPLES, MAX_LINE_BYTES};
