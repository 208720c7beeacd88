//! Finding records by any fragment of a Chinese name. Chinese has no spaces between words and
//! most words are two characters, so names are indexed by their single characters, their
//! character pairs and triples; a query is looked up by its rarest triple (or its pair, or its
//! single character) and the candidates are confirmed with a substring match. Triples keep a
//! three-character query like a full personal name (王建国) selective even where its pairs are
//! common across two million people. The same table serves SQLite and
//! PostgreSQL, neither of which tokenises Chinese well on its own.

/// Characters that take part in matching: letters and digits of any script, lowercased.
fn normalise(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The terms under which a name is indexed: every character, pair and triple.
pub fn index_terms(text: &str) -> Vec<String> {
    let chars = normalise(text);
    let mut terms: Vec<String> = chars.iter().map(|c| c.to_string()).collect();
    terms.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
    terms.extend(chars.windows(3).map(|w| w.iter().collect::<String>()));
    terms.sort();
    terms.dedup();
    terms
}

/// The terms to look a query up by: its triples, or the pair of a two-character query, or the
/// single character of a one-character query. Empty when the query has nothing searchable.
pub fn query_terms(query: &str) -> Vec<String> {
    let chars = normalise(query);
    let width = chars.len().min(3);
    if width == 0 {
        return Vec::new();
    }
    let mut t: Vec<String> = chars.windows(width).map(|w| w.iter().collect()).collect();
    t.sort();
    t.dedup();
    t
}

/// A `LIKE` pattern matching the query anywhere, with `\` escaping `%`, `_` and `\`; compare
/// against the lowercased text with `ESCAPE '\'`.
pub fn like_pattern(query: &str) -> String {
    let mut p = String::with_capacity(query.len() + 2);
    p.push('%');
    for c in query.trim().chars().flat_map(char::to_lowercase) {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The runs of matching characters of a text (split at spaces and punctuation), lowercased.
fn runs(text: &str) -> impl Iterator<Item = Vec<char>> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|r| !r.is_empty()).map(normalise)
}

/// The character pairs that stand side by side in `text` (not across a space or punctuation:
/// a query is confirmed by a literal match, and a pair across “夹具，消除” — 具消 — held by
/// thousands of titles that none of them spells made a search scan the whole country).
fn pairs(text: &str) -> impl Iterator<Item = String> + '_ {
    runs(text).flat_map(|r| r.windows(2).map(|w| w.iter().collect::<String>()).collect::<Vec<_>>())
}

/// The keyword index's text of a title: its character pairs, separated by spaces (a title of one
/// character is that character). Pairs alone keep the index of millions of titles small; every
/// query of two characters or more is found through them (see `keyword_query`).
pub fn keyword_text(text: &str) -> String {
    let chars = normalise(text);
    if chars.len() == 1 {
        return chars[0].to_string();
    }
    let mut pairs: Vec<String> = pairs(text).collect();
    pairs.sort();
    pairs.dedup();
    pairs.join(" ")
}

/// A keyword query: words separated by spaces, each of which must occur.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeywordQuery {
    /// `LIKE` patterns of the words (see `like_pattern`).
    pub patterns: Vec<String>,
    /// The character pairs every match must hold; empty when every word is a single
    /// character, which the index cannot narrow.
    pub pairs: Vec<String>,
}

/// At most this many words of a query count; the rest are ignored.
pub const MAX_WORDS: usize = 5;

/// Splits a keyword query into words; `None` when it holds nothing to search for.
pub fn keyword_query(query: &str) -> Option<KeywordQuery> {
    let mut k = KeywordQuery::default();
    for word in query.split_whitespace().take(MAX_WORDS) {
        let chars = normalise(word);
        if chars.is_empty() {
            continue;
        }
        k.patterns.push(like_pattern(word));
        k.pairs.extend(pairs(word));
    }
    k.pairs.sort();
    k.pairs.dedup();
    k.patterns.dedup();
    (!k.patterns.is_empty()).then_some(k)
}

/// Kinds of record in the shared search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    /// Organisation units by name.
    Unit = 1,
    /// People by name.
    Person = 2,
    /// Studios by name and leader.
    Studio = 3,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_index_characters_and_pairs() {
        let t = index_terms("王工 创新室");
        for term in ["王", "工", "创", "王工", "工创", "创新", "新室", "王工创", "创新室"] {
            assert!(t.contains(&term.to_string()), "{term}");
        }
        assert_eq!(t.len(), 12);
    }

    #[test]
    fn queries_use_triples_pairs_or_a_single_character() {
        assert_eq!(query_terms("创新"), vec!["创新"]);
        assert_eq!(query_terms("张"), vec!["张"]);
        assert_eq!(query_terms("李明创新"), vec!["明创新", "李明创"]);
        assert_eq!(query_terms("王建国"), vec!["王建国"]);
        assert!(query_terms(" ,。").is_empty());
        assert_eq!(query_terms("QC小组"), vec!["c小组", "qc小"]);
    }

    #[test]
    fn every_fragment_of_a_name_finds_it() {
        let name = "李建国劳模创新工作室";
        let indexed = index_terms(name);
        let chars: Vec<char> = name.chars().collect();
        for i in 0..chars.len() {
            for j in i + 1..=chars.len() {
                let q: String = chars[i..j].iter().collect();
                assert!(query_terms(&q).iter().all(|t| indexed.contains(t)), "{q}");
            }
        }
    }

    #[test]
    fn keyword_text_holds_every_pair_of_a_query() {
        let text = keyword_text("数控机床 主轴改进");
        assert!(text.split(' ').all(|p| p.chars().count() == 2));
        for q in ["数控", "数控机床", "主轴改进", "数控 改进"] {
            let k = keyword_query(q).expect("words");
            assert!(k.pairs.iter().all(|p| text.split(' ').any(|t| t == p)), "{q}");
        }
        assert_eq!(keyword_text("改"), "改");
        assert!(keyword_text("。").is_empty());
    }

    #[test]
    fn pairs_stop_at_spaces_and_punctuation() {
        // No title spells 具消 in “夹具，消除”: the index does not claim it does.
        assert_eq!(keyword_text("夹具，消除"), "夹具 消除");
        assert_eq!(keyword_text("数控机床 主轴"), "主轴 控机 数控 机床");
        // Nor does a query across punctuation ask for it: its runs' pairs, and the literal.
        let k = keyword_query("夹具，消除").expect("a word");
        assert_eq!(k.pairs, vec!["夹具", "消除"]);
        assert_eq!(k.patterns, vec!["%夹具，消除%"]);
        assert!(keyword_query("机床主轴").expect("a word").pairs.contains(&"床主".to_string()));
    }

    #[test]
    fn keyword_queries_split_words_and_keep_single_characters_for_matching() {
        let k = keyword_query(" 数控  王 ").expect("words");
        assert_eq!(k.patterns, vec!["%数控%", "%王%"]);
        assert_eq!(k.pairs, vec!["数控"]);
        assert!(keyword_query(" ，。 ").is_none());
        assert!(keyword_query("王").expect("one").pairs.is_empty());
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
        assert_eq!(like_pattern(" ABC "), "%abc%");
    }
}
