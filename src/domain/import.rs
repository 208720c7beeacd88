//! Bringing an existing register in (导入): the templates' columns, how a header row is
//! recognised, how the values people type (names, labels, dates) are read, and what the
//! preview says of each row. Pure: the reading of files and the database are elsewhere.

use crate::code_enum;
use crate::domain::Coded;
use crate::error::Msg;
use crate::i18n::Locale;
use jiff::civil::Date;

code_enum! {
    /// What a template brings in.
    pub enum ImportKind : "import_kind" {
        /// 人员: people, by employee number within their enterprise.
        People = "people",
        /// 工作室及命名记录: studios by name within their unit, with their namings.
        Studios = "studios",
        /// 历史项目: projects by number, entered with their past days.
        Projects = "projects",
        /// 成果: outcomes by number within their type.
        Outcomes = "outcomes",
    }
}

/// A column of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The field it fills (the name the use cases' checks report problems under).
    pub field: &'static str,
    /// Whether a row must give it.
    pub required: bool,
    /// What may be written, when it is a list of codes (their names in either language).
    pub choices: Choices,
}

/// The allowed values of a column, named for the instructions sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choices {
    /// Free text, a number or a date: the instructions say which in words.
    Free,
    /// One of a code list (the catalogue prefix of its names).
    Codes(&'static str),
}

/// The languages a header or a value may be written in.
const LOCALES: [Locale; 2] = [Locale::Zh, Locale::En];

const fn col(field: &'static str, required: bool) -> Column {
    Column { field, required, choices: Choices::Free }
}

const fn codes(field: &'static str, required: bool, prefix: &'static str) -> Column {
    Column { field, required, choices: Choices::Codes(prefix) }
}

const PEOPLE: &[Column] = &[
    col("unit", true),
    col("name", true),
    col("employee_no", true),
    codes("gender", true, "gender"),
    col("birth_year", false),
    codes("education", false, "education"),
    codes("title", false, "title"),
    codes("skill_grade", false, "skill_grade"),
    col("phone", false),
    col("honours", false),
    col("registered_on", false),
];

const STUDIOS: &[Column] = &[
    col("unit", true),
    col("name", true),
    codes("kind", true, "studio_kind"),
    col("field", true),
    col("leader_no", false),
    col("founded_on", false),
    codes("level", false, "level"),
    col("naming_unit", false),
    col("named_on", false),
    col("certificate_no", false),
];

const PROJECTS: &[Column] = &[
    col("number", true),
    col("unit", true),
    col("studio", true),
    col("title", true),
    col("category", true),
    col("leader_no", false),
    col("starts_on", true),
    col("ends_on", true),
    col("approved_on", true),
    col("completed_on", false),
    col("conclusion", false),
    col("acceptance_record", false),
    col("budget_yuan", false),
    col("achieved_benefit_yuan", false),
];

const OUTCOMES: &[Column] = &[
    codes("kind", true, "outcome_kind"),
    col("number", false),
    col("unit", true),
    col("studio", true),
    col("title", true),
    col("achieved_on", true),
    codes("level", false, "outcome_level"),
    codes("grade", false, "outcome_grade"),
    col("project_no", false),
    col("contributors", true),
    col("actual_benefit_yuan", false),
    col("benefit_method", false),
];

impl ImportKind {
    /// The template's columns, in order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            ImportKind::People => PEOPLE,
            ImportKind::Studios => STUDIOS,
            ImportKind::Projects => PROJECTS,
            ImportKind::Outcomes => OUTCOMES,
        }
    }

    /// The translation key of a column's header.
    pub fn header_key(self, field: &str) -> String {
        format!("import_col.{}_{field}", self.code())
    }

    /// The translation key of a column's instructions.
    pub fn hint_key(self, field: &str) -> String {
        format!("import_hint.{}_{field}", self.code())
    }

    /// The example row of the template, one value per column (in the template's language
    /// for the code lists).
    pub fn example(self, t: Locale) -> Vec<String> {
        let label = |prefix: &str, code: &str| t.label(prefix, code).to_string();
        let v = |s: &str| s.to_string();
        match self {
            ImportKind::People => vec![
                v(t.t("import_example.unit")),
                v(t.t("import_example.person")),
                v("E-000001"),
                label("gender", "male"),
                v("1980"),
                label("education", "bachelor"),
                label("title", "senior_engineer"),
                label("skill_grade", "senior_technician"),
                v("13800000000"),
                format!("{}:2015", label("honour", "national_model_worker")),
                v("2015-06-01"),
            ],
            ImportKind::Studios => vec![
                v(t.t("import_example.unit")),
                v(t.t("import_example.studio")),
                label("studio_kind", "model_worker"),
                v(t.t("import_example.field")),
                v("E-000001"),
                v("2012-03-01"),
                label("level", "city"),
                v(t.t("import_example.naming_unit")),
                v("2015-05-01"),
                v("2015-018"),
            ],
            ImportKind::Projects => vec![
                v("XM-2019-001"),
                v(t.t("import_example.unit")),
                v(t.t("import_example.studio")),
                v(t.t("import_example.project")),
                v(t.t("import_example.category")),
                v("E-000001"),
                v("2019-03-01"),
                v("2019-12-31"),
                v("2019-02-20"),
                v("2019-12-20"),
                v(t.t("import_example.conclusion")),
                v(t.t("import_example.record")),
                v("50000"),
                v("300000"),
            ],
            ImportKind::Outcomes => vec![
                label("outcome_kind", "utility_patent"),
                v("ZL201920000001.X"),
                v(t.t("import_example.unit")),
                v(t.t("import_example.studio")),
                v(t.t("import_example.outcome")),
                v("2020-06-18"),
                label("outcome_level", "province"),
                label("outcome_grade", "first"),
                v("XM-2019-001"),
                format!("E-000001、{}", t.t("import_example.outsider")),
                v("120000"),
                v(t.t("import_example.method")),
            ],
        }
    }
}

/// Where each template column sits in a file's header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// For each template column (in template order), its index in the file's rows.
    pub positions: Vec<Option<usize>>,
}

impl Layout {
    /// The cell of a column in a row, trimmed; `None` when empty or absent.
    pub fn cell<'r>(&self, kind: ImportKind, row: &'r [String], field: &str) -> Option<&'r str> {
        let i = kind.columns().iter().position(|c| c.field == field)?;
        let at = self.positions.get(i).copied().flatten()?;
        row.get(at).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

/// A header cell as written, without the required mark and spaces.
fn header_text(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊').collect::<String>().to_lowercase()
}

/// Recognises a header row (in Chinese or English, in any order): every required column must
/// be there, no column twice, nothing unknown. On failure, the problem to tell the reader.
pub fn layout(kind: ImportKind, header: &[String]) -> Result<Layout, Msg> {
    let mut positions = vec![None; kind.columns().len()];
    let mut unknown: Vec<String> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let text = header_text(h);
        if text.is_empty() {
            continue;
        }
        let found = kind.columns().iter().position(|c| {
            let key = kind.header_key(c.field);
            LOCALES.iter().any(|l| header_text(l.t(&key)) == text)
        });
        match found {
            Some(k) if positions[k].is_some() => {
                return Err(Msg::new("import.header_twice").arg("column", h.trim()));
            }
            Some(k) => positions[k] = Some(i),
            None => unknown.push(h.trim().to_string()),
        }
    }
    if !unknown.is_empty() {
        return Err(Msg::new("import.header_unknown").arg("columns", unknown.join("、")));
    }
    let missing: Vec<String> = kind
        .columns()
        .iter()
        .zip(&positions)
        .filter(|(c, p)| c.required && p.is_none())
        .map(|(c, _)| kind.header_key(c.field))
        .collect();
    if !missing.is_empty() {
        let mut m = Msg::new("import.header_missing");
        for (i, key) in missing.into_iter().enumerate().take(3) {
            m = m.arg_key(["first", "second", "third"][i], key);
        }
        return Err(m);
    }
    Ok(Layout { positions })
}

/// Reads a code list's value as people write it: its name in Chinese or English, or its code;
/// else the one name it begins (`技能大师` for `技能大师工作室`).
pub fn label<E: Coded>(all: &[E], text: &str) -> Option<E> {
    let t = text.trim();
    let exact = all.iter().copied().find(|e| {
        e.code_str().eq_ignore_ascii_case(t) || LOCALES.iter().any(|l| e.label_in(*l).eq_ignore_ascii_case(t))
    });
    if exact.is_some() || t.chars().count() < 2 {
        return exact;
    }
    let lower = t.to_lowercase();
    let mut starting =
        all.iter().copied().filter(|e| LOCALES.iter().any(|l| e.label_in(*l).to_lowercase().starts_with(&lower)));
    match (starting.next(), starting.next()) {
        (Some(e), None) => Some(e),
        _ => None,
    }
}

/// Splits a list written in one cell (`、`, `，`, `,`, `;`, `；` or new lines between items).
pub fn split_list(text: &str) -> Vec<String> {
    text.split(['、', '，', ',', ';', '；', '\n']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// Reads `荣誉` / `honour:year` (a full- or half-width colon, or a year written after the name).
pub fn honour_and_year(item: &str) -> (String, Option<String>) {
    if let Some((h, y)) = item.split_once([':', '：']) {
        return (h.trim().to_string(), Some(y.trim().to_string()).filter(|y| !y.is_empty()));
    }
    let digits = item.chars().rev().take_while(|c| c.is_ascii_digit()).count();
    if digits == 4 {
        let (h, y) = item.split_at(item.len() - 4);
        return (h.trim().to_string(), Some(y.to_string()));
    }
    (item.trim().to_string(), None)
}

/// A unit as a cell names it: a name, or a path of names from an outer unit down
/// (`某市总工会/某集团/一车间`).
pub fn unit_names(text: &str) -> Vec<String> {
    text.split(['/', '／', '>', '＞']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// The day of an Excel serial date (days since 1899-12-30, the 1900 system).
pub fn excel_day(serial: f64) -> Option<Date> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let base = jiff::civil::date(1899, 12, 30);
    base.checked_add(jiff::Span::new().days(serial.floor() as i64)).ok()
}

/// Dates as people type them: `2015-06-01`, `2015/6/1`, `2015.6.1`, `2015年6月1日`.
pub fn normalise_date(text: &str) -> String {
    let t = text.trim();
    let parts: Vec<&str> =
        t.split(['-', '/', '.', '年', '月', '日']).map(str::trim).filter(|s| !s.is_empty()).collect();
    if parts.len() == 3 && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) && parts[0].len() == 4 {
        return format!("{}-{:0>2}-{:0>2}", parts[0], parts[1], parts[2]);
    }
    t.to_string()
}

code_enum! {
    /// What the import does with a row.
    pub enum RowOutcome : "import_outcome" {
        /// 将新建: the record is not on file yet.
        Create = "create",
        /// 已存在，不变: the same record is on file (re-importing changes nothing).
        Unchanged = "unchanged",
        /// 不能导入: a problem; the whole file waits for it to be corrected.
        Refused = "refused",
        /// 示例行，跳过: the template's own example row.
        Example = "example",
    }
}

/// One row of the preview.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RowReport {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: u32,
    /// What happens to it.
    pub outcome: RowOutcome,
    /// The record's natural key as written (employee number, studio name…).
    pub key: String,
    /// The problems (refused) or remarks (unchanged), each with its column.
    pub notes: Vec<Note>,
}

/// A problem or remark on one column of a row, in the reader's language.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Note {
    /// The column's header.
    pub column: String,
    /// What is wrong or worth knowing.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::person::Gender;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_are_recognised_in_either_language_and_any_order() {
        let zh: Vec<String> = ImportKind::People
            .columns()
            .iter()
            .map(|c| Locale::Zh.t(&ImportKind::People.header_key(c.field)).to_string())
            .collect();
        let l = layout(ImportKind::People, &zh).unwrap();
        assert_eq!(l.positions[0], Some(0));
        let mut en: Vec<String> = ImportKind::People
            .columns()
            .iter()
            .map(|c| Locale::En.t(&ImportKind::People.header_key(c.field)).to_string())
            .collect();
        en.reverse();
        en[0] = format!("{} *", en[0]);
        let l = layout(ImportKind::People, &en).unwrap();
        assert_eq!(l.positions[0], Some(en.len() - 1));
        let row = strings(&["x"; 11]);
        assert_eq!(l.cell(ImportKind::People, &row, "name"), Some("x"));
    }

    #[test]
    fn wrong_headers_say_what_is_wrong() {
        let e = layout(ImportKind::People, &strings(&["姓名", "工号"])).unwrap_err();
        assert_eq!(e.key, "import.header_missing");
        let e = layout(ImportKind::People, &strings(&["姓名", "姓名"])).unwrap_err();
        assert_eq!(e.key, "import.header_twice");
        let e = layout(ImportKind::People, &strings(&["Foo"])).unwrap_err();
        assert_eq!(e.key, "import.header_unknown");
    }

    #[test]
    fn values_are_read_as_people_write_them() {
        assert_eq!(label(Gender::ALL, "女"), Some(Gender::Female));
        assert_eq!(label(Gender::ALL, "Male"), Some(Gender::Male));
        assert_eq!(label(Gender::ALL, "female"), Some(Gender::Female));
        assert_eq!(label(Gender::ALL, "?"), None);
        use crate::domain::studio::StudioKind;
        assert_eq!(label(StudioKind::ALL, "技能大师"), Some(StudioKind::SkillMaster));
        assert_eq!(label(StudioKind::ALL, "工作室"), None);
        assert_eq!(split_list("张三、 李四,王五；"), vec!["张三", "李四", "王五"]);
        assert_eq!(honour_and_year("全国劳动模范：2015"), ("全国劳动模范".into(), Some("2015".into())));
        assert_eq!(honour_and_year("全国劳动模范2015"), ("全国劳动模范".into(), Some("2015".into())));
        assert_eq!(unit_names("某市总工会 / 某集团/一车间"), vec!["某市总工会", "某集团", "一车间"]);
        assert_eq!(normalise_date("2015/6/1"), "2015-06-01");
        assert_eq!(normalise_date("2015年6月1日"), "2015-06-01");
        assert_eq!(normalise_date("soon"), "soon");
        assert_eq!(excel_day(42156.0), Some(jiff::civil::date(2015, 6, 1)));
        assert_eq!(excel_day(-3.0), None);
    }

    #[test]
    fn every_template_has_an_example_for_each_column() {
        for &k in ImportKind::ALL {
            assert_eq!(k.example(Locale::Zh).len(), k.columns().len(), "{k}");
        }
    }
}
