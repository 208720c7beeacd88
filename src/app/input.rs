//! Reading input the same way from JSON bodies and HTML forms: both become a JSON value, which
//! is deserialised into the use case's input struct while recording *which field* held the
//! wrong type, so that the person gets a message on that field.

pub use crate::domain::schema;

use crate::error::{FieldErrors, Msg, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// Deserialises a JSON value into `T`; a wrong type becomes a message on its field.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." || path.is_empty() { "_body".to_string() } else { path };
        let msg = if e.inner().to_string().starts_with("unknown field") {
            Msg::new("validation.unknown_field")
        } else {
            Msg::new("validation.wrong_type")
        };
        FieldErrors::single(field, msg)
    })
}

/// Turns form pairs into a JSON object. Dotted keys nest (`honours.0.year`), numeric segments
/// index arrays, keys ending in `[]` collect repeated values; empty values are left out (an
/// empty form field means "not given"). The CSRF field is dropped.
pub fn form_to_value(pairs: &[(String, String)]) -> serde_json::Value {
    use serde_json::{Map, Value};
    let mut root = Value::Object(Map::new());
    for (key, value) in pairs {
        if key == "_csrf" || value.trim().is_empty() {
            continue;
        }
        if let Some(list) = key.strip_suffix("[]") {
            if let Value::Object(m) = &mut root {
                let entry = m.entry(list.to_string()).or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(a) = entry {
                    a.push(Value::String(value.clone()));
                }
            }
            continue;
        }
        let mut node = &mut root;
        let parts: Vec<&str> = key.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let next_is_index = parts.get(i + 1).is_some_and(|p| p.parse::<usize>().is_ok());
            let fresh = || {
                if next_is_index { Value::Array(Vec::new()) } else { Value::Object(Map::new()) }
            };
            node = match node {
                Value::Object(m) => {
                    if last {
                        m.insert(part.to_string(), Value::String(value.clone()));
                        break;
                    }
                    m.entry(part.to_string()).or_insert_with(fresh)
                }
                Value::Array(a) => {
                    let Ok(idx) = part.parse::<usize>() else {
                        break;
                    };
                    if idx > 100 {
                        break;
                    }
                    while a.len() <= idx {
                        a.push(Value::Null);
                    }
                    if last {
                        a[idx] = Value::String(value.clone());
                        break;
                    }
                    if a[idx].is_null() {
                        a[idx] = fresh();
                    }
                    &mut a[idx]
                }
                _ => break,
            };
        }
    }
    if let Value::Object(m) = &mut root {
        for v in m.values_mut() {
            if let Value::Array(a) = v {
                a.retain(|x| !x.is_null());
            }
        }
    }
    root
}

/// A whole number as JSON may write it: `7`, or `7.0` (JSON does not tell the two apart, and
/// some clients write every number with a fraction) — or as text, the same way (forms and query
/// strings send text).
#[derive(Deserialize)]
#[serde(untagged)]
enum Whole {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Whole {
    /// The number, `None` for blank text.
    fn read<E: serde::de::Error>(self) -> std::result::Result<Option<i64>, E> {
        match self {
            Whole::Int(i) => Ok(Some(i)),
            Whole::Float(f) => whole(f).map(Some).ok_or_else(|| E::custom("not a whole number")),
            Whole::Text(s) if s.trim().is_empty() => Ok(None),
            Whole::Text(s) => {
                let s = s.trim();
                let n = s.parse::<i64>().ok().or_else(|| s.parse::<f64>().ok().and_then(whole));
                n.map(Some).ok_or_else(|| E::custom("not a whole number"))
            }
        }
    }
}

/// A whole `f64` as an `i64`: within ±2^53 every whole `f64` is exact and fits.
fn whole(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0).then_some(f as i64)
}

/// An optional whole number given as a number or as text (forms send text).
pub fn int<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<i64>, D::Error> {
    match Option::<Whole>::deserialize(d)? {
        None => Ok(None),
        Some(w) => w.read(),
    }
}

/// An optional decimal number given as a number or as text (`1.5`).
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Num(f64),
        Text(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Num(n)) => Ok(Some(n)),
        Some(Raw::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(Raw::Text(s)) => s.trim().parse::<f64>().map(Some).map_err(|_| serde::de::Error::custom("not a number")),
    }
}

/// An amount of money as typed (`12,345.50`) or sent as a JSON number, kept as text so that
/// `domain::funding::parse_yuan` reads it exactly (no binary fractions on the way).
pub fn money<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Num(serde_json::Number),
        Text(String),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::Num(n)) => Some(n.to_string()),
        Some(Raw::Text(s)) => Some(s),
    })
}

/// A list of whole numbers given as numbers or as text (forms send `ids[]=3&ids[]=5`).
pub fn ints<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<i64>, D::Error> {
    let raw = Option::<Vec<Whole>>::deserialize(d)?.unwrap_or_default();
    raw.into_iter().map(|w| w.read()?.ok_or_else(|| serde::de::Error::custom("not a whole number"))).collect()
}

/// An optional flag given as a boolean or as form text (`on`, `true`, `1`).
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Text(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Bool(b)) => Ok(Some(b)),
        Some(Raw::Text(s)) => match s.trim() {
            "on" | "true" | "1" | "yes" => Ok(Some(true)),
            "off" | "false" | "0" | "no" | "" => Ok(Some(false)),
            _ => Err(serde::de::Error::custom("not a flag")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn forms_become_nested_json() {
        let v = form_to_value(&pairs(&[
            ("_csrf", "x"),
            ("name", "张三"),
            ("birth_year", ""),
            ("honours.0.honour", "city_model_worker"),
            ("honours.0.year", "2019"),
            ("honours.2.honour", "chief_technician"),
            ("tags[]", "a"),
            ("tags[]", "b"),
        ]));
        assert_eq!(
            v,
            json!({"name": "张三", "honours": [{"honour": "city_model_worker", "year": "2019"}, {"honour": "chief_technician"}], "tags": ["a", "b"]})
        );
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Sample {
        name: Option<String>,
        #[serde(default, deserialize_with = "int")]
        age: Option<i64>,
    }

    #[test]
    fn wrong_types_name_their_field() {
        let err = from_value::<Sample>(json!({"name": 5})).unwrap_err();
        match err {
            crate::Error::Validation(f) => {
                assert_eq!(f.get("name").unwrap().key, "validation.wrong_type")
            }
            other => panic!("{other:?}"),
        }
        let ok: Sample = from_value(json!({"age": "42"})).unwrap();
        assert_eq!(ok.age, Some(42));
        let ok: Sample = from_value(json!({"age": 42.0})).unwrap();
        assert_eq!(ok.age, Some(42));
        let ok: Sample = from_value(json!({"age": "42.0"})).unwrap();
        assert_eq!(ok.age, Some(42));
        assert!(from_value::<Sample>(json!({"age": "4e99"})).is_err());
        assert!(from_value::<Sample>(json!({"age": 42.5})).is_err());
        assert!(from_value::<Sample>(json!({"age": "forty"})).is_err());
        assert!(from_value::<Sample>(json!([1, 2])).is_err());
    }
}
