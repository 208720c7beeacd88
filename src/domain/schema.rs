//! What the OpenAPI document says of text fields: the rules of [`Check`]'s readers, as JSON
//! Schema. Input structs keep `Option<String>` (so that a missing field gets its own message)
//! and name one of these types as their documented type (`#[schema(value_type = …)]`).
//!
//! The patterns are ECMA-262 regular expressions (Python's `re` reads them the same way).
//! Blank at either end is trimmed before anything is checked; what remains must hold no
//! control character (long text may hold tabs and line breaks) and is counted in characters.
//! The patterns count it themselves: `maxLength` would count the blanks around it too.
//!
//! [`Check`]: crate::domain::validation::Check

use std::borrow::Cow;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};

/// White space as `str::trim` removes it (Unicode `White_Space`).
const WS: &str = r"[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
/// A character that is neither white space nor a control character.
const SOLID: &str = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
/// Any character but a control character (one line).
const IN_LINE: &str = r"[^\x00-\x1f\x7f-\x9f]";
/// Any character but a control character other than tab and line breaks (long text).
const IN_TEXT: &str = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]";

/// How a text type reads its value.
#[derive(Clone, Copy)]
enum Kind {
    /// One line; blank means none.
    Line,
    /// One line that must not be blank.
    NonBlankLine,
    /// Several lines; blank means none.
    Text,
    /// Several lines that must not be blank.
    NonBlankText,
}

impl Kind {
    /// The pattern of a value whose trimmed text has at most `max` characters (`max` ≥ 2).
    fn pattern(self, max: usize) -> String {
        let core = |inner: &str| format!("{SOLID}(?:{inner}{{0,{}}}{SOLID})?", max - 2);
        match self {
            Kind::Line => format!("^{WS}*(?:{}{WS}*)?$", core(IN_LINE)),
            Kind::NonBlankLine => format!("^{WS}*{}{WS}*$", core(IN_LINE)),
            Kind::Text => format!("^{WS}*(?:{}{WS}*)?$", core(IN_TEXT)),
            Kind::NonBlankText => format!("^{WS}*{}{WS}*$", core(IN_TEXT)),
        }
    }

    fn schema(self, max: usize) -> RefOr<Schema> {
        let (required, what) = match self {
            Kind::Line => (false, "One line of text"),
            Kind::NonBlankLine => (true, "One line of text, not blank"),
            Kind::Text => (false, "Text, tabs and line breaks allowed"),
            Kind::NonBlankText => (true, "Text, not blank, tabs and line breaks allowed"),
        };
        let rest = if required {
            "blank at either end is trimmed; no control characters"
        } else {
            "blank at either end is trimmed; empty, blank or null means none; no control characters"
        };
        text(
            required,
            format!("{what}, at most {max} characters after trimming; {rest}."),
            self.pattern(max),
            if required { Some(1) } else { None },
            None,
        )
    }
}

fn text(required: bool, description: String, pattern: String, min: Option<usize>, max: Option<usize>) -> RefOr<Schema> {
    let ty = if required { SchemaType::Type(Type::String) } else { SchemaType::from_iter([Type::String, Type::Null]) };
    ObjectBuilder::new()
        .schema_type(ty)
        .description(Some(description))
        .min_length(min)
        .max_length(max)
        .pattern(Some(pattern))
        .into()
}

macro_rules! text_types {
    ($($(#[$meta:meta])* $name:ident = $kind:ident($max:expr);)+) => {
        $(
            $(#[$meta])*
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    Kind::$kind.schema($max)
                }
            }

            impl utoipa::ToSchema for $name {
                fn name() -> Cow<'static, str> {
                    Cow::Borrowed(stringify!($name))
                }
            }
        )+
    };
}

use crate::domain::validation::limits::{LONG, NAME, SHORT};

text_types! {
    /// Optional, one line, at most 20 characters.
    Line20 = Line(20);
    /// Optional, one line, at most 40 characters.
    Line40 = Line(40);
    /// Optional, one line, at most 50 characters.
    Line50 = Line(50);
    /// Optional, one line, at most 60 characters.
    Line60 = Line(60);
    /// Optional, one line, at most [`NAME`] characters.
    Line100 = Line(NAME);
    /// Optional, one line, at most [`SHORT`] characters.
    Line200 = Line(SHORT);
    /// Required, one line, at most 50 characters.
    NonBlankLine50 = NonBlankLine(50);
    /// Required, one line, at most [`NAME`] characters.
    NonBlankLine100 = NonBlankLine(NAME);
    /// Optional long text, at most [`LONG`] characters.
    Text4000 = Text(LONG);
    /// Required long text, at most [`LONG`] characters.
    NonBlankText4000 = NonBlankText(LONG);
}

/// A login name as [`Check::username`](crate::domain::validation::Check::username) takes it.
pub struct Username;

impl utoipa::PartialSchema for Username {
    fn schema() -> RefOr<Schema> {
        let max = crate::domain::validation::MAX_USERNAME;
        text(
            true,
            format!(
                "A login name: 3 to {max} of `a-z 0-9 . _ -` (capitals are taken as small letters); blank at \
                 either end is trimmed."
            ),
            format!("^{WS}*[A-Za-z0-9._-]{{3,{max}}}{WS}*$"),
            Some(3),
            None,
        )
    }
}

impl utoipa::ToSchema for Username {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Username")
    }
}

/// A phone number as [`Check::phone`](crate::domain::validation::Check::phone) takes it.
pub struct Phone;

impl utoipa::PartialSchema for Phone {
    fn schema() -> RefOr<Schema> {
        text(
            false,
            "A phone number: 5 to 20 of digits, `+`, `-` and spaces, with at least one digit; blank at \
             either end is trimmed; empty, blank or null means none."
                .into(),
            format!("^{WS}*(?:[0-9+-][0-9+ -]{{3,18}}[0-9+-]{WS}*)?$"),
            None,
            None,
        )
    }
}

impl utoipa::ToSchema for Phone {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Phone")
    }
}

/// Something that must not be blank, of any length (a login name or password at the login).
pub struct NonBlank;

impl utoipa::PartialSchema for NonBlank {
    fn schema() -> RefOr<Schema> {
        text(
            true,
            "Anything but empty or blank.".into(),
            format!(r"^{WS}*[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"),
            Some(1),
            None,
        )
    }
}

impl utoipa::ToSchema for NonBlank {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("NonBlank")
    }
}

/// An amount of yuan as [`parse_yuan`](crate::domain::funding::parse_yuan) reads it.
pub struct Yuan;

impl utoipa::PartialSchema for Yuan {
    fn schema() -> RefOr<Schema> {
        text(
            true,
            "An amount of yuan: digits with at most two decimals, optionally led by `¥` and grouped by \
             commas (`12,345.50`); more than zero and at most 100,000,000."
                .into(),
            format!("^{WS}*[¥￥]?{WS}*[0-9][0-9,]{{0,14}}(?:\\.[0-9]{{1,2}})?{WS}*$"),
            Some(1),
            Some(40),
        )
    }
}

impl utoipa::ToSchema for Yuan {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Yuan")
    }
}

/// A day that may be left out: `YYYY-MM-DD`, or empty, blank or null for none.
pub struct OptionalDate;

impl utoipa::PartialSchema for OptionalDate {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .description(Some("A day, `YYYY-MM-DD`; empty, blank or null means none."))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
            )
            .item(ObjectBuilder::new().schema_type(Type::String).pattern(Some(format!("^{WS}*$"))))
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .into()
    }
}

impl utoipa::ToSchema for OptionalDate {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("OptionalDate")
    }
}

/// A choice among a few codes that no code enum holds.
fn codes(required: bool, description: &str, values: impl IntoIterator<Item = String>) -> RefOr<Schema> {
    let ty = if required { SchemaType::Type(Type::String) } else { SchemaType::from_iter([Type::String, Type::Null]) };
    let mut values: Vec<serde_json::Value> = values.into_iter().map(serde_json::Value::String).collect();
    if !required {
        values.push(serde_json::Value::Null);
    }
    ObjectBuilder::new().schema_type(ty).description(Some(description)).enum_values(Some(values)).into()
}

macro_rules! code_types {
    ($($(#[$meta:meta])* $name:ident = $required:literal, $description:literal, $values:expr;)+) => {
        $(
            $(#[$meta])*
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    codes($required, $description, $values)
                }
            }

            impl utoipa::ToSchema for $name {
                fn name() -> Cow<'static, str> {
                    Cow::Borrowed(stringify!($name))
                }
            }
        )+
    };
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

code_types! {
    /// The answer to a proposal or an extension request.
    Decision = true, "`approve`, or `reject` (a note is then required).", strings(&["approve", "reject"]);
    /// The studio directory's level filter.
    LevelFilter = false, "A naming level, or `none` for studios never named.",
        crate::domain::studio::Level::ALL.iter().map(|l| l.code().to_string()).chain(["none".to_string()]);
    /// The checklist items proved by an upload.
    EvidenceItem = true, "A checklist item proved by an upload (the others are read from the records).",
        crate::domain::checklist::ChecklistItem::ALL.iter().filter(|i| i.takes_evidence()).map(|i| i.code().to_string());
    /// The order of a project list.
    ProjectSort = false, "`due` (most overdue first), `new` (newest entered first) or `unit` (tree order, the default).", strings(&["due", "new", "unit"]);
    /// The order of an outcome list.
    OutcomeSort = false, "`achieved` (latest achieved first, the default) or `new` (newest entered first).",
        strings(&["achieved", "new"]);
    /// Which suggestions to list.
    SuggestionView = false,
        "`mine` (the default: credited to or typed in by me), `evaluate` (waiting for me) or `all` (my administrator subtrees).",
        strings(&["mine", "evaluate", "all"]);
    /// Which expenses to list.
    ExpenseView = false, "`waiting` (the default): those waiting for my decision.", strings(&["waiting"]);
    /// Which rounds to list (申报批次).
    RoundPhase = false, "`open` (accepting applications), `closed` (past the deadline) or `past` (earlier years).",
        strings(&["open", "closed", "past"]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validation::Check;

    fn matches(pattern: &str, s: &str) -> bool {
        regex_lite::Regex::new(pattern).expect("pattern").is_match(s)
    }

    #[test]
    fn patterns_say_what_the_checks_do() {
        let samples = [
            "",
            " ",
            "\t",
            "a",
            " a ",
            "a b",
            "a\tb",
            "a\nb",
            "a\r\nb",
            "\na\n",
            "\u{3000}张三\u{3000}",
            "a\u{0}b",
            "\u{7f}",
            "a\u{85}",
            "\u{85}a",
            "a\u{9f}b",
            "\u{a0}",
            "x\u{2028}y",
            "\u{feff}",
            "\u{1c}a",
            "a\u{b}b",
        ];
        for s in samples {
            let mut c = Check::new();
            c.optional("f", Some(s), 100);
            assert_eq!(matches(&Kind::Line.pattern(100), s), !c.has("f"), "line {s:?}");
            let mut c = Check::new();
            c.required("f", Some(s), 100);
            assert_eq!(matches(&Kind::NonBlankLine.pattern(100), s), !c.has("f"), "required line {s:?}");
            let mut c = Check::new();
            c.optional_long("f", Some(s), 100);
            assert_eq!(matches(&Kind::Text.pattern(100), s), !c.has("f"), "text {s:?}");
            let mut c = Check::new();
            c.required_long("f", Some(s), 100);
            assert_eq!(matches(&Kind::NonBlankText.pattern(100), s), !c.has("f"), "required text {s:?}");
        }
        // Counted after trimming, in characters.
        let long = |n: usize| "字".repeat(n);
        for s in [
            long(100),
            format!(" \u{85}{} \n", long(100)),
            long(101),
            format!("a{}b", " ".repeat(98)),
            format!("a{}b", " ".repeat(99)),
        ] {
            let mut c = Check::new();
            c.optional("f", Some(&s), 100);
            assert_eq!(matches(&Kind::Line.pattern(100), &s), !c.has("f"), "line of {} characters", s.chars().count());
            let mut c = Check::new();
            c.required_long("f", Some(&s), 100);
            assert_eq!(
                matches(&Kind::NonBlankText.pattern(100), &s),
                !c.has("f"),
                "text of {} characters",
                s.chars().count()
            );
        }
        let pattern = |schema: RefOr<Schema>| match schema {
            RefOr::T(Schema::Object(o)) => o.pattern.expect("pattern"),
            _ => panic!("an object schema"),
        };
        let (username, phone, non_blank) = (
            pattern(<Username as utoipa::PartialSchema>::schema()),
            pattern(<Phone as utoipa::PartialSchema>::schema()),
            pattern(<NonBlank as utoipa::PartialSchema>::schema()),
        );
        for s in ["zhang.san", " Zhang_San-2 ", "ab", "张三", "a b c", "", &"x".repeat(33)] {
            let mut c = Check::new();
            c.username("u", Some(s));
            assert_eq!(matches(&username, s), !c.has("u"), "username {s:?}");
        }
        for s in ["", " ", "0551-1234567", " +86 138 0000 0000 ", "1234", "abcde", "12 34\n", &"1".repeat(21)] {
            let mut c = Check::new();
            c.phone("p", Some(s));
            assert_eq!(matches(&phone, s), !c.has("p"), "phone {s:?}");
        }
        for s in ["", " \t", "x", " x", "\u{0}"] {
            assert_eq!(matches(&non_blank, s), !s.trim().is_empty(), "non-blank {s:?}");
        }
    }
}
