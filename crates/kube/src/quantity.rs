//! `k8s.io/apimachinery/pkg/api/resource.Quantity` (v0.32): parsing, rounding and canonical strings.
//!
//! A port of `quantity.go`, `amount.go`, `math.go` and `suffix.go`. The value is kept exactly as a
//! decimal (sign, digit string, power-of-ten exponent); Go's distinction between the `int64Amount` fast
//! path and the `inf.Dec` slow path only matters for two observable things, both reproduced:
//!
//! - the **cached string** `s`: a fast-path parse of a string already in canonical-looking form
//!   (`scale % 3 == 0`, no `000` tail, no leading `0` for decimal formats; mantissa not a multiple of 8
//!   for binary ones) is printed back verbatim, so `+100m`, `1E3`, `0100m` and `1.G` print as typed;
//!   `RoundUp` keeps that string when the fast-path scale is already fine enough;
//! - the **caps**: only the slow path rounds to nano precision (away from zero) and caps `BinarySI`
//!   values at 2^63-1 (`"8Ei"` → `9223372036854775807`); decimal values are never capped.
//!
//! Like v0.32, a `DecimalSI` value whose canonical exponent has no suffix (above `E` = 10^18) prints
//! without a suffix (`"1000E"` → `"1"`); newer apimachinery falls back to `e` notation.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde_json::Value;

/// How a quantity prints (`resource.Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `12e6`
    DecimalExponent,
    /// `12Mi` (12 × 2^20)
    BinarySI,
    /// `12M` (12 × 10^6)
    DecimalSI,
}

/// Errors of `resource.ParseQuantity`, with Go's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// `ErrFormatWrong`
    #[error(
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )]
    FormatWrong,
    /// `ErrNumeric`
    #[error("unable to parse numeric part of quantity")]
    Numeric,
    /// `ErrSuffix`
    #[error("unable to parse quantity's suffix")]
    Suffix,
}

/// A Kubernetes resource quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    /// Negative (never set for zero).
    neg: bool,
    /// Magnitude digits, most significant first, without leading or trailing zeros; empty for zero.
    digits: Vec<u8>,
    /// Value = digits × 10^exp.
    exp: i64,
    format: Format,
    /// Go's cached string `s` and the `int64Amount` scale it was parsed with.
    cached: Option<(String, i64)>,
}

impl Default for Quantity {
    fn default() -> Self {
        Quantity::zero()
    }
}

const MAX_INT64: u128 = i64::MAX as u128;

impl Quantity {
    /// The zero quantity (Go's `resource.Quantity{}`); prints `"0"`.
    pub fn zero() -> Quantity {
        Quantity {
            neg: false,
            digits: Vec::new(),
            exp: 0,
            format: Format::DecimalSI,
            cached: None,
        }
    }

    /// `resource.NewQuantity(value, format)`.
    pub fn new(value: i64, format: Format) -> Quantity {
        Quantity::from_i64(value, 0, format)
    }

    /// `resource.NewMilliQuantity(value, format)`: `value` / 1000.
    pub fn new_milli(value: i64, format: Format) -> Quantity {
        Quantity::from_i64(value, -3, format)
    }

    fn from_i64(value: i64, scale: i64, format: Format) -> Quantity {
        let (digits, exp) = normalize(u128_digits(u128::from(value.unsigned_abs())), scale);
        Quantity {
            neg: value < 0 && !digits.is_empty(),
            digits,
            exp,
            format,
            cached: None,
        }
    }

    /// `resource.ParseQuantity(s)` (no trimming).
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        if s.is_empty() {
            return Err(QuantityError::FormatWrong);
        }
        if s == "0" {
            let mut q = Quantity::zero();
            q.cached = Some(("0".to_string(), 0));
            return Ok(q);
        }
        let sc = scan(s)?;
        let (base, exponent, mut format) = interpret(sc.suffix).ok_or(QuantityError::Suffix)?;

        // Fast path (int64Amount), exactly as Go decides it.
        let (precision, mut scale, shift): (i64, i32, u32) = match format {
            Format::DecimalExponent | Format::DecimalSI => {
                (18 - (sc.num.len() + sc.denom.len()) as i64, exponent, 0)
            }
            Format::BinarySI => {
                if exponent >= 0 && sc.denom.is_empty() {
                    let e = exponent as i64;
                    (
                        15 - sc.num.len() as i64 - e * 3 / 10 - 1,
                        0,
                        exponent as u32,
                    )
                } else {
                    (-1, 0, 0)
                }
            }
        };
        if precision >= 0 {
            scale = scale.wrapping_sub(sc.denom.len() as i32);
            if scale >= -9 {
                let shifted = format!("{}{}", sc.num, sc.denom);
                let value: i64 = shifted.parse().map_err(|_| QuantityError::Numeric)?;
                if let Some(result) = value.checked_mul(1_i64 << shift.min(62)) {
                    let result = if sc.positive { result } else { -result };
                    let canonical_looking = match format {
                        Format::BinarySI => exponent % 10 == 0 && (value & 0x07) != 0,
                        _ => {
                            scale % 3 == 0 && !shifted.ends_with("000") && !shifted.starts_with('0')
                        }
                    };
                    let mut q = Quantity::from_i64(result, i64::from(scale), format);
                    if canonical_looking {
                        q.cached = Some((s.to_string(), i64::from(scale)));
                    }
                    return Ok(q);
                }
            }
        }

        // Slow path (inf.Dec).
        let (vneg, mut digits, vscale) = parse_decimal(sc.value).ok_or(QuantityError::Numeric)?;
        let mut exp = -vscale;
        if base == 10 {
            exp += i64::from(exponent);
        } else {
            for _ in 0..exponent {
                mul_small(&mut digits, 2);
            }
        }
        let (mut digits, mut exp) = normalize(digits, exp);
        if !digits.is_empty() && exp < -9 {
            (digits, exp, _) = round_away(digits, exp, -9);
        }
        if format == Format::BinarySI && cmp_mag(&digits, exp, &u128_digits(MAX_INT64), 0).is_gt() {
            (digits, exp) = normalize(u128_digits(MAX_INT64), 0);
        }
        if format == Format::BinarySI
            && !digits.is_empty()
            && cmp_mag(&digits, exp, &[1], 0).is_lt()
        {
            format = Format::DecimalSI;
        }
        Ok(Quantity {
            neg: vneg && !digits.is_empty(),
            digits,
            exp,
            format,
            cached: None,
        })
    }

    /// `Quantity.UnmarshalJSON` of a JSON value: `null` → zero, a string → `ParseQuantity` of its
    /// trimmed content, a number → `ParseQuantity` of its Go text (`1` → `1`, `0.5` → `500m`; as
    /// `sigs.k8s.io/yaml` turns YAML numbers into Go JSON text first). Booleans, lists and objects are
    /// refused like Go refuses their raw text.
    pub fn from_json(value: &Value) -> Result<Quantity, QuantityError> {
        match value {
            Value::Null => Ok(Quantity::zero()),
            Value::String(s) => Quantity::parse(s.trim()),
            Value::Number(n) => Quantity::parse(crate::gojson::format_number(n).trim()),
            Value::Bool(b) => Quantity::parse(if *b { "true" } else { "false" }),
            Value::Array(_) | Value::Object(_) => Err(QuantityError::FormatWrong),
        }
    }

    /// The format this quantity prints with (before the `BinarySI` → `DecimalSI` fallbacks).
    pub fn format(&self) -> Format {
        self.format
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// -1, 0 or 1.
    pub fn sign(&self) -> i32 {
        if self.digits.is_empty() {
            0
        } else if self.neg {
            -1
        } else {
            1
        }
    }

    /// Compare the values (`Quantity.Cmp`).
    pub fn cmp_value(&self, other: &Quantity) -> Ordering {
        match (self.sign(), other.sign()) {
            (a, b) if a != b => a.cmp(&b),
            (0, _) => Ordering::Equal,
            (1, _) => cmp_mag(&self.digits, self.exp, &other.digits, other.exp),
            _ => cmp_mag(&other.digits, other.exp, &self.digits, self.exp),
        }
    }

    /// `ceil(q × 1000)` away from zero, like `Quantity.MilliValue`; `None` if it overflows an `i64`.
    pub fn milli_value(&self) -> Option<i64> {
        let (digits, exp, _) = round_away(self.digits.clone(), self.exp, -3);
        let mag = digits_to_u128(&digits, exp + 3)?;
        let v = i64::try_from(mag).ok()?;
        Some(if self.neg { -v } else { v })
    }

    /// `Quantity.Add(y)`: the exact sum. Like Go, a zero receiver takes `y`'s format, and the cached
    /// string is dropped.
    pub fn add(&mut self, y: &Quantity) {
        if self.is_zero() {
            self.format = y.format;
        }
        self.cached = None;
        if y.is_zero() {
            return;
        }
        if self.is_zero() {
            self.neg = y.neg;
            self.digits.clone_from(&y.digits);
            self.exp = y.exp;
            return;
        }
        // Align both magnitudes to the smaller exponent, then add or subtract them as digit strings.
        let exp = self.exp.min(y.exp);
        let a = shift_digits(&self.digits, self.exp - exp);
        let b = shift_digits(&y.digits, y.exp - exp);
        let (neg, digits) = if self.neg == y.neg {
            (self.neg, add_digits(&a, &b))
        } else {
            match cmp_mag(&a, 0, &b, 0) {
                Ordering::Equal => (false, Vec::new()),
                Ordering::Greater => (self.neg, sub_digits(&a, &b)),
                Ordering::Less => (y.neg, sub_digits(&b, &a)),
            }
        };
        let (digits, exp) = normalize(digits, exp);
        self.neg = neg && !digits.is_empty();
        self.digits = digits;
        self.exp = exp;
    }

    /// `Quantity.Neg()`: flips the sign and drops the cached string.
    pub fn neg(&mut self) {
        self.cached = None;
        if !self.digits.is_empty() {
            self.neg = !self.neg;
        }
    }

    /// `Quantity.SetMilli(value)`: the value becomes `value` / 1000; the format is kept.
    pub fn set_milli(&mut self, value: i64) {
        let format = self.format;
        *self = Quantity::new_milli(value, format);
    }

    /// Whether the value is a whole number of thousandths (so `MilliValue` does not round).
    pub fn is_milli_exact(&self) -> bool {
        self.digits.is_empty() || self.exp >= -3
    }

    /// `Quantity.RoundUp(scale)`: round away from zero to a multiple of 10^scale (`-3` = milli).
    /// Returns whether the value was already exact. A cached string survives when Go keeps it.
    pub fn round_up(&mut self, scale: i32) -> bool {
        let scale = i64::from(scale);
        if let Some((_, cached_scale)) = &self.cached
            && *cached_scale >= scale
        {
            return true;
        }
        self.cached = None;
        let (digits, exp, exact) = round_away(std::mem::take(&mut self.digits), self.exp, scale);
        self.digits = digits;
        self.exp = exp;
        if self.digits.is_empty() {
            self.neg = false;
        }
        exact
    }

    /// `Quantity.String()` / `MarshalJSON` content: the cached string or `CanonicalizeBytes`.
    fn canonical(&self) -> String {
        if let Some((s, _)) = &self.cached {
            return s.clone();
        }
        if self.digits.is_empty() {
            return "0".to_string();
        }
        let mut format = self.format;
        let mut binary_value = None;
        if format == Format::BinarySI {
            if cmp_mag(&self.digits, self.exp, &u128_digits(1024), 0).is_lt() {
                format = Format::DecimalSI;
            } else if self.exp < 0 {
                // Not an integer: "Don't lose precision-- show as DecimalSI".
                format = Format::DecimalSI;
            } else {
                binary_value = digits_to_u128(&self.digits, self.exp);
                if binary_value.is_none() {
                    format = Format::DecimalSI;
                }
            }
        }
        let mut out = String::new();
        if self.neg {
            out.push('-');
        }
        match (format, binary_value) {
            (Format::BinarySI, Some(mut m)) => {
                let mut times = 0;
                while m >= 1024 && m % 1024 == 0 {
                    m /= 1024;
                    times += 1;
                }
                out.push_str(&m.to_string());
                out.push_str(match times {
                    1 => "Ki",
                    2 => "Mi",
                    3 => "Gi",
                    4 => "Ti",
                    5 => "Pi",
                    6 => "Ei",
                    _ => "",
                });
            }
            _ => {
                let r = self.exp.rem_euclid(3);
                let exp = self.exp - r;
                out.extend(self.digits.iter().map(|d| char::from(b'0' + d)));
                for _ in 0..r {
                    out.push('0');
                }
                if format == Format::DecimalExponent {
                    if exp != 0 {
                        out.push('e');
                        out.push_str(&exp.to_string());
                    }
                } else {
                    out.push_str(match exp {
                        -9 => "n",
                        -6 => "u",
                        -3 => "m",
                        3 => "k",
                        6 => "M",
                        9 => "G",
                        12 => "T",
                        15 => "P",
                        18 => "E",
                        // 0, and (v0.32 behaviour) exponents without a suffix.
                        _ => "",
                    });
                }
            }
        }
        out
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::parse(s)
    }
}

/// Output of Go's `parseQuantityString`.
struct Scanned<'a> {
    positive: bool,
    value: &'a str,
    num: &'a str,
    denom: &'a str,
    suffix: &'a str,
}

/// Port of `parseQuantityString` (byte-wise, like Go).
fn scan(s: &str) -> Result<Scanned<'_>, QuantityError> {
    let b = s.as_bytes();
    let end = b.len();
    let mut out = Scanned {
        positive: true,
        value: "",
        num: "",
        denom: "",
        suffix: "",
    };
    let mut pos = 0;
    if pos < end {
        match b[0] {
            b'-' => {
                out.positive = false;
                pos += 1;
            }
            b'+' => pos += 1,
            _ => {}
        }
    }
    // strip leading zeros
    loop {
        if pos >= end {
            out.num = "0";
            out.value = "0";
            return Ok(out);
        }
        if b[pos] == b'0' {
            pos += 1;
        } else {
            break;
        }
    }
    // numerator
    let start = pos;
    let mut i = pos;
    while i < end && b[i].is_ascii_digit() {
        i += 1;
    }
    if i >= end {
        out.num = &s[start..end];
        out.value = &s[..end];
        return Ok(out);
    }
    out.num = &s[start..i];
    pos = i;
    if out.num.is_empty() {
        out.num = "0";
    }
    // denominator
    if b[pos] == b'.' {
        pos += 1;
        let start = pos;
        let mut i = pos;
        while i < end && b[i].is_ascii_digit() {
            i += 1;
        }
        if i >= end {
            out.denom = &s[start..end];
            out.value = &s[..end];
            return Ok(out);
        }
        out.denom = &s[start..i];
        pos = i;
    }
    out.value = &s[..pos];
    // suffix: letters, then an optional sign, then digits
    let suffix_start = pos;
    let mut i = pos;
    while i < end && b"eEinumkKMGTP".contains(&b[i]) {
        i += 1;
    }
    if i >= end {
        out.suffix = &s[suffix_start..end];
        return Ok(out);
    }
    pos = i;
    if b[pos] == b'-' || b[pos] == b'+' {
        pos += 1;
    }
    let mut i = pos;
    while i < end && b[i].is_ascii_digit() {
        i += 1;
    }
    if i >= end {
        out.suffix = &s[suffix_start..end];
        return Ok(out);
    }
    Err(QuantityError::FormatWrong)
}

/// `suffixHandler.interpret`: (base, exponent, format).
fn interpret(suffix: &str) -> Option<(u32, i32, Format)> {
    let dec = |e| Some((10, e, Format::DecimalSI));
    let bin = |e| Some((2, e, Format::BinarySI));
    match suffix {
        "" => dec(0),
        "n" => dec(-9),
        "u" => dec(-6),
        "m" => dec(-3),
        "k" => dec(3),
        "M" => dec(6),
        "G" => dec(9),
        "T" => dec(12),
        "P" => dec(15),
        "E" => dec(18),
        "Ki" => bin(10),
        "Mi" => bin(20),
        "Gi" => bin(30),
        "Ti" => bin(40),
        "Pi" => bin(50),
        "Ei" => bin(60),
        _ => {
            let rest = suffix.strip_prefix(['e', 'E'])?;
            if rest.is_empty() {
                return None;
            }
            // strconv.ParseInt(rest, 10, 64), then int32() truncation.
            let parsed: i64 = rest.parse().ok()?;
            Some((10, parsed as i32, Format::DecimalExponent))
        }
    }
}

/// `inf.Dec.SetString`: (negative, digits, scale) with value = ±digits × 10^-scale.
fn parse_decimal(s: &str) -> Option<(bool, Vec<u8>, i64)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if let Some(&c) = b.first()
        && (c == b'+' || c == b'-')
    {
        neg = c == b'-';
        i = 1;
    }
    let mut digits = Vec::new();
    let mut point = None;
    for &c in &b[i..] {
        match c {
            b'0'..=b'9' => digits.push(c - b'0'),
            b'.' if point.is_none() => point = Some(digits.len()),
            _ => return None,
        }
    }
    if digits.is_empty() {
        return None;
    }
    let scale = (digits.len() - point.unwrap_or(digits.len())) as i64;
    Some((neg, digits, scale))
}

/// Strip leading zeros, then move trailing zeros into the exponent; zero is `([], 0)`.
fn normalize(mut digits: Vec<u8>, mut exp: i64) -> (Vec<u8>, i64) {
    let lead = digits.iter().take_while(|d| **d == 0).count();
    digits.drain(..lead);
    if digits.is_empty() {
        return (digits, 0);
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exp += 1;
    }
    (digits, exp)
}

fn u128_digits(mut v: u128) -> Vec<u8> {
    let mut out = Vec::new();
    while v > 0 {
        out.push((v % 10) as u8);
        v /= 10;
    }
    out.reverse();
    out
}

/// The integer digits × 10^exp, if `exp >= 0` and it fits.
fn digits_to_u128(digits: &[u8], exp: i64) -> Option<u128> {
    if exp < 0 && !digits.is_empty() {
        return None;
    }
    let mut v: u128 = 0;
    for d in digits {
        v = v.checked_mul(10)?.checked_add(u128::from(*d))?;
    }
    if !digits.is_empty() {
        for _ in 0..exp {
            v = v.checked_mul(10)?;
        }
    }
    Some(v)
}

/// `digits` followed by `zeros` zeros (a magnitude at a smaller exponent).
fn shift_digits(digits: &[u8], zeros: i64) -> Vec<u8> {
    let mut out = digits.to_vec();
    out.extend(std::iter::repeat_n(0, usize::try_from(zeros).unwrap_or(0)));
    out
}

/// The sum of two digit strings (most significant first).
fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let (mut i, mut j, mut carry) = (a.len(), b.len(), 0u8);
    while i > 0 || j > 0 || carry > 0 {
        let mut v = carry;
        if i > 0 {
            i -= 1;
            v += a[i];
        }
        if j > 0 {
            j -= 1;
            v += b[j];
        }
        out.push(v % 10);
        carry = v / 10;
    }
    out.reverse();
    out
}

/// `a - b` for digit strings with `a >= b`.
fn sub_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let (mut j, mut borrow) = (b.len(), 0i8);
    for i in (0..a.len()).rev() {
        let mut v = a[i] as i8 - borrow;
        if j > 0 {
            j -= 1;
            v -= b[j] as i8;
        }
        borrow = i8::from(v < 0);
        if v < 0 {
            v += 10;
        }
        out.push(v as u8);
    }
    out.reverse();
    out
}

fn mul_small(digits: &mut Vec<u8>, m: u32) {
    let mut carry: u32 = 0;
    for d in digits.iter_mut().rev() {
        let v = u32::from(*d) * m + carry;
        *d = (v % 10) as u8;
        carry = v / 10;
    }
    while carry > 0 {
        digits.insert(0, (carry % 10) as u8);
        carry /= 10;
    }
}

/// Compare two normalized non-negative magnitudes.
fn cmp_mag(a: &[u8], a_exp: i64, b: &[u8], b_exp: i64) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    let a_top = a.len() as i64 + a_exp;
    let b_top = b.len() as i64 + b_exp;
    if a_top != b_top {
        return a_top.cmp(&b_top);
    }
    let n = a.len().max(b.len());
    for i in 0..n {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        if x != y {
            return x.cmp(&y);
        }
    }
    Ordering::Equal
}

/// Round a normalized magnitude away from zero to a multiple of 10^scale; returns (digits, exp, exact).
fn round_away(digits: Vec<u8>, exp: i64, scale: i64) -> (Vec<u8>, i64, bool) {
    if digits.is_empty() || exp >= scale {
        return (digits, exp, true);
    }
    let drop = scale - exp;
    if drop >= digits.len() as i64 {
        return (vec![1], scale, false);
    }
    // Normalized digits end with a non-zero digit, so dropping any of them loses precision.
    let mut kept = digits[..digits.len() - drop as usize].to_vec();
    let mut i = kept.len();
    loop {
        if i == 0 {
            kept.insert(0, 1);
            break;
        }
        i -= 1;
        if kept[i] == 9 {
            kept[i] = 0;
        } else {
            kept[i] += 1;
            break;
        }
    }
    let (d, e) = normalize(kept, scale);
    (d, e, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(input: &str) -> String {
        match Quantity::parse(input) {
            Ok(q) => q.to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    fn rounded(input: &str) -> String {
        match Quantity::parse(input) {
            Ok(mut q) => {
                q.round_up(-3);
                q.to_string()
            }
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn canonical_strings() {
        let cases = [
            ("0", "0"),
            ("00", "0"),
            ("0.0", "0"),
            ("-0", "0"),
            ("0m", "0"),
            ("0Ki", "0"),
            ("1", "1"),
            ("1000", "1k"),
            ("1500", "1500"),
            ("1.5k", "1500"),
            ("1000m", "1"),
            ("100m", "100m"),
            ("10m", "10m"),
            ("0.5", "500m"),
            ("0.1", "100m"),
            ("1.5", "1500m"),
            ("-1.5", "-1500m"),
            ("0.0001", "100u"),
            ("1.2345", "1234500u"),
            ("1024Mi", "1Gi"),
            ("1Gi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("1536Mi", "1536Mi"),
            ("2000Mi", "2000Mi"),
            ("2048Ki", "2Mi"),
            ("0.5Ki", "512"),
            ("1.5Ki", "1536"),
            ("0.1Ki", "102400m"),
            ("1.0001Ki", "1024102400u"),
            ("1e3", "1e3"),
            ("1E3", "1E3"),
            ("1.5e3", "1500"),
            ("12e-3", "12e-3"),
            ("1.5e-3", "1500e-6"),
            ("10e3", "10e3"),
            ("1000e3", "1e6"),
            ("1e-12", "1e-9"),
            ("0.9n", "1n"),
            ("1.5n", "2n"),
            ("1M", "1M"),
            ("1000k", "1M"),
            ("1E", "1E"),
            ("8Ei", "9223372036854775807"),
            ("1Ei", "1Ei"),
            ("18446744073709551616", "18446744073709551616"),
            ("1000E", "1"),
            // Go reuses the input string when it looks canonical.
            ("+100m", "+100m"),
            ("0100m", "0100m"),
            ("1.G", "1.G"),
            ("+1Gi", "+1Gi"),
            ("-1Ki", "-1Ki"),
            ("-1024", "-1024"),
            (".5", "500m"),
            ("5.", "5."),
            ("e3", "0"),
        ];
        for (input, want) in cases {
            assert_eq!(s(input), want, "{input}");
        }
    }

    #[test]
    fn parse_errors() {
        for input in [
            "", "abc", "1x", "1 m", "1e", "1e+", "1Ki3", "1.5.5", "1kk", "1m3", "1e3m",
        ] {
            assert!(Quantity::parse(input).is_err(), "{input}");
        }
        assert_eq!(Quantity::parse("1x"), Err(QuantityError::FormatWrong));
        assert_eq!(Quantity::parse("1kk"), Err(QuantityError::Suffix));
        assert_eq!(Quantity::parse(".e-10"), Err(QuantityError::Numeric));
    }

    #[test]
    fn round_up_to_milli() {
        let cases = [
            ("0.0001", "1m"),
            ("100u", "1m"),
            ("1000m", "1"),
            ("1024Mi", "1Gi"),
            ("1.5m", "2m"),
            ("1234567n", "2m"),
            ("-0.0001", "-1m"),
            ("0.5", "500m"),
            ("100m", "100m"),
            ("+100m", "+100m"),
            ("128Mi", "128Mi"),
            ("1e-12", "1e-3"),
            ("1.5e-3", "2e-3"),
            ("1.0000", "1"),
            ("0.9999", "1"),
            ("0", "0"),
        ];
        for (input, want) in cases {
            assert_eq!(rounded(input), want, "{input}");
        }
        let mut q = Quantity::parse("0.0001").unwrap_or_default();
        assert!(!q.round_up(-3));
        let mut q = Quantity::parse("1.5").unwrap_or_default();
        assert!(q.round_up(-3));
    }

    #[test]
    fn json_numbers_and_null() {
        let t = |v: Value| Quantity::from_json(&v).map(|q| q.to_string());
        assert_eq!(t(json!(1)), Ok("1".to_string()));
        assert_eq!(t(json!(0.5)), Ok("500m".to_string()));
        assert_eq!(t(json!(1000.0)), Ok("1k".to_string()));
        assert_eq!(t(json!(2048)), Ok("2048".to_string()));
        assert_eq!(t(json!(null)), Ok("0".to_string()));
        assert_eq!(t(json!(" 100m ")), Ok("100m".to_string()));
        assert!(t(json!(true)).is_err());
        assert!(t(json!({})).is_err());
        assert!(t(json!([])).is_err());
    }

    #[test]
    fn add_neg_and_set_milli_like_go() {
        let q = |s: &str| Quantity::parse(s).unwrap_or_default();
        let sum = |a: &str, b: &str| {
            let mut x = q(a);
            x.add(&q(b));
            x.to_string()
        };
        // apimachinery quantity_test.go TestAdd-style vectors.
        assert_eq!(sum("100m", "50m"), "150m");
        assert_eq!(sum("1Gi", "100Mi"), "1124Mi");
        assert_eq!(sum("1000Gi", "500Gi"), "1500Gi");
        assert_eq!(sum("100Mi", "-50Mi"), "50Mi");
        assert_eq!(sum("50m", "-100m"), "-50m");
        assert_eq!(sum("1", "-1"), "0");
        assert_eq!(sum("999m", "1m"), "1");
        assert_eq!(sum("1.5", "0.0001"), "1500100u");
        assert_eq!(
            sum("0", "128Mi"),
            "128Mi",
            "a zero receiver takes the format of y"
        );
        assert_eq!(sum("128Mi", "0"), "128Mi");
        assert_eq!(sum("1k", "24"), "1024");
        // A parsed canonical-looking string is dropped once the value changes.
        assert_eq!(sum("+100m", "0"), "100m");
        let mut zero = Quantity::new(0, Format::DecimalSI);
        zero.add(&q("1Gi"));
        assert_eq!(zero.format(), Format::BinarySI);
        assert_eq!(zero.to_string(), "1Gi");

        let mut n = q("100m");
        n.neg();
        assert_eq!(n.to_string(), "-100m");
        assert_eq!(n.sign(), -1);
        let mut z = q("0");
        z.neg();
        assert_eq!(z.sign(), 0);

        let mut m = q("1Gi");
        m.set_milli(536_870_912_000);
        assert_eq!(m.to_string(), "512Mi");
        let mut c = q("200m");
        c.set_milli(100);
        assert_eq!(c.to_string(), "100m");
        c.set_milli(1500);
        assert_eq!(c.to_string(), "1500m");
        c.set_milli(2000);
        assert_eq!(c.to_string(), "2");
    }

    #[test]
    fn constructors_and_accessors() {
        assert_eq!(
            Quantity::new_milli(1000, Format::DecimalSI).to_string(),
            "1"
        );
        assert_eq!(
            Quantity::new_milli(150, Format::DecimalSI).to_string(),
            "150m"
        );
        assert_eq!(
            Quantity::new(260 * 1024 * 1024, Format::BinarySI).to_string(),
            "260Mi"
        );
        assert_eq!(Quantity::zero().to_string(), "0");
        let a = Quantity::parse("1Gi").unwrap_or_default();
        let b = Quantity::parse("1000Mi").unwrap_or_default();
        assert_eq!(a.cmp_value(&b), Ordering::Greater);
        assert_eq!(
            Quantity::parse("1.0001").map(|q| q.milli_value()),
            Ok(Some(1001))
        );
        assert_eq!(
            Quantity::parse("-1.5m").map(|q| q.milli_value()),
            Ok(Some(-2))
        );
    }
}
