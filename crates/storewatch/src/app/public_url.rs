//! `--public-url`: the address people and pollers reach the service by, when
//! a proxy stands in front of it. Parsed once, at the command line; the
//! request checks (`server::browser`) accept its host and origin, and over
//! https the login cookie is `Secure`.

use std::fmt;
use std::str::FromStr;

/// An `http` or `https` address with a host, and no path, query or user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    https: bool,
    /// Lower-case host, as a `Host` header carries it (IPv6 in brackets).
    host: String,
    /// The port, when not the scheme's default.
    port: Option<u16>,
}

/// Why a `--public-url` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadPublicUrl(String);

impl FromStr for PublicUrl {
    type Err = BadPublicUrl;

    fn from_str(text: &str) -> Result<PublicUrl, BadPublicUrl> {
        let bad = |why: &str| BadPublicUrl(format!("{text:?}: {why}"));
        let url = url::Url::parse(text.trim()).map_err(|e| bad(&e.to_string()))?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return Err(bad("give an http:// or https:// address")),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("a user or password does not belong in it"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(bad(
                "give the address alone (https://host[:port]): storewatch is served at the root",
            ));
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
            None => return Err(bad("it names no host")),
        };
        Ok(PublicUrl {
            https,
            host,
            port: url.port(),
        })
    }
}

impl PublicUrl {
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The origin a browser sends from pages of this address
    /// (`https://storewatch.example.com`).
    pub fn origin(&self) -> String {
        self.to_string()
    }

    /// Whether a `Host` header names this address (with or without the
    /// default port).
    pub fn is_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let default_port = if self.https { 443 } else { 80 };
        let port = self.port.unwrap_or(default_port);
        (self.port.is_none() && host == self.host) || host == format!("{}:{port}", self.host)
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.https { "https" } else { "http" };
        write!(f, "{scheme}://{}", self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_with_its_origin_and_hosts() {
        let url: PublicUrl = "https://StoreWatch.example.com".parse().unwrap();
        assert!(url.is_https());
        assert_eq!(url.origin(), "https://storewatch.example.com");
        assert!(url.is_host("storewatch.example.com"));
        assert!(url.is_host("storewatch.example.com:443"));
        assert!(!url.is_host("storewatch.example.com:8443"));
        assert!(!url.is_host("evil.example.com"));
        let url: PublicUrl = "http://10.0.0.5:8080/".parse().unwrap();
        assert!(!url.is_https());
        assert_eq!(url.origin(), "http://10.0.0.5:8080");
        assert!(url.is_host("10.0.0.5:8080"));
        assert!(!url.is_host("10.0.0.5"));
        let url: PublicUrl = "http://[::1]:9000".parse().unwrap();
        assert!(url.is_host("[::1]:9000"));
    }

    #[test]
    fn anything_but_an_address_is_refused() {
        for bad in [
            "storewatch.example.com",
            "ftp://example.com",
            "https://example.com/storewatch",
            "https://example.com/?a=1",
            "https://user:pw@example.com",
            "",
        ] {
            assert!(bad.parse::<PublicUrl>().is_err(), "{bad}");
        }
    }
}
