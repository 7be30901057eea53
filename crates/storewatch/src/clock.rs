//! The only clock the service reads, and random ids.

use storewatch_core::domain::Micros;

/// Now, as UTC microseconds.
pub fn now_micros() -> Micros {
    jiff::Timestamp::now().as_microsecond()
}

/// 128 random bits in hex: unguessable, so knowing one id tells nothing of others.
pub fn random_id() -> Result<String, getrandom::Error> {
    random_hex::<16>()
}

/// `N` random bytes from the operating system, in lowercase hex.
pub fn random_hex<const N: usize>() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// Bytes in lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    storewatch_core::hex::encode(bytes)
}
