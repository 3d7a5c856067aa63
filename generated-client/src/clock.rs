//! Where the signer gets the time: the system clock, or a fixed one in tests.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time. Injected so that signatures are reproducible in tests.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at one instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl FixedClock {
    /// A clock stopped `seconds` after the Unix epoch.
    pub fn at_unix(seconds: u64) -> Self {
        Self(UNIX_EPOCH + Duration::from_secs(seconds))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// Formats `time` as the `X-Sdk-Date` header wants it: UTC `%Y%m%dT%H%M%SZ`.
pub(crate) fn sdk_date(time: SystemTime) -> String {
    // Times before 1970 cannot come from a working clock; they format as the epoch.
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, second_of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// `time` as `2026-11-30T10:15:00Z`, for messages.
pub(crate) fn iso_date(time: SystemTime) -> String {
    let date = sdk_date(time);
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &date[0..4],
        &date[4..6],
        &date[6..8],
        &date[9..11],
        &date[11..13],
        &date[13..15]
    )
}

/// Reads a UTC time as the credential services write it: `2026-11-30T10:15:00Z`, with or
/// without a fraction of a second (`.000000Z`). Anything else is `None`.
pub(crate) fn parse_utc(text: &str) -> Option<SystemTime> {
    let text = text.trim().strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let time = time.split('.').next()?;
    let number = |part: &str, digits: usize| -> Option<i64> {
        (part.len() == digits && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let mut date = date.split('-');
    let (year, month, day) = (
        number(date.next()?, 4)?,
        number(date.next()?, 2)?,
        number(date.next()?, 2)?,
    );
    let mut clock = time.split(':');
    let (hour, minute, second) = (
        number(clock.next()?, 2)?,
        number(clock.next()?, 2)?,
        number(clock.next()?, 2)?,
    );
    if date.next().is_some() || clock.next().is_some() {
        return None;
    }
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month as u32, day as u32);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    u64::try_from(seconds)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

/// (year, month, day) → days since 1970-01-01, the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_index = i64::from(if month > 2 { month - 3 } else { month + 9 });
    let day_of_year = (153 * month_index + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(sdk_date(UNIX_EPOCH), "19700101T000000Z");
        // 2026-11-20T08:15:00Z, the instant of the signing vectors.
        assert_eq!(
            sdk_date(FixedClock::at_unix(1_795_162_500).now()),
            "20261120T081500Z"
        );
        // A leap day.
        assert_eq!(
            sdk_date(FixedClock::at_unix(951_782_400).now()),
            "20000229T000000Z"
        );
    }

    #[test]
    fn reads_the_times_credential_services_write() {
        let at = FixedClock::at_unix(1_795_162_500).now();
        assert_eq!(parse_utc("2026-11-20T08:15:00Z"), Some(at));
        assert_eq!(parse_utc("2026-11-20T08:15:00.000000Z"), Some(at));
        assert_eq!(iso_date(at), "2026-11-20T08:15:00Z");
        for bad in [
            "2026-11-20 08:15:00Z",
            "2026-11-20T08:15:00",
            "2026-13-20T08:15:00Z",
            "x",
            "",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
        for seconds in (0..4_000_000_000u64).step_by(86_400 * 11 + 3_601) {
            let time = UNIX_EPOCH + Duration::from_secs(seconds);
            assert_eq!(parse_utc(&iso_date(time)), Some(time));
        }
    }

    #[test]
    fn agrees_with_httpdate_over_centuries() {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        for seconds in (0..5_000_000_000u64).step_by(86_400 * 37 + 3_607) {
            let time = UNIX_EPOCH + Duration::from_secs(seconds);
            // "Fri, 20 Nov 2026 08:15:00 GMT" → "20261120T081500Z"
            let http = httpdate::fmt_http_date(time);
            let parts: Vec<&str> = http.split([' ', ':']).collect();
            let month = MONTHS.iter().position(|m| *m == parts[2]).unwrap() + 1;
            let expected = format!(
                "{}{month:02}{}T{}{}{}Z",
                parts[3], parts[1], parts[4], parts[5], parts[6]
            );
            assert_eq!(sdk_date(time), expected, "{seconds}");
        }
    }
}
