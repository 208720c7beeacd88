//! The rules of the trade, free of I/O: what a studio is, which transitions its life cycle
//! allows, what the “八有” checklist demands, who may see and do what, how input is validated.
//! Everything here is a plain type or a pure function and is unit-tested in place.

pub mod access;
pub mod challenge;
pub mod checklist;
pub mod evaluation;
pub mod figures;
pub mod funding;
pub mod history;
pub mod import;
pub mod inspection;
pub mod ledger;
pub mod lifecycle;
pub mod mentorship;
pub mod notification;
pub mod org;
pub mod outcome;
pub mod pagination;
pub mod person;
pub mod plan;
pub mod project;
pub mod round;
pub mod schema;
pub mod search;
pub mod studio;
pub mod suggestion;
pub mod team;
pub mod throttle;
pub mod validation;

/// Lowercase hexadecimal of some bytes (hashes, tokens).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Percent-encodes text for a URL (a query value, a file name): unreserved ASCII stays, every
/// other byte of its UTF-8 becomes `%XX`.
pub fn percent_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // One string for the whole value: a home page builds a hundred links with it.
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.extend(['%', HEX[usize::from(b >> 4)] as char, HEX[usize::from(b & 15)] as char]);
        }
    }
    out
}

/// What every code enum offers, for code that handles any of them (form options, say).
pub trait Coded: Copy {
    /// The stable code.
    fn code_str(self) -> &'static str;
    /// The name in a language.
    fn label_in(self, locale: crate::i18n::Locale) -> &'static str;
}

/// Declares an enum of stable codes — stored in the database, used in the API, and translated
/// for people through the catalogue prefix given (`prefix.code`).
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $prefix:literal {
            // `tt`, not `literal`: a `literal` fragment reaches the derives wrapped in an invisible
            // group, which utoipa cannot read as `rename`, and the document then shows the
            // variants' Rust names instead of their codes.
            $( $(#[$vmeta:meta])* $variant:ident = $code:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The catalogue prefix of the values' names.
            pub const PREFIX: &'static str = $prefix;

            /// The stable code stored in the database and used by the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Reads a stable code.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The translation key of this value's name.
            pub fn label_key(self) -> String {
                format!("{}.{}", $prefix, self.code())
            }

            /// This value's name in a language.
            pub fn label(self, locale: impl std::borrow::Borrow<$crate::i18n::Locale>) -> &'static str {
                locale.borrow().label($prefix, self.code())
            }
        }

        impl $crate::domain::Coded for $name {
            fn code_str(self) -> &'static str {
                self.code()
            }
            fn label_in(self, locale: $crate::i18n::Locale) -> &'static str {
                self.label(locale)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_encode_keeps_the_unreserved_and_escapes_the_rest() {
        assert_eq!(super::percent_encode("a-Z_0.9~"), "a-Z_0.9~");
        assert_eq!(super::percent_encode("a b&c=d/e?"), "a%20b%26c%3Dd%2Fe%3F");
        assert_eq!(super::percent_encode("数控"), "%E6%95%B0%E6%8E%A7");
        assert_eq!(super::percent_encode(""), "");
    }
}
