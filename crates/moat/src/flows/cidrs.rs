//! External addresses as CIDRs: one host each, or with grouping the narrowest network over
//! the addresses seen in one /24 (IPv4) or /64 (IPv6), never wider, so that a grouped
//! rule opens no more than a reviewer can see in its comments.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use crate::model::Cidr;

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v) => u128::from(u32::from(v)),
        IpAddr::V6(v) => u128::from(v),
    }
}

/// The CIDR each external address is allowed as.
pub fn cidrs(ips: &[IpAddr], group: bool) -> HashMap<IpAddr, Cidr> {
    let host = |ip: IpAddr| Cidr {
        addr: ip,
        prefix: if ip.is_ipv4() { 32 } else { 128 },
    };
    let mut out: HashMap<IpAddr, Cidr> = ips.iter().map(|&ip| (ip, host(ip))).collect();
    if !group {
        return out;
    }
    let mut buckets: BTreeMap<(bool, u128), Vec<IpAddr>> = BTreeMap::new();
    for &ip in ips {
        let (v4, bits, widest) = if ip.is_ipv4() {
            (true, 32, 24)
        } else {
            (false, 128, 64)
        };
        buckets
            .entry((v4, to_u128(ip) >> (bits - widest)))
            .or_default()
            .push(ip);
    }
    for ((v4, _), list) in buckets {
        if list.len() < 2 {
            continue;
        }
        let bits: u32 = if v4 { 32 } else { 128 };
        let lo = list.iter().map(|&i| to_u128(i)).min().unwrap_or(0);
        let hi = list.iter().map(|&i| to_u128(i)).max().unwrap_or(0);
        let diff = lo ^ hi;
        let varying = 128 - diff.leading_zeros();
        let prefix = bits - varying;
        let net = if varying >= 128 {
            0
        } else {
            lo >> varying << varying
        };
        let addr = if v4 {
            IpAddr::from(std::net::Ipv4Addr::from(net as u32))
        } else {
            IpAddr::from(std::net::Ipv6Addr::from(net))
        };
        for ip in list {
            out.insert(
                ip,
                Cidr {
                    addr,
                    prefix: prefix as u8,
                },
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn addresses_stay_single_unless_grouped_and_groups_never_pass_a_slash_24() {
        let ips = [
            ip("198.51.100.7"),
            ip("198.51.100.9"),
            ip("203.0.113.1"),
            ip("2001:db8::1"),
        ];
        let single = cidrs(&ips, false);
        assert_eq!(single[&ip("198.51.100.7")].to_string(), "198.51.100.7/32");
        assert_eq!(single[&ip("2001:db8::1")].to_string(), "2001:db8::1/128");
        let grouped = cidrs(&ips, true);
        assert_eq!(grouped[&ip("198.51.100.7")].to_string(), "198.51.100.0/28");
        assert_eq!(grouped[&ip("198.51.100.9")].to_string(), "198.51.100.0/28");
        assert_eq!(grouped[&ip("203.0.113.1")].to_string(), "203.0.113.1/32");
    }
}
