//! Bytes in lowercase hex: digests, ids and tokens, the one encoder (and
//! decoder) all of storewatch uses.

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

/// The bytes of hex text (either case); `None` unless it is an even number
/// of hexadecimal digits.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    // `from_str_radix` alone would take a sign ("+1").
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Whether `text` is an id of storewatch's shape: 32 hexadecimal digits
/// (128 random bits), in either case.
pub fn is_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn decode_undoes_encode_and_ids_are_32_digits() {
        let bytes = [0, 1, 0x0f, 0x10, 0xab, 0xff];
        assert_eq!(super::decode(&super::encode(&bytes)).unwrap(), bytes);
        assert_eq!(super::decode("ABff").unwrap(), [0xab, 0xff]);
        for bad in ["a", "zz", "+1", "é1"] {
            assert_eq!(super::decode(bad), None, "{bad}");
        }
        assert!(super::is_id(&"aB".repeat(16)));
        assert!(!super::is_id(&"a".repeat(31)) && !super::is_id(&"g".repeat(32)));
    }

    #[test]
    fn two_lowercase_digits_a_byte() {
        assert_eq!(super::encode(&[]), "");
        assert_eq!(
            super::encode(&[0, 1, 0x0f, 0x10, 0xab, 0xff]),
            "00010f10abff"
        );
    }
}
