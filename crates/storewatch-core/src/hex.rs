//! Bytes in lowercase hex: digests, ids and tokens, the one encoder all of
//! storewatch uses.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// `bytes` as lowercase hex, two digits a byte.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn two_lowercase_digits_a_byte() {
        assert_eq!(super::encode(&[]), "");
        assert_eq!(
            super::encode(&[0, 1, 0x0f, 0x10, 0xab, 0xff]),
            "00010f10abff"
        );
    }
}
