//! History entered later (补录): a union loading its past enters each step with the day it
//! really took effect. The step is still recorded with who entered it and when; its day puts
//! it in the right period of every figure.

use crate::domain::validation::Check;
use crate::error::Msg;
use jiff::civil::Date;

/// The day a step takes effect: today when none is given, else the day given — never in the
/// future, never before the step before it, and in the past only for those who may enter
/// history (administrators). Problems are reported on `field`.
pub fn effective_day(
    check: &mut Check,
    field: &str,
    given: Option<&str>,
    today: Date,
    previous: Option<Date>,
    may_enter_history: bool,
) -> Date {
    let Some(day) = check.optional_date(field, given) else {
        return today;
    };
    if day > today {
        check.fail(field, Msg::new("validation.date_in_future"));
    } else if day < today && !may_enter_history {
        check.fail(field, Msg::new("history.admins_only"));
    } else if let Some(p) = previous
        && day < p
    {
        check.fail(field, Msg::new("history.before_previous").arg("date", p));
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 12, 2);

    fn day(given: Option<&str>, previous: Option<Date>, admin: bool) -> Result<Date, &'static str> {
        let mut c = Check::new();
        let d = effective_day(&mut c, "effective_on", given, TODAY, previous, admin);
        match c.finish() {
            Ok(()) => Ok(d),
            Err(crate::error::Error::Validation(e)) => Err(e.get("effective_on").map_or("", |m| m.key)),
            Err(_) => Err("other"),
        }
    }

    #[test]
    fn a_step_takes_effect_today_unless_history_is_entered() {
        assert_eq!(day(None, None, false), Ok(TODAY));
        assert_eq!(day(Some("2015-06-01"), Some(date(2015, 3, 1)), true), Ok(date(2015, 6, 1)));
        assert_eq!(day(Some("2026-12-02"), None, false), Ok(TODAY));
        // The same day as the step before is fine; earlier is not.
        assert_eq!(day(Some("2015-03-01"), Some(date(2015, 3, 1)), true), Ok(date(2015, 3, 1)));
        assert_eq!(day(Some("2015-02-28"), Some(date(2015, 3, 1)), true), Err("history.before_previous"));
        assert_eq!(day(Some("2026-12-03"), None, true), Err("validation.date_in_future"));
        assert_eq!(day(Some("2020-01-01"), None, false), Err("history.admins_only"));
        assert!(day(Some("not a date"), None, true).is_err());
    }
}
