//! The only clock the service reads, and random ids.

use storewatch_core::domain::Micros;

/// Now, as UTC microseconds.
pub fn now_micros() -> Micros {
    jiff::Timestamp::now().as_microsecond()
}

/// 128 random bits in hex: unguessable, so knowing one id tells nothing of others.
pub fn random_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
