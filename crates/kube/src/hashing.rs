//! Hash primitives used by Kubernetes and OpenKruise.

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
    }
    out
}

/// `k8s.io/apimachinery/pkg/util/rand.SafeEncodeString`.
///
/// Every character `c` becomes `"bcdfghjklmnpqrstvwxz2456789"[c % 27]`. Like the Go code
/// (`r := make([]rune, len(s))`), the result has as many runes as `s` has *bytes*: for non-ASCII
/// input the tail is padded with NUL characters (never the case for hashes).
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8; 27] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut out = String::with_capacity(s.len());
    let mut count = 0;
    for c in s.chars() {
        out.push(ALPHANUMS[(c as usize) % ALPHANUMS.len()] as char);
        count += 1;
    }
    for _ in count..s.len() {
        out.push('\0');
    }
    out
}

/// FNV-1 (not 1a) 32-bit hash, as Go's `hash/fnv.New32`.
pub fn fnv1_32(data: &[u8]) -> u32 {
    const OFFSET_BASIS: u32 = 2_166_136_261;
    const PRIME: u32 = 16_777_619;
    data.iter().fold(OFFSET_BASIS, |hash, b| {
        hash.wrapping_mul(PRIME) ^ u32::from(*b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn safe_encode_maps_hex_digits() {
        assert_eq!(safe_encode("0123456789abcdef"), "456789bcdfvwxz24");
        assert_eq!(safe_encode(""), "");
    }

    #[test]
    fn fnv1_not_1a() {
        // Reference values of Go's fnv.New32 (FNV-1).
        assert_eq!(fnv1_32(b""), 0x811c_9dc5);
        assert_eq!(fnv1_32(b"a"), 0x050c_5d7e);
        assert_eq!(fnv1_32(b"ab"), 0x7077_2d38);
        assert_eq!(fnv1_32(b"abc"), 0x439c_2f4b);
    }
}
