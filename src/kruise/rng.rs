//! The random draw of the `Partial` revision policy (`sidecarset.go: selectRevisionRandomly`),
//! seeded so output is deterministic.

/// A small deterministic generator (SplitMix64) standing in for Go's `rand.Float64()`.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator whose draws depend only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next draw, uniform in `[0, 1)`.
    pub fn float64(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // 53 random bits, as Go's Float64 uses.
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn draws_are_deterministic_and_in_range() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let mut c = Rng::new(8);
        let xs: Vec<f64> = (0..100).map(|_| a.float64()).collect();
        let ys: Vec<f64> = (0..100).map(|_| b.float64()).collect();
        let zs: Vec<f64> = (0..100).map(|_| c.float64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / 100.0;
        assert!((0.3..0.7).contains(&mean), "mean {mean}");
    }
}
