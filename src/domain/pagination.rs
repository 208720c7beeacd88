//! Keyset pagination: a list is read from just after the last row a client saw, never by
//! offset, so every page costs the same however deep the client goes. The cursor is opaque to
//! clients (base64 of the sort key of the last row).

use crate::error::{FieldErrors, Msg, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Default and largest page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page a client may ask for.
pub const MAX_LIMIT: i64 = 200;

/// The sort key of the last row of a page: the value of the ordering column and the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Value of the ordering column (empty when the order is by id alone).
    pub key: String,
    /// Id of the row, the tie-breaker.
    pub id: i64,
}

impl Cursor {
    /// The opaque text handed to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}\u{1f}{}", self.id, self.key))
    }

    /// Reads a cursor a client sent back; a malformed one is a validation error on `cursor`.
    pub fn decode(text: &str) -> Result<Cursor> {
        let bad = || FieldErrors::single("cursor", Msg::new("validation.invalid_cursor"));
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad())?;
        let s = String::from_utf8(bytes).map_err(|_| bad())?;
        let (id, key) = s.split_once('\u{1f}').ok_or_else(bad)?;
        let id = id.parse::<i64>().map_err(|_| bad())?;
        Ok(Cursor { key: key.to_string(), id })
    }
}

/// The page requested: how many rows and after which.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// Rows wanted (1..=200, default 50).
    pub limit: i64,
    /// Continue after this row.
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// Checks `limit` and `cursor` as a client sent them.
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<PageRequest> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(FieldErrors::single(
                "limit",
                Msg::new("validation.out_of_range").arg("min", 1).arg("max", MAX_LIMIT),
            ));
        }
        let after = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(Cursor::decode(c)?),
            None => None,
        };
        Ok(PageRequest { limit, after })
    }
}

/// One page of a list and where the next one starts.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` to read the next page; absent on the last page.
    #[schema(format = "cursor")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows read: the extra row only tells that more follow.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> Cursor) -> Page<T> {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more { rows.last().map(|r| key(r).encode()) } else { None };
        Page { items: rows, next_cursor }
    }

    /// Transforms the rows, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor { key: "/1/23/".into(), id: 42 };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("not base64!").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("x\u{1f}y")).is_err());
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, 50);
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(201), None).is_err());
        assert!(PageRequest::parse(Some(200), Some("")).unwrap().after.is_none());
    }

    #[test]
    fn pages_know_whether_more_follow() {
        let p = Page::from_rows(vec![1, 2, 3], 2, |&i| Cursor { key: String::new(), id: i });
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(Cursor::decode(p.next_cursor.as_deref().unwrap()).unwrap().id, 2);
        let p = Page::from_rows(vec![1, 2], 2, |&i| Cursor { key: String::new(), id: i });
        assert!(p.next_cursor.is_none());
    }
}
