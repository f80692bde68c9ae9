//! Address ranges of the matrix as an intent writes them: CIDRs (it has no `except`),
//! with the ipBlock reading of the same range for the reviewer.

use crate::model::{Cidr, Family, IpRange};

/// A CIDR as a flow writes it: IPv6 in brackets (`[2001:db8::/32]:443`).
pub(super) fn cidr_text(c: &Cidr) -> String {
    match c.family() {
        Family::V4 => c.to_string(),
        Family::V6 => format!("[{c}]"),
    }
}

/// Sorted ranges with adjacent ones merged.
fn merged(ranges: &[IpRange]) -> Vec<IpRange> {
    let mut out: Vec<IpRange> = Vec::new();
    let mut sorted = ranges.to_vec();
    sorted.sort();
    for r in sorted {
        match out.last_mut() {
            Some(last) if last.family == r.family && last.end.checked_add(1) == Some(r.start) => {
                last.end = r.end;
            }
            _ => out.push(r),
        }
    }
    out
}

/// Address ranges as the fewest CIDRs.
pub(super) fn cidrs(ranges: &[IpRange]) -> Vec<Cidr> {
    merged(ranges).iter().flat_map(|r| r.to_cidrs()).collect()
}

/// The same addresses as an ipBlock would say them (`0.0.0.0/0 except 10.0.0.0/8`), when
/// that is shorter than the CIDR list an intent needs (it has no `except`).
pub(super) fn as_ip_blocks(ranges: &[IpRange]) -> Option<String> {
    let ranges = merged(ranges);
    let mut parts = Vec::new();
    let mut listed = 0;
    for (family, all, max) in [
        (Family::V4, "0.0.0.0/0", u128::from(u32::MAX)),
        (Family::V6, "::/0", u128::MAX),
    ] {
        let mine: Vec<&IpRange> = ranges.iter().filter(|r| r.family == family).collect();
        if mine.is_empty() {
            continue;
        }
        listed += mine.iter().map(|r| r.to_cidrs().len()).sum::<usize>();
        // The gaps between the ranges, within the family's whole space.
        let mut gaps = Vec::new();
        let mut next = 0u128;
        for r in &mine {
            if r.start > next {
                gaps.push(IpRange {
                    family,
                    start: next,
                    end: r.start - 1,
                });
            }
            next = r.end.saturating_add(1);
        }
        if mine.last().is_some_and(|r| r.end < max) {
            gaps.push(IpRange {
                family,
                start: next,
                end: max,
            });
        }
        let except: Vec<String> = gaps
            .iter()
            .flat_map(|g| g.to_cidrs())
            .map(|c| c.to_string())
            .collect();
        parts.push(if except.is_empty() {
            all.to_string()
        } else {
            format!("{all} except {}", except.join(", "))
        });
    }
    let words: usize = parts.iter().map(|p| p.split(", ").count()).sum();
    (words < listed).then(|| parts.join("; "))
}
