//! Time: instants are Unix milliseconds (portable across both databases); calendar dates are
//! computed in the deployment's time zone (default Asia/Shanghai), as SPEC §4 asks.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, Ordering};

static ZONE: OnceLock<TimeZone> = OnceLock::new();

/// Sets the deployment's time zone once at start-up; unknown names fall back to UTC+8.
pub fn set_time_zone(name: &str) {
    let tz = TimeZone::get(name).unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)));
    let _ = ZONE.set(tz);
}

/// The deployment's time zone.
pub fn zone() -> &'static TimeZone {
    ZONE.get_or_init(|| TimeZone::get("Asia/Shanghai").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8))))
}

/// Now, as Unix milliseconds.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Today's date in the deployment's time zone.
pub fn today() -> Date {
    jiff::Timestamp::now().to_zoned(zone().clone()).date()
}

/// The calendar date of an instant in the deployment's time zone.
pub fn date_of(ms: i64) -> Date {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_zoned(zone().clone()).date(),
        Err(_) => Date::constant(1970, 1, 1),
    }
}

/// The first instant of a day in the deployment's time zone, as Unix milliseconds.
pub fn start_of_day_ms(d: Date) -> i64 {
    d.to_zoned(zone().clone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0)
}

/// An instant formatted for people: `2026-11-21 13:37` in the deployment's zone.
pub fn format_ms(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_zoned(zone().clone()).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => String::new(),
    }
}

/// The application's clock: real time, which tests move forward to see what time does
/// (throttles drip, deadlines pass) without waiting.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Now, as Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        now_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Today in the deployment's time zone.
    pub fn today(&self) -> Date {
        date_of(self.now_ms())
    }

    /// Moves the clock forward (tests).
    pub fn advance(&self, by: std::time::Duration) {
        self.offset_ms.fetch_add(i64::try_from(by.as_millis()).unwrap_or(i64::MAX), Ordering::Relaxed);
    }
}
