//! Time: instants are Unix milliseconds (portable across both databases); calendar dates are
//! computed in the deployment's time zone (default Asia/Shanghai), as SPEC §4 asks.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::sync::OnceLock;

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

/// An instant formatted for people: `2026-11-21 13:37` in the deployment's zone.
pub fn format_ms(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_zoned(zone().clone()).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => String::new(),
    }
}
