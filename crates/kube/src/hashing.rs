//! Hash primitives used by Kubernetes and OpenKruise.

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    let _ = data;
    todo!()
}

/// `k8s.io/apimachinery/pkg/util/rand.SafeEncodeString`.
pub fn safe_encode(s: &str) -> String {
    let _ = s;
    todo!()
}

/// FNV-1 (not 1a) 32-bit hash, as Go's `hash/fnv.New32`.
pub fn fnv1_32(data: &[u8]) -> u32 {
    let _ = data;
    todo!()
}
