//! Today's date for rules whose messages depend on it (GHA002 words a dated fact as past or
//! future). `PRODLINT_TODAY=YYYY-MM-DD` pins the clock, for tests and for reproducible runs;
//! otherwise the system date (UTC) is used.

use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable that overrides the system date.
pub const TODAY_VAR: &str = "PRODLINT_TODAY";

/// Today as `YYYY-MM-DD`: `PRODLINT_TODAY` when it holds a well-formed date, else the system
/// date. ISO dates compare correctly as strings, which is all the rules need.
pub fn today() -> String {
    if let Ok(v) = std::env::var(TODAY_VAR) {
        if is_iso_date(v.trim()) {
            return v.trim().to_string();
        }
    }
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!("{y:04}-{m:02}-{d:02}")
}

pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day) (Howard Hinnant's
/// well-known civil calendar arithmetic, written out here).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_789), (2026, 12, 2));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn date_shape() {
        assert!(is_iso_date("2026-09-23"));
        assert!(!is_iso_date("2026-9-23"));
        assert!(!is_iso_date("tomorrow"));
    }
}
