//! `ClientAddr`, whom a request comes from: the one address every
//! per-connection limit counts against and the audit trail records as the
//! source. Handlers take it instead of the socket's peer address, which
//! behind a reverse proxy is the proxy's and would make every limit one
//! national bucket.
//!
//! The rules:
//! - A connection from outside `USAJILI_TRUSTED_PROXIES` is its own client,
//!   whatever headers it sends (anyone can write `X-Forwarded-For`).
//! - A connection from a trusted proxy is believed about whom it forwards,
//!   in the one header `USAJILI_FORWARDED_HEADER` names. Each proxy appends
//!   the address it was connected from, so the list is read from the right:
//!   the client is the right-most address that is not itself a trusted
//!   proxy. Entries to its left were written by the client and are never
//!   read. If every address is a trusted proxy, the left-most is the client.
//! - A header that is missing, or that cannot be read as far as the client
//!   entry, leaves the proxy's own address: one bucket for everyone behind
//!   a misconfigured proxy, never a bucket an attacker chooses.
//! - An IPv4-mapped IPv6 address is its IPv4 address. An IPv6 client is its
//!   /64, the block one household or phone is given, so that stepping
//!   through one's own addresses does not give fresh buckets.

use crate::config::{ForwardedHeader, TrustedProxies};
use crate::http::AppState;
use crate::http::page::PageError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{HeaderMap, header, request::Parts};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The client a request counts for: an IPv4 address, or an IPv6 /64
/// (shown as `2001:db8:1:2::/64`). Its `Display` form is the key limits
/// and the audit trail use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddr(IpAddr);

impl ClientAddr {
    /// The client of a connection from `peer` that carried `headers`.
    pub fn resolve(
        peer: IpAddr,
        headers: &HeaderMap,
        trusted: &TrustedProxies,
        header: ForwardedHeader,
    ) -> Self {
        let peer = peer.to_canonical();
        let forwarded = if trusted.contains(peer) {
            hops(headers, header).and_then(|hops| client_among(&hops, trusted))
        } else {
            None
        };
        Self::bucket(forwarded.unwrap_or(peer))
    }

    fn bucket(address: IpAddr) -> Self {
        match address.to_canonical() {
            IpAddr::V4(v4) => ClientAddr(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !(u128::MAX >> 64);
                ClientAddr(IpAddr::V6(Ipv6Addr::from(network)))
            }
        }
    }

    /// The key for a limit or the audit trail.
    pub fn key(&self) -> String {
        self.to_string()
    }
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let ConnectInfo(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .ok_or_else(|| PageError::Internal(anyhow::anyhow!("served without connect info")))?;
        Ok(ClientAddr::resolve(
            peer.ip(),
            &parts.headers,
            &state.config.trusted_proxies,
            state.config.forwarded_header,
        ))
    }
}

/// The chain of addresses the proxies wrote, left (the first) to right (the
/// proxy nearest us), over every line of the header in order; `None` for a
/// hop that is no address (`unknown`, an obfuscated name, garbage). `None`
/// as a whole when the header is absent or unreadable.
fn hops(headers: &HeaderMap, header: ForwardedHeader) -> Option<Vec<Option<IpAddr>>> {
    let name = match header {
        ForwardedHeader::XForwardedFor => header::HeaderName::from_static("x-forwarded-for"),
        ForwardedHeader::Forwarded => header::FORWARDED,
    };
    let mut hops = Vec::new();
    for line in headers.get_all(name) {
        let line = line.to_str().ok()?;
        match header {
            ForwardedHeader::XForwardedFor => hops.extend(
                line.split(',')
                    .map(str::trim)
                    .filter(|entry| !entry.is_empty())
                    .map(node),
            ),
            ForwardedHeader::Forwarded => hops.extend(forwarded_for(line)?),
        }
    }
    (!hops.is_empty()).then_some(hops)
}

/// The right-most hop that is not a trusted proxy; the left-most if all
/// are; `None` if an unreadable hop comes first from the right.
fn client_among(hops: &[Option<IpAddr>], trusted: &TrustedProxies) -> Option<IpAddr> {
    for hop in hops.iter().rev() {
        let address = (*hop)?;
        if !trusted.contains(address) {
            return Some(address);
        }
    }
    hops.first().copied().flatten()
}

/// One node as proxies write it: `192.0.2.1`, `192.0.2.1:4711`,
/// `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn node(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<Ipv6Addr>().ok())
        .map(IpAddr::V6)
}

/// The `for=` node of each element of one `Forwarded` line (RFC 7239:
/// elements split by commas, pairs by semicolons, a value a token or a
/// quoted string). An element without `for=` is a hop with no address.
/// `None` if the line does not parse.
fn forwarded_for(line: &str) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    // The current element's `for=` node, once any pair of it is read.
    let mut element: Option<Option<IpAddr>> = None;
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        match rest.chars().next() {
            None => {
                hops.extend(element);
                return Some(hops);
            }
            Some(',') => {
                hops.extend(element.take());
                rest = &rest[1..];
                continue;
            }
            Some(';') => {
                rest = &rest[1..];
                continue;
            }
            Some(_) => {}
        }
        let (name, after) = rest.split_once('=')?;
        if name.contains([',', ';', '"']) {
            return None;
        }
        let (value, after) = match after.strip_prefix('"') {
            Some(quoted) => quoted_string(quoted)?,
            None => {
                let end = after.find([';', ',']).unwrap_or(after.len());
                (after[..end].trim().to_string(), &after[end..])
            }
        };
        let hop = element.get_or_insert(None);
        if name.trim().eq_ignore_ascii_case("for") {
            *hop = node(&value);
        }
        rest = after.trim_start();
        if !(rest.is_empty() || rest.starts_with([';', ','])) {
            return None;
        }
    }
}

/// A quoted string's value (after its opening quote) and what follows its
/// closing quote; `None` if it is never closed.
fn quoted_string(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((value, &text[at + 1..])),
            '\\' => value.push(chars.next()?.1),
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn trusting(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap()
    }

    fn headers(name: &str, lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(line).unwrap(),
            );
        }
        headers
    }

    fn client(peer: &str, trusted: &str, header: ForwardedHeader, map: &HeaderMap) -> String {
        ClientAddr::resolve(peer.parse().unwrap(), map, &trusting(trusted), header).key()
    }

    fn xff(peer: &str, trusted: &str, lines: &[&str]) -> String {
        let map = headers("x-forwarded-for", lines);
        client(peer, trusted, ForwardedHeader::XForwardedFor, &map)
    }

    fn fwd(peer: &str, trusted: &str, lines: &[&str]) -> String {
        let map = headers("forwarded", lines);
        client(peer, trusted, ForwardedHeader::Forwarded, &map)
    }

    #[test]
    fn an_untrusted_peer_is_its_own_client_whatever_it_says() {
        assert_eq!(xff("198.51.100.7", "", &["203.0.113.1"]), "198.51.100.7");
        assert_eq!(
            xff("198.51.100.7", "10.0.0.0/8", &["203.0.113.1"]),
            "198.51.100.7"
        );
        assert_eq!(
            fwd("198.51.100.7", "10.0.0.0/8", &["for=203.0.113.1"]),
            "198.51.100.7"
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client() {
        // The client forged the left-most entries; the proxy appended the
        // address it really saw.
        assert_eq!(
            xff("10.0.0.5", "10.0.0.0/8", &["1.1.1.1, 2.2.2.2, 203.0.113.9"]),
            "203.0.113.9"
        );
        // Two trusted proxies in a row are skipped.
        assert_eq!(
            xff(
                "10.0.0.5",
                "10.0.0.0/8",
                &["1.1.1.1, 203.0.113.9, 10.0.0.7, 10.1.2.3"]
            ),
            "203.0.113.9"
        );
    }

    #[test]
    fn every_line_of_the_header_counts_in_order() {
        assert_eq!(
            xff(
                "10.0.0.5",
                "10.0.0.0/8",
                &["1.1.1.1", "203.0.113.9, 10.0.0.7"]
            ),
            "203.0.113.9"
        );
        assert_eq!(
            xff(
                "10.0.0.5",
                "10.0.0.0/8",
                &["203.0.113.9, 10.0.0.7", "10.0.0.6"]
            ),
            "203.0.113.9"
        );
    }

    #[test]
    fn if_every_hop_is_a_trusted_proxy_the_left_most_is_the_client() {
        assert_eq!(
            xff("10.0.0.5", "10.0.0.0/8", &["10.9.9.9, 10.0.0.7"]),
            "10.9.9.9"
        );
    }

    #[test]
    fn a_missing_or_unreadable_header_leaves_the_proxy_itself() {
        assert_eq!(xff("10.0.0.5", "10.0.0.0/8", &[]), "10.0.0.5");
        assert_eq!(xff("10.0.0.5", "10.0.0.0/8", &[""]), "10.0.0.5");
        assert_eq!(
            xff("10.0.0.5", "10.0.0.0/8", &["1.1.1.1, not-an-address"]),
            "10.0.0.5"
        );
        // Garbage to the left of the client is never read.
        assert_eq!(
            xff("10.0.0.5", "10.0.0.0/8", &["garbage, 203.0.113.9"]),
            "203.0.113.9"
        );
        assert_eq!(
            fwd("10.0.0.5", "10.0.0.0/8", &["for=\"unclosed"]),
            "10.0.0.5"
        );
        assert_eq!(fwd("10.0.0.5", "10.0.0.0/8", &["for=unknown"]), "10.0.0.5");
        assert_eq!(fwd("10.0.0.5", "10.0.0.0/8", &["proto=https"]), "10.0.0.5");
    }

    #[test]
    fn ports_and_brackets_are_read_past() {
        assert_eq!(
            xff("10.0.0.5", "10.0.0.0/8", &["203.0.113.9:51234"]),
            "203.0.113.9"
        );
        assert_eq!(
            xff("10.0.0.5", "10.0.0.0/8", &["[2001:db8:1:2::9]:443"]),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            xff("10.0.0.5", "10.0.0.0/8", &["[2001:db8:1:2::9]"]),
            "2001:db8:1:2::/64"
        );
    }

    #[test]
    fn forwarded_reads_quotes_ports_brackets_and_other_parameters() {
        assert_eq!(
            fwd(
                "10.0.0.5",
                "10.0.0.0/8",
                &["for=1.1.1.1, for=\"[2001:db8:cafe::17]:4711\";proto=https;by=10.0.0.5"]
            ),
            "2001:db8:cafe::/64"
        );
        assert_eq!(
            fwd(
                "10.0.0.5",
                "10.0.0.0/8",
                &["For=\"203.0.113.9:8080\" ; Proto=http"]
            ),
            "203.0.113.9"
        );
        assert_eq!(
            fwd(
                "10.0.0.5",
                "10.0.0.0/8",
                &["for=1.1.1.1", "for=203.0.113.9;host=\"a,b\", for=10.0.0.7"]
            ),
            "203.0.113.9"
        );
    }

    #[test]
    fn only_the_configured_header_is_read() {
        let mut map = headers("forwarded", &["for=1.1.1.1"]);
        map.append("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        assert_eq!(
            client(
                "10.0.0.5",
                "10.0.0.0/8",
                ForwardedHeader::XForwardedFor,
                &map
            ),
            "203.0.113.9"
        );
        assert_eq!(
            client("10.0.0.5", "10.0.0.0/8", ForwardedHeader::Forwarded, &map),
            "1.1.1.1"
        );
        let only_forwarded = headers("forwarded", &["for=1.1.1.1"]);
        assert_eq!(
            client(
                "10.0.0.5",
                "10.0.0.0/8",
                ForwardedHeader::XForwardedFor,
                &only_forwarded
            ),
            "10.0.0.5"
        );
    }

    #[test]
    fn an_ipv6_client_is_its_64_and_a_mapped_ipv4_address_is_ipv4() {
        assert_eq!(
            xff("2001:db8:aa::1", "", &[]),
            xff("2001:db8:aa:0:ffff:1:2:3", "", &[])
        );
        assert_eq!(xff("2001:db8:aa::1", "", &[]), "2001:db8:aa::/64");
        assert_ne!(
            xff("2001:db8:aa::1", "", &[]),
            xff("2001:db8:aa:1::1", "", &[])
        );
        assert_eq!(xff("::ffff:198.51.100.7", "", &[]), "198.51.100.7");
        // A mapped peer is trusted by its IPv4 range, and a mapped hop is
        // a trusted proxy by it too.
        assert_eq!(
            xff(
                "::ffff:10.0.0.5",
                "10.0.0.0/8",
                &["203.0.113.9, ::ffff:10.0.0.7"]
            ),
            "203.0.113.9"
        );
        assert_eq!(
            xff("10.0.0.5", "10.0.0.0/8", &["::ffff:203.0.113.9"]),
            "203.0.113.9"
        );
        assert_eq!(
            xff("fd00::1", "fd00::/64", &["2001:db8:bb:cc::1"]),
            "2001:db8:bb:cc::/64"
        );
    }
}
