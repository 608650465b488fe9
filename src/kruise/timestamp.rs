//! The injection time written into `updateTimestamp` (`SidecarSetUpgradeSpec`): Go's `metav1.Time`
//! JSON form, RFC 3339 in UTC with whole seconds, e.g. `2024-01-01T00:00:00Z`.

use std::time::{SystemTime, UNIX_EPOCH};

/// A `--timestamp` or `SOURCE_DATE_EPOCH` value that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// Not RFC 3339.
    #[error("invalid timestamp {0:?}: expected RFC 3339 like 2024-01-01T00:00:00Z, or `now`")]
    Rfc3339(String),
    /// `SOURCE_DATE_EPOCH` is not a whole number of seconds.
    #[error("invalid SOURCE_DATE_EPOCH {0:?}: expected whole seconds since 1970-01-01T00:00:00Z")]
    SourceDateEpoch(String),
}

/// The timestamp to write: `--timestamp` if given (`now` reads the clock), else `SOURCE_DATE_EPOCH`,
/// else the Unix epoch, so that output does not depend on the clock unless asked.
pub fn resolve(
    flag: Option<&str>,
    source_date_epoch: Option<&str>,
) -> Result<String, TimestampError> {
    match (flag, source_date_epoch) {
        (Some("now"), _) => {
            let secs = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
            Ok(format_unix(secs))
        }
        (Some(text), _) => parse_rfc3339(text)
            .map(format_unix)
            .ok_or_else(|| TimestampError::Rfc3339(text.to_owned())),
        (None, Some(epoch)) if !epoch.trim().is_empty() => epoch
            .trim()
            .parse::<i64>()
            .map(format_unix)
            .map_err(|_| TimestampError::SourceDateEpoch(epoch.to_owned())),
        (None, _) => Ok(format_unix(0)),
    }
}

/// Seconds since the epoch → `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// RFC 3339 (`2024-01-01T10:00:00+02:00`, `...Z`, optional fraction) as `--timestamp` takes it: the
/// strict form plus lower-case `t`/`z` (which Go's parser rejects) → seconds since the epoch. For a
/// value Kruise decodes use [`parse_go_rfc3339`].
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    parse(text, Syntax::Lenient)
}

/// RFC 3339 as Go's `time.Parse(time.RFC3339, s)` reads it (how a `metav1.Time` is decoded) →
/// seconds since the epoch: `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds after `.` or `,`
/// (dropped), then `Z` or `±HH:MM`; upper-case `T` and `Z` only, no leap second.
pub fn parse_go_rfc3339(text: &str) -> Option<i64> {
    parse(text, Syntax::Go)
}

/// `metav1.Time` round trip: `time.Parse(time.RFC3339, s)` then `t.UTC().Format(time.RFC3339)`;
/// `None` for the zero time (marshalled as `null`).
pub fn normalize_metav1(text: &str) -> Result<Option<String>, String> {
    let secs = parse_go_rfc3339(text).ok_or_else(|| format!("{text:?} is not an RFC 3339 time"))?;
    Ok((secs != GO_ZERO_TIME).then(|| format_unix(secs)))
}

/// `0001-01-01T00:00:00Z`, Go's zero `time.Time`, in seconds since the Unix epoch.
const GO_ZERO_TIME: i64 = -62_135_596_800;

/// Which RFC 3339 texts [`parse`] accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    /// Go's `time.Parse(time.RFC3339, _)`.
    Go,
    /// `--timestamp`: lower-case `t`/`z` too, a leap second read as `:59`, no `,` fraction.
    Lenient,
}

fn parse(text: &str, syntax: Syntax) -> Option<i64> {
    let go = syntax == Syntax::Go;
    let b = text.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || (!go && b[10] == b't'))
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let max_sec = if go { 59 } else { 60 };
    if hour > 23 || min > 59 || sec > max_sec {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') || (go && b.get(i) == Some(&b',')) {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i)? {
        b'Z' if i + 1 == b.len() => 0,
        b'z' if !go && i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let off = h * 3600 + m * 60;
            if *sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + min * 60 + sec.min(59) - offset)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil calendar algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_epoch() {
        assert_eq!(resolve(None, None).as_deref(), Ok("1970-01-01T00:00:00Z"));
        assert_eq!(
            resolve(None, Some("")).as_deref(),
            Ok("1970-01-01T00:00:00Z")
        );
    }

    #[test]
    fn source_date_epoch_is_used_when_no_flag() {
        assert_eq!(
            resolve(None, Some("1704067200")).as_deref(),
            Ok("2024-01-01T00:00:00Z")
        );
        assert!(matches!(
            resolve(None, Some("yesterday")),
            Err(TimestampError::SourceDateEpoch(_))
        ));
    }

    #[test]
    fn flag_wins_and_is_normalised_to_utc_seconds() {
        assert_eq!(
            resolve(Some("2024-03-01T10:30:00.987+02:00"), Some("0")).as_deref(),
            Ok("2024-03-01T08:30:00Z")
        );
        assert_eq!(
            resolve(Some("2000-02-29T23:59:59Z"), None).as_deref(),
            Ok("2000-02-29T23:59:59Z")
        );
        assert_eq!(
            resolve(Some("1969-12-31T23:00:00-01:00"), None).as_deref(),
            Ok("1970-01-01T00:00:00Z")
        );
    }

    #[test]
    fn timestamps_round_trip_as_metav1_time() {
        let n = |s: &str| normalize_metav1(s);
        assert_eq!(
            n("2024-01-01T00:00:00Z"),
            Ok(Some("2024-01-01T00:00:00Z".into()))
        );
        assert_eq!(
            n("2024-01-01T00:30:00.123+01:00"),
            Ok(Some("2023-12-31T23:30:00Z".into()))
        );
        assert_eq!(
            n("2024-02-29T23:00:00-02:00"),
            Ok(Some("2024-03-01T01:00:00Z".into()))
        );
        assert_eq!(n("0001-01-01T00:00:00Z"), Ok(None));
        assert!(n("2023-02-29T00:00:00Z").is_err());
        assert!(n("2024-01-01 00:00:00Z").is_err());
        assert!(n("2024-01-01T24:00:00Z").is_err());
        assert!(n("2024-01-01T00:00:00").is_err());
    }

    #[test]
    fn bad_timestamps_are_rejected() {
        for bad in [
            "2024-01-01",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00+0200",
            "2024-01-01 00:00:00Z",
            "now-ish",
        ] {
            assert!(resolve(Some(bad), None).is_err(), "{bad}");
        }
    }

    #[test]
    fn now_reads_the_clock() {
        let now = resolve(Some("now"), None).unwrap_or_default();
        assert!(now.as_str() > "2020-01-01T00:00:00Z", "{now}");
    }

    #[test]
    fn calendar_round_trips() {
        for secs in [0, 951_782_399, 1_704_067_200, -86_400, 4_102_444_800] {
            let text = format_unix(secs);
            assert_eq!(parse_rfc3339(&text), Some(secs), "{text}");
        }
    }
}
