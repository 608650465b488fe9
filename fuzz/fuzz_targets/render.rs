//! `cargo +nightly fuzz run render`: reading, rendering and uninjecting arbitrary bytes must never
//! panic or hang, and what render writes must render again to itself.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = kruise_inject_fuzz::render(data);
});
