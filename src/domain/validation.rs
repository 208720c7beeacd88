//! Validation at the edge: every input is checked field by field, all problems are collected,
//! and nothing is written unless all checks pass. Messages are translation keys, so the person
//! reads them in their own language.

use crate::error::{FieldErrors, Msg, Result};
use jiff::civil::Date;

/// The longest login name an account may have.
pub const MAX_USERNAME: usize = 32;

/// Whether a password is the login name, or the login name with only digits or signs added
/// (`zhangsan2024`, `admin123!`): the first thing anyone guesses.
pub fn is_username_variant(password: &str, username: &str) -> bool {
    let (p, u) = (password.to_lowercase(), username.trim().to_lowercase());
    !u.is_empty()
        && p.strip_prefix(&u).or_else(|| p.strip_suffix(&u)).is_some_and(|rest| !rest.chars().any(char::is_alphabetic))
}

/// Whether a password is one of the few hundred everyone tries first (compiled in).
pub fn is_common_password(password: &str) -> bool {
    let lower = password.to_lowercase();
    include_str!("common_passwords.txt").lines().any(|l| !l.starts_with('#') && l == lower)
}

/// Length limits, in characters (a Chinese character counts as one).
pub mod limits {
    /// Names of units, studios and people, titles.
    pub const NAME: usize = 100;
    /// Short free-text fields (a room, a duty, a certificate number).
    pub const SHORT: usize = 200;
    /// Long free text (a description, a reason).
    pub const LONG: usize = 4000;
}

/// Collects the problems of one input.
#[derive(Debug, Default)]
pub struct Check {
    errors: FieldErrors,
}

impl Check {
    /// A fresh check with no problems.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem directly.
    pub fn fail(&mut self, field: &str, msg: Msg) {
        self.errors.add(field, msg);
    }

    /// A required single-line text of at most `max` characters; returns it trimmed.
    pub fn required(&mut self, field: &str, value: Option<&str>, max: usize) -> String {
        let v = value.map(str::trim).unwrap_or("");
        if v.is_empty() {
            self.fail(field, Msg::new("validation.required"));
        } else {
            self.line(field, v, max);
        }
        v.to_string()
    }

    /// An optional single-line text; empty means absent.
    pub fn optional(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).unwrap_or("");
        if v.is_empty() {
            return None;
        }
        self.line(field, v, max);
        Some(v.to_string())
    }

    /// An optional multi-line text; empty means absent.
    pub fn optional_long(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).unwrap_or("");
        if v.is_empty() {
            return None;
        }
        self.length(field, v, max);
        if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            self.fail(field, Msg::new("validation.invalid_characters"));
        }
        Some(v.to_string())
    }

    /// A required multi-line text.
    pub fn required_long(&mut self, field: &str, value: Option<&str>, max: usize) -> String {
        match self.optional_long(field, value, max) {
            Some(v) => v,
            None => {
                self.fail(field, Msg::new("validation.required"));
                String::new()
            }
        }
    }

    fn line(&mut self, field: &str, v: &str, max: usize) {
        self.length(field, v, max);
        if v.chars().any(char::is_control) {
            self.fail(field, Msg::new("validation.invalid_characters"));
        }
    }

    fn length(&mut self, field: &str, v: &str, max: usize) {
        if v.chars().count() > max {
            self.fail(field, Msg::new("validation.too_long").arg("max", max));
        }
    }

    /// A required code of a code enum (`parse` is the enum's `parse`).
    pub fn choice<E>(&mut self, field: &str, value: Option<&str>, parse: fn(&str) -> Option<E>) -> Option<E> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => {
                self.fail(field, Msg::new("validation.required"));
                None
            }
            Some(v) => self.parse_choice(field, v, parse),
        }
    }

    /// An optional code of a code enum; empty means absent.
    pub fn optional_choice<E>(&mut self, field: &str, value: Option<&str>, parse: fn(&str) -> Option<E>) -> Option<E> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => self.parse_choice(field, v, parse),
        }
    }

    fn parse_choice<E>(&mut self, field: &str, v: &str, parse: fn(&str) -> Option<E>) -> Option<E> {
        let parsed = parse(v);
        if parsed.is_none() {
            self.fail(field, Msg::new("validation.invalid_choice"));
        }
        parsed
    }

    /// An optional date `YYYY-MM-DD`; empty means absent.
    pub fn optional_date(&mut self, field: &str, value: Option<&str>) -> Option<Date> {
        let v = value.map(str::trim).unwrap_or("");
        if v.is_empty() {
            return None;
        }
        match parse_date(v) {
            Some(d) => Some(d),
            None => {
                self.fail(field, Msg::new("validation.invalid_date"));
                None
            }
        }
    }

    /// A required date `YYYY-MM-DD`.
    pub fn date(&mut self, field: &str, value: Option<&str>) -> Option<Date> {
        let v = value.map(str::trim).unwrap_or("");
        if v.is_empty() {
            self.fail(field, Msg::new("validation.required"));
            return None;
        }
        self.optional_date(field, Some(v))
    }

    /// An optional whole number within `[min, max]`.
    pub fn range(&mut self, field: &str, value: Option<i64>, min: i64, max: i64) -> Option<i64> {
        let v = value?;
        if v < min || v > max {
            self.fail(field, Msg::new("validation.out_of_range").arg("min", min).arg("max", max));
            return None;
        }
        Some(v)
    }

    /// An optional phone number: digits with `+`, `-`, spaces, 5 to 20 characters.
    pub fn phone(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let v = self.optional(field, value, 20)?;
        let ok = v.chars().count() >= 5
            && v.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))
            && v.chars().any(|c| c.is_ascii_digit());
        if !ok {
            self.fail(field, Msg::new("validation.invalid_phone"));
        }
        Some(v)
    }

    /// A login name: 3–32 characters of `a-z 0-9 . _ -`, stored lowercased.
    pub fn username(&mut self, field: &str, value: Option<&str>) -> String {
        let v = self.required(field, value, MAX_USERNAME).to_lowercase();
        if !v.is_empty()
            && (v.chars().count() < 3
                || !v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')))
        {
            self.fail(field, Msg::new("validation.invalid_username"));
        }
        v
    }

    /// A new password (密码规则): 8 to 128 characters, not the login name, and not among the
    /// passwords everyone tries first.
    pub fn new_password(&mut self, field: &str, value: Option<&str>, username: &str) -> String {
        let v = value.unwrap_or("");
        let n = v.chars().count();
        if n == 0 {
            self.fail(field, Msg::new("validation.required"));
        } else if !(8..=128).contains(&n) {
            self.fail(field, Msg::new("validation.password_length").arg("min", 8).arg("max", 128));
        } else if is_username_variant(v, username) {
            self.fail(field, Msg::new("validation.password_has_username"));
        } else if is_common_password(v) {
            self.fail(field, Msg::new("validation.password_common"));
        }
        v.to_string()
    }

    /// The problems found, if any.
    pub fn finish(self) -> Result<()> {
        self.errors.into_result()
    }

    /// True when a problem was already found for `field`.
    pub fn has(&self, field: &str) -> bool {
        self.errors.get(field).is_some()
    }
}

/// Reads `YYYY-MM-DD`, nothing else.
pub fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 10 || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
        return None;
    }
    s.parse::<Date>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::studio::StudioKind;

    #[test]
    fn collects_every_problem_once_per_field() {
        let mut c = Check::new();
        assert_eq!(c.required("name", Some("   "), 10), "");
        c.required("name", Some(""), 10);
        c.required("room", Some("一二三四五六七八九十十一"), 10);
        c.choice("kind", Some("nonsense"), StudioKind::parse);
        c.optional_date("founded_on", Some("2024-02-30"));
        c.range("area", Some(-1), 0, 100_000);
        let err = match c.finish() {
            Err(crate::Error::Validation(e)) => e,
            other => panic!("{other:?}"),
        };
        let fields: Vec<&str> = err.0.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, vec!["name", "room", "kind", "founded_on", "area"]);
        assert_eq!(err.get("name").unwrap().key, "validation.required");
        assert_eq!(err.get("room").unwrap().key, "validation.too_long");
    }

    #[test]
    fn chinese_characters_count_as_one() {
        let mut c = Check::new();
        c.required("name", Some("张三李四王五"), 6);
        assert!(c.finish().is_ok());
    }

    #[test]
    fn single_line_fields_refuse_control_characters() {
        let mut c = Check::new();
        c.required("name", Some("a\nb"), 10);
        let long = c.optional_long("description", Some("line one\nline two"), 100);
        assert_eq!(long.as_deref(), Some("line one\nline two"));
        assert!(c.has("name") && !c.has("description"));
    }

    #[test]
    fn usernames_phones_and_passwords() {
        let mut c = Check::new();
        assert_eq!(c.username("u", Some("Zhang.San")), "zhang.san");
        c.phone("p", Some("0551-1234567"));
        c.new_password("pw", Some("long enough"), "zhang.san");
        assert!(c.finish().is_ok());
        let mut c = Check::new();
        c.username("u", Some("张三"));
        c.phone("p", Some("abc"));
        c.new_password("pw", Some("short"), "zhang.san");
        assert!(c.has("u") && c.has("p") && c.has("pw"));
        // Not the login name, not with digits tacked on, not a password everyone tries.
        for bad in ["zhang.san", "Zhang.San2024", "2024zhang.san", "zhang.san!!", "12345678", "Password1", "woaini1314"]
        {
            let mut c = Check::new();
            c.new_password("pw", Some(bad), "zhang.san");
            assert!(c.has("pw"), "{bad}");
        }
        for good in ["zhang.san-drills-9", "admin-password-1", "焊接工艺要点很重要"] {
            let mut c = Check::new();
            c.new_password("pw", Some(good), "zhang.san");
            assert!(!c.has("pw"), "{good}");
        }
    }

    #[test]
    fn dates_must_be_iso() {
        assert!(parse_date("2026-11-21").is_some());
        assert!(parse_date("2026-2-1").is_none());
        assert!(parse_date("21/11/2026").is_none());
    }
}
