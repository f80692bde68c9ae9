//! IP address sets as sorted, disjoint intervals: `ipBlock` is `cidr` minus every `except`.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    V4,
    V6,
}

/// A CIDR as the API server accepts it (host bits are masked off, as Go's ParseCIDR does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let (addr, prefix) = s.split_once('/').ok_or_else(|| {
            format!("invalid CIDR `{s}`: expected ADDRESS/PREFIX, such as 10.0.0.0/8")
        })?;
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("invalid CIDR `{s}`: `{addr}` is not an IP address"))?;
        let max = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= max && !prefix.starts_with('+'))
            .ok_or_else(|| format!("invalid CIDR `{s}`: the prefix length must be 0 to {max}"))?;
        Ok(Cidr { addr, prefix })
    }

    pub fn family(&self) -> Family {
        family_of(self.addr)
    }

    pub fn range(&self) -> IpRange {
        let (family, bits, v) = split(self.addr);
        let host_bits = bits - u32::from(self.prefix);
        let mask: u128 = if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        let start = v & !mask;
        IpRange {
            family,
            start,
            end: start | mask,
        }
    }

    pub fn contains(&self, other: &Cidr) -> bool {
        let (a, b) = (self.range(), other.range());
        a.family == b.family && a.start <= b.start && b.end <= a.end
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.range();
        write!(f, "{}/{}", to_addr(r.family, r.start), self.prefix)
    }
}

pub fn family_of(a: IpAddr) -> Family {
    match a {
        IpAddr::V4(_) => Family::V4,
        IpAddr::V6(_) => Family::V6,
    }
}

fn split(a: IpAddr) -> (Family, u32, u128) {
    match a {
        IpAddr::V4(v) => (Family::V4, 32, u128::from(u32::from(v))),
        IpAddr::V6(v) => (Family::V6, 128, u128::from(v)),
    }
}

fn to_addr(f: Family, v: u128) -> IpAddr {
    match f {
        // Truncation is exact: V4 values never exceed u32::MAX.
        Family::V4 => IpAddr::V4(Ipv4Addr::from(v as u32)),
        Family::V6 => IpAddr::V6(Ipv6Addr::from(v)),
    }
}

/// An inclusive interval of addresses of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpRange {
    pub family: Family,
    pub start: u128,
    pub end: u128,
}

impl IpRange {
    pub fn contains(&self, a: IpAddr) -> bool {
        let (f, _, v) = split(a);
        f == self.family && self.start <= v && v <= self.end
    }

    pub fn first(&self) -> IpAddr {
        to_addr(self.family, self.start)
    }

    /// The fewest CIDRs that cover exactly this range.
    pub fn to_cidrs(&self) -> Vec<Cidr> {
        let bits: u32 = match self.family {
            Family::V4 => 32,
            Family::V6 => 128,
        };
        let mut out = Vec::new();
        let mut cur = self.start;
        loop {
            // Largest block aligned at `cur` that stays inside the range.
            let mut size_bits = if cur == 0 {
                bits
            } else {
                cur.trailing_zeros().min(bits)
            };
            while size_bits > 0 {
                let last = cur.checked_add(if size_bits >= 128 {
                    u128::MAX
                } else {
                    (1u128 << size_bits) - 1
                });
                match last {
                    Some(l) if l <= self.end => break,
                    _ => size_bits -= 1,
                }
            }
            out.push(Cidr {
                addr: to_addr(self.family, cur),
                prefix: (bits - size_bits) as u8,
            });
            let last = if size_bits >= 128 {
                u128::MAX
            } else {
                cur + ((1u128 << size_bits) - 1)
            };
            if last >= self.end {
                break;
            }
            cur = last + 1;
        }
        out
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cidrs = self.to_cidrs();
        if cidrs.len() == 1 {
            write!(f, "{}", cidrs[0])
        } else {
            write!(
                f,
                "{}-{}",
                to_addr(self.family, self.start),
                to_addr(self.family, self.end)
            )
        }
    }
}

/// A set of addresses: sorted, disjoint, non-adjacent intervals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct IpSet {
    ranges: Vec<IpRange>,
}

impl IpSet {
    pub fn empty() -> Self {
        IpSet::default()
    }

    pub fn from_range(r: IpRange) -> Self {
        IpSet { ranges: vec![r] }
    }

    /// `cidr` minus every `except`.
    pub fn from_block(cidr: &Cidr, except: &[Cidr]) -> Self {
        let mut set = IpSet::from_range(cidr.range());
        for e in except {
            set = set.subtract(&IpSet::from_range(e.range()));
        }
        set
    }

    pub fn ranges(&self) -> &[IpRange] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn contains(&self, a: IpAddr) -> bool {
        let (f, _, v) = split(a);
        let key = (f, v);
        let idx = self.ranges.partition_point(|r| (r.family, r.end) < key);
        self.ranges
            .get(idx)
            .is_some_and(|r| r.family == f && r.start <= v)
    }

    pub fn union(&self, other: &IpSet) -> IpSet {
        let mut all: Vec<IpRange> = self.ranges.iter().chain(&other.ranges).copied().collect();
        all.sort();
        let mut out: Vec<IpRange> = Vec::with_capacity(all.len());
        for r in all {
            if let Some(last) = out.last_mut() {
                if last.family == r.family && r.start <= last.end.saturating_add(1) {
                    last.end = last.end.max(r.end);
                    continue;
                }
            }
            out.push(r);
        }
        IpSet { ranges: out }
    }

    pub fn subtract(&self, other: &IpSet) -> IpSet {
        let mut out = Vec::new();
        for r in &self.ranges {
            let mut pieces = vec![*r];
            for o in other.ranges.iter().filter(|o| o.family == r.family) {
                let mut next = Vec::new();
                for p in pieces {
                    if o.end < p.start || o.start > p.end {
                        next.push(p);
                        continue;
                    }
                    if o.start > p.start {
                        next.push(IpRange {
                            end: o.start - 1,
                            ..p
                        });
                    }
                    if o.end < p.end {
                        next.push(IpRange {
                            start: o.end + 1,
                            ..p
                        });
                    }
                }
                pieces = next;
            }
            out.extend(pieces);
        }
        IpSet { ranges: out }
    }

    pub fn intersect(&self, other: &IpSet) -> IpSet {
        let mut out = Vec::new();
        for a in &self.ranges {
            for b in other.ranges.iter().filter(|b| b.family == a.family) {
                let start = a.start.max(b.start);
                let end = a.end.min(b.end);
                if start <= end {
                    out.push(IpRange {
                        family: a.family,
                        start,
                        end,
                    });
                }
            }
        }
        IpSet { ranges: out }.union(&IpSet::empty())
    }
}

impl fmt::Display for IpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.ranges.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn block_minus_except() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        let e = Cidr::parse("10.1.0.0/16").unwrap();
        let s = IpSet::from_block(&c, &[e]);
        assert!(s.contains(ip("10.0.0.1")));
        assert!(!s.contains(ip("10.1.2.3")));
        assert!(s.contains(ip("10.2.0.0")));
        assert!(!s.contains(ip("11.0.0.0")));
        assert!(!s.contains(ip("::1")));
    }

    #[test]
    fn ipv6_blocks() {
        let c = Cidr::parse("2001:db8::/32").unwrap();
        let s = IpSet::from_block(&c, &[Cidr::parse("2001:db8:1::/48").unwrap()]);
        assert!(s.contains(ip("2001:db8::1")));
        assert!(!s.contains(ip("2001:db8:1::1")));
        assert!(!s.contains(ip("10.0.0.1")));
        let all = IpSet::from_block(&Cidr::parse("::/0").unwrap(), &[]);
        assert!(all.contains(ip("ffff::1")));
    }

    #[test]
    fn host_bits_are_masked() {
        let c = Cidr::parse("10.1.2.3/8").unwrap();
        assert_eq!(c.to_string(), "10.0.0.0/8");
    }

    #[test]
    fn bad_cidrs() {
        assert!(Cidr::parse("10.0.0.0").is_err());
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("300.0.0.0/8").is_err());
        assert!(Cidr::parse("::/129").is_err());
    }

    #[test]
    fn ranges_print_as_cidrs() {
        let s = IpSet::from_block(
            &Cidr::parse("0.0.0.0/0").unwrap(),
            &[Cidr::parse("10.0.0.0/8").unwrap()],
        );
        assert_eq!(s.ranges()[0].to_cidrs().len(), 2);
        assert_eq!(s.ranges()[0].to_string(), "0.0.0.0-9.255.255.255");
        assert_eq!(s.ranges()[1].to_string(), "11.0.0.0-255.255.255.255");
        let full = IpSet::from_block(&Cidr::parse("::/0").unwrap(), &[]);
        assert_eq!(full.to_string(), "::/0");
    }
}
