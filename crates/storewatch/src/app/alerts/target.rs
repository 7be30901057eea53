//! Where an alert may be sent (issue 22): an http or https URL whose host
//! resolves only to public addresses. Loopback, private, link-local (the
//! cloud metadata service at 169.254.169.254 among them), shared, reserved,
//! multicast and unspecified addresses are refused, at subscription and
//! again at every delivery (a name may change what it points to), unless
//! the operator allows private targets (`serve --allow-private-webhooks`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::Url;

/// The longest URL taken, written out as it is sent.
pub const MAX_URL_BYTES: usize = 2048;

/// A webhook URL, parsed once: http or https, with a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(Url);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("url {0:?} is not a URL: {1}")]
    NotAUrl(String, String),
    #[error("url {0:?}: only http and https are sent to")]
    Scheme(String),
    #[error("url {0:?} has no host")]
    NoHost(String),
    #[error(
        "url: a user name or password in the URL is not allowed (it would be stored and shown in clear); the receiver checks the Storewatch-Signature instead"
    )]
    Credentials,
    #[error("url {0:?}: port 0 is not a port to send to")]
    PortZero(String),
    #[error("url: at most {MAX_URL_BYTES} bytes, once written out (percent-encoded)")]
    TooLong,
    #[error(
        "url {url:?}: {host} resolves to {addr}, {} {kind} address (refused: storewatch sends alerts to public addresses only, unless serve --allow-private-webhooks)",
        article(kind)
    )]
    Private {
        url: String,
        host: String,
        addr: IpAddr,
        kind: &'static str,
    },
    #[error("url {url:?}: {host} does not resolve: {reason}")]
    Unresolved {
        url: String,
        host: String,
        reason: String,
    },
}

impl std::str::FromStr for WebhookUrl {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<WebhookUrl, TargetError> {
        let url = Url::parse(text.trim())
            .map_err(|e| TargetError::NotAUrl(text.to_string(), e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(TargetError::Scheme(text.to_string()));
        }
        if url.host().is_none() {
            return Err(TargetError::NoHost(text.to_string()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TargetError::Credentials);
        }
        if url.port() == Some(0) {
            return Err(TargetError::PortZero(text.to_string()));
        }
        if url.as_str().len() > MAX_URL_BYTES {
            return Err(TargetError::TooLong);
        }
        Ok(WebhookUrl(url))
    }
}

impl WebhookUrl {
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The host as written (a name, or an address without brackets).
    pub fn host(&self) -> String {
        match self.0.host() {
            Some(url::Host::Ipv6(a)) => a.to_string(),
            Some(h) => h.to_string(),
            None => String::new(),
        }
    }

    /// The addresses to connect to: the host resolved, every address
    /// checked. With `allow_private`, any address is taken.
    pub async fn resolve(&self, allow_private: bool) -> Result<Vec<SocketAddr>, TargetError> {
        let host = self.host();
        let port = self.0.port_or_known_default().unwrap_or(80);
        let unresolved = |reason: String| TargetError::Unresolved {
            url: self.as_str().to_string(),
            host: host.clone(),
            reason,
        };
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| unresolved(e.to_string()))?
            .collect();
        if addrs.is_empty() {
            return Err(unresolved("no address".into()));
        }
        if !allow_private {
            for a in &addrs {
                if let Some(kind) = non_public(a.ip()) {
                    return Err(TargetError::Private {
                        url: self.as_str().to_string(),
                        host,
                        addr: a.ip(),
                        kind,
                    });
                }
            }
        }
        Ok(addrs)
    }
}

/// What kind of non-public address `ip` is, or `None` for a public one.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(a) => non_public_v4(a),
        IpAddr::V6(a) => {
            // An IPv4 address written as IPv6 is that address.
            if let Some(v4) = a.to_ipv4_mapped() {
                return non_public_v4(v4);
            }
            non_public_v6(a)
        }
    }
}

fn non_public_v4(a: Ipv4Addr) -> Option<&'static str> {
    let [b0, b1, ..] = a.octets();
    Some(if a.is_loopback() {
        "loopback"
    } else if a.is_private() {
        "private"
    } else if a.is_link_local() {
        "link-local (cloud metadata)"
    } else if a.is_unspecified() || b0 == 0 {
        "unspecified"
    } else if b0 == 100 && (64..128).contains(&b1) {
        "shared (carrier-grade NAT)"
    } else if a.is_multicast() || a.is_broadcast() || b0 >= 240 {
        "multicast or reserved"
    } else if b0 == 198 && (18..20).contains(&b1) {
        "benchmarking"
    } else if a.is_documentation() || (b0 == 192 && b1 == 0 && a.octets()[2] == 0) {
        "documentation or protocol"
    } else if b0 == 192 && b1 == 88 && a.octets()[2] == 99 {
        "6to4 relay"
    } else {
        return None;
    })
}

/// Only global unicast (2000::/3) is public, and not all of it: the
/// special-purpose block 2001::/23 (Teredo, benchmarking, ORCHID…),
/// documentation, and 6to4 (2002::/16, which wraps any IPv4 address) are
/// refused too.
fn non_public_v6(a: Ipv6Addr) -> Option<&'static str> {
    let [first, second, ..] = a.segments();
    Some(if a.is_loopback() {
        "loopback"
    } else if a.is_unspecified() {
        "unspecified"
    } else if first & 0xfe00 == 0xfc00 {
        "private (unique local)"
    } else if first & 0xffc0 == 0xfe80 {
        "link-local"
    } else if a.is_multicast() {
        "multicast"
    } else if first == 0x0064 && second == 0xff9b {
        // NAT64: an IPv4 address inside; refuse rather than work it out.
        "NAT64"
    } else if a.to_ipv4().is_some() {
        // ::a.b.c.d, the deprecated IPv4-compatible form.
        "IPv4-compatible"
    } else if first & 0xe000 != 0x2000 {
        "reserved (not global unicast)"
    } else if first == 0x2001 && second < 0x0200 {
        "special-purpose (Teredo, benchmarking, ORCHID)"
    } else if (first == 0x2001 && second == 0x0db8) || first & 0xfff0 == 0x3ff0 {
        "documentation"
    } else if first == 0x2002 {
        "6to4 (an IPv4 address inside)"
    } else {
        return None;
    })
}

/// `a` or `an` before `word`.
pub fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some(c) if "aeiouAEIOU".contains(c) => "an",
        _ => "a",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_refused() {
        for text in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "192.88.99.1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "fec0::1",
            "::ffff:0:7f00:1",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "100::1",
            "2001:2::1",
            "2001:10::1",
            "3fff::1",
            "5f00::1",
        ] {
            let ip: IpAddr = text.parse().unwrap();
            assert!(non_public(ip).is_some(), "{text} should be refused");
        }
        for text in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "172.32.0.1",
        ] {
            let ip: IpAddr = text.parse().unwrap();
            assert_eq!(non_public(ip), None, "{text} is public");
        }
    }

    #[test]
    fn only_http_and_https_urls_with_a_host() {
        assert!("https://hooks.example.com/x".parse::<WebhookUrl>().is_ok());
        assert!("http://[::1]:8080/".parse::<WebhookUrl>().is_ok());
        assert!(matches!(
            "file:///etc/passwd".parse::<WebhookUrl>(),
            Err(TargetError::Scheme(_))
        ));
        assert!(matches!(
            "gopher://x".parse::<WebhookUrl>(),
            Err(TargetError::Scheme(_))
        ));
        assert!(matches!(
            "not a url".parse::<WebhookUrl>(),
            Err(TargetError::NotAUrl(..))
        ));
        assert_eq!(
            "http://[::1]:8080/".parse::<WebhookUrl>().unwrap().host(),
            "::1"
        );
    }

    #[tokio::test]
    async fn a_name_or_address_that_resolves_to_loopback_is_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:9/",
            "http://[::1]/",
            "http://localhost:9/",
            "http://169.254.169.254/latest",
        ] {
            let target: WebhookUrl = url.parse().unwrap();
            match target.resolve(false).await {
                Err(TargetError::Private { .. }) => {}
                other => panic!("{url}: {other:?}"),
            }
        }
        let target: WebhookUrl = "http://127.0.0.1:9/".parse().unwrap();
        assert_eq!(target.resolve(true).await.unwrap().len(), 1);
    }
}
