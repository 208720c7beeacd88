//! Translation. Every visible text is a key into `locales/zh-CN.toml` (the default) and
//! `locales/en.toml`; both are compiled into the binary and must hold the same keys (a test
//! checks). The locale is always passed explicitly: there is no process-wide "current" locale.

use crate::error::{Arg, Msg};
use std::collections::HashMap;
use std::sync::LazyLock;

/// A language the platform speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    /// Simplified Chinese, the default.
    #[default]
    Zh,
    /// English.
    En,
}

impl Locale {
    /// A number of its own, to tell apart what is remembered per language (a page's rendered
    /// parts).
    pub fn ordinal(self) -> u64 {
        match self {
            Locale::Zh => 0,
            Locale::En => 1,
        }
    }

    /// The tag used in cookies, HTML `lang` and `Accept-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    /// Reads a tag such as `en`, `en-US`, `zh`, `zh-CN`.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Locale::Zh)
        } else if tag.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Picks the first supported language of an `Accept-Language` header (zh-CN otherwise).
    pub fn from_accept_language(header: &str) -> Locale {
        header.split(',').filter_map(|part| part.split(';').next()).find_map(Locale::from_tag).unwrap_or_default()
    }

    /// The translation of `key`; the key itself when it is missing everywhere.
    pub fn t(self, key: &str) -> &'static str {
        let catalog = match self {
            Locale::Zh => &*ZH,
            Locale::En => &*EN,
        };
        catalog.get(key).or_else(|| ZH.get(key)).map(|s| s.as_str()).unwrap_or_else(|| leak_missing(key))
    }

    /// The translation of a code-enum value, e.g. `("studio_state", "named")`.
    pub fn label(self, prefix: &str, code: &str) -> &'static str {
        self.t(&format!("{prefix}.{code}"))
    }

    /// A message with its placeholders filled in.
    pub fn msg(self, msg: &Msg) -> String {
        let mut out = self.t(msg.key).to_string();
        for (name, value) in &msg.args {
            let value = match value {
                Arg::Text(s) => s.clone(),
                Arg::Key(k) => self.t(k).to_string(),
            };
            out = out.replace(&format!("{{{name}}}"), &value);
        }
        out
    }
}

fn leak_missing(key: &str) -> &'static str {
    // A missing key is a bug the catalogue test catches; show the key rather than panic.
    static MISSING: LazyLock<std::sync::Mutex<HashMap<String, &'static str>>> = LazyLock::new(Default::default);
    let mut map = match MISSING.lock() {
        Ok(m) => m,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(s) = map.get(key) {
        return s;
    }
    let leaked: &'static str = Box::leak(key.to_string().into_boxed_str());
    map.insert(key.to_string(), leaked);
    leaked
}

/// A catalogue: every text of a page is looked up in it, so it hashes with a fast hasher
/// (its keys are ours, not an attacker's).
type Catalog = HashMap<String, String, foldhash::fast::RandomState>;

static ZH: LazyLock<Catalog> = LazyLock::new(|| load(include_str!("../locales/zh-CN.toml")));
static EN: LazyLock<Catalog> = LazyLock::new(|| load(include_str!("../locales/en.toml")));

/// Flattens a catalogue's nested tables into `a.b.c` keys.
fn load(text: &str) -> Catalog {
    let mut out = Catalog::default();
    match text.parse::<toml::Table>() {
        Ok(table) => flatten("", &table, &mut out),
        Err(e) => tracing::error!("translation catalogue does not parse: {e}"),
    }
    out
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalog) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out),
            _ => {}
        }
    }
}

/// Every key of a catalogue, for the consistency test.
pub fn keys(locale: Locale) -> Vec<String> {
    let catalog = match locale {
        Locale::Zh => &*ZH,
        Locale::En => &*EN,
    };
    let mut keys: Vec<String> = catalog.keys().cloned().collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_hold_the_same_keys() {
        let zh = keys(Locale::Zh);
        let en = keys(Locale::En);
        let only_zh: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        assert!(only_zh.is_empty() && only_en.is_empty(), "zh only: {only_zh:?}; en only: {only_en:?}");
        assert!(zh.len() > 100);
    }

    #[test]
    fn accept_language_picks_the_first_supported() {
        assert_eq!(Locale::from_accept_language("fr-FR, en-US;q=0.8, zh;q=0.5"), Locale::En);
        assert_eq!(Locale::from_accept_language("zh-CN,zh;q=0.9"), Locale::Zh);
        assert_eq!(Locale::from_accept_language(""), Locale::Zh);
    }

    /// Every `.rs` and template file under a directory.
    fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }

    /// The string literals that follow a marker, e.g. the keys in `Msg::new("…")`.
    fn literals_after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
        text.match_indices(marker).filter_map(|(i, _)| text[i + marker.len()..].split('"').next()).collect()
    }

    #[test]
    fn every_key_the_code_uses_is_translated() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        sources(&root.join("src"), &mut files);
        sources(&root.join("templates"), &mut files);
        let mut missing = Vec::new();
        let mut checked = 0;
        for (name, text) in &files {
            let mut keys: Vec<String> = Vec::new();
            for marker in ["Msg::new(\"", ".tr(\"", "t.t(\""] {
                keys.extend(literals_after(text, marker).into_iter().filter(|k| k.contains('.')).map(String::from));
            }
            // Notices after a form: the last literal of a `see(…)` call, under `done.`.
            for line in text.lines().filter(|l| l.contains("see(")) {
                if let Some(lit) =
                    line.rsplit(", \"").next().filter(|_| line.contains(", \"")).and_then(|r| r.split('"').next())
                {
                    keys.push(format!("done.{lit}"));
                }
            }
            // Values of code enums (`code_enum!`): the label prefix after the name, codes after `=`.
            for (i, _) in text.match_indices("pub enum ") {
                let head = &text[i..];
                let Some(prefix) = head
                    .lines()
                    .next()
                    .and_then(|l| l.split(" : \"").nth(1))
                    .map(|p| p.trim_end_matches(['"', ' ', '{']))
                else {
                    continue;
                };
                let body = head.split_once('{').map(|(_, b)| b.split_once('}').map_or(b, |(b, _)| b)).unwrap_or("");
                keys.extend(literals_after(body, "= \"").into_iter().map(|code| format!("{prefix}.{code}")));
            }
            checked += keys.len();
            for k in keys {
                for locale in [Locale::Zh, Locale::En] {
                    if !keys_of(locale).contains_key(&k) {
                        missing.push(format!("{k} ({locale:?}, {name})"));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "untranslated: {missing:#?}");
        assert!(checked > 400, "the scan found the keys ({checked})");
    }

    fn keys_of(locale: Locale) -> &'static Catalog {
        match locale {
            Locale::Zh => &ZH,
            Locale::En => &EN,
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let m = Msg::new("validation.too_long").arg("max", 10);
        assert!(Locale::En.msg(&m).contains("10"));
        assert!(Locale::Zh.msg(&m).contains("10"));
    }
}
