//! The spreadsheets of an import: the templates the platform offers (written with
//! `rust_xlsxwriter`) and the reading of an uploaded file (with `calamine`), cell values
//! turned into the text people typed.

use crate::domain::import::{Choices, ImportKind, Layout, excel_day, layout};
use crate::error::{Error, Msg};
use crate::i18n::Locale;
use calamine::{DataRef, Reader, Xlsx};
use rust_xlsxwriter::{Color, Format, Workbook};
use std::io::Cursor;

/// At most this many data rows in one file.
pub const MAX_ROWS: usize = 200_000;
/// Columns beyond this are not read.
const MAX_COLUMNS: usize = 40;

/// The template of a kind, in a language: the data sheet (headers, required ones marked
/// with `*`, every column text so that employee numbers keep their leading zeros, one example
/// row) and the instructions sheet (each column: required or not, what to write).
pub fn template(kind: ImportKind, t: Locale) -> Result<Vec<u8>, Error> {
    let x = |e: rust_xlsxwriter::XlsxError| Error::internal(format!("template: {e}"));
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let head = Format::new().set_bold().set_num_format("@").set_background_color(Color::RGB(0xDDEBF7));
    let example = Format::new().set_num_format("@").set_font_color(Color::RGB(0x808080));
    let data = wb.add_worksheet();
    data.set_name(t.t("import.sheet_data")).map_err(x)?;
    let values = kind.example(t);
    for (i, c) in kind.columns().iter().enumerate() {
        let col = i as u16;
        let mut header = t.t(&kind.header_key(c.field)).to_string();
        if c.required {
            header.push_str(" *");
        }
        data.set_column_format(col, &text).map_err(x)?;
        data.set_column_width(col, 16).map_err(x)?;
        data.write_string_with_format(0, col, &header, &head).map_err(x)?;
        data.write_string_with_format(1, col, values[i].as_str(), &example).map_err(x)?;
    }
    data.set_freeze_panes(1, 0).map_err(x)?;
    let help = wb.add_worksheet();
    help.set_name(t.t("import.sheet_help")).map_err(x)?;
    help.set_column_width(0, 18).map_err(x)?;
    help.set_column_width(1, 10).map_err(x)?;
    help.set_column_width(2, 90).map_err(x)?;
    let wrap = Format::new().set_text_wrap();
    for (i, h) in ["import.help_column", "import.help_required", "import.help_values"].iter().enumerate() {
        help.write_string_with_format(0, i as u16, t.t(h), &head).map_err(x)?;
    }
    for (i, c) in kind.columns().iter().enumerate() {
        let row = i as u32 + 1;
        help.write_string(row, 0, t.t(&kind.header_key(c.field))).map_err(x)?;
        help.write_string(row, 1, t.t(if c.required { "import.yes" } else { "import.no" })).map_err(x)?;
        let mut hint = t.t(&kind.hint_key(c.field)).to_string();
        if let Choices::Codes(prefix) = c.choices {
            let names: Vec<&str> = codes_of(prefix).iter().map(|code| t.label(prefix, code)).collect();
            hint = format!("{hint}{}", names.join("、"));
        }
        help.write_string_with_format(row, 2, &hint, &wrap).map_err(x)?;
    }
    let n = kind.columns().len() as u32 + 2;
    help.write_string(n, 0, t.t("import.help_example")).map_err(x)?;
    help.write_string(n + 1, 0, t.t("import.help_all_or_nothing")).map_err(x)?;
    wb.save_to_buffer().map_err(x)
}

/// The codes of a code list, by its catalogue prefix.
fn codes_of(prefix: &str) -> Vec<&'static str> {
    use crate::domain::Coded;
    fn all<E: Coded>(list: &[E]) -> Vec<&'static str> {
        list.iter().map(|e| e.code_str()).collect()
    }
    match prefix {
        "gender" => all(crate::domain::person::Gender::ALL),
        "education" => all(crate::domain::person::Education::ALL),
        "title" => all(crate::domain::person::Title::ALL),
        "skill_grade" => all(crate::domain::person::SkillGrade::ALL),
        "studio_kind" => all(crate::domain::studio::StudioKind::ALL),
        "level" => all(crate::domain::studio::Level::ALL),
        "outcome_kind" => all(crate::domain::outcome::OutcomeKind::ALL),
        "outcome_level" => all(crate::domain::outcome::OutcomeLevel::ALL),
        "outcome_grade" => all(crate::domain::outcome::OutcomeGrade::ALL),
        _ => Vec::new(),
    }
}

/// An uploaded file's first sheet: its header row and its data rows (number as shown, cells).
#[derive(Debug, Default)]
pub struct Sheet {
    /// Where the template's columns are.
    pub layout: Option<Layout>,
    /// The header cells.
    pub header: Vec<String>,
    /// Rows with something in them: (row number as the spreadsheet shows it, cells).
    pub rows: Vec<(u32, Vec<String>)>,
}

/// What a file's problem is, for the field `file` (422).
fn bad(key: &'static str) -> Msg {
    Msg::new(key)
}

/// Whether the bytes can be an .xlsx file at all (a ZIP container).
pub fn looks_like_xlsx(bytes: &[u8]) -> Result<(), Msg> {
    if bytes.is_empty() {
        return Err(bad("validation.empty_file"));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(bad("import.not_xlsx"));
    }
    Ok(())
}

fn cell_text(v: &DataRef) -> String {
    match v {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => excel_day(d.as_f64()).map(|d| d.to_string()).unwrap_or_default(),
        DataRef::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// Reads the first sheet of an .xlsx file: the header row must be the template's (in either
/// language); with `header_only`, stops after it. `progress` hears every thousand rows read.
pub fn read(kind: ImportKind, bytes: &[u8], header_only: bool, progress: &dyn Fn(u64)) -> Result<Sheet, Msg> {
    looks_like_xlsx(bytes)?;
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| bad("import.not_xlsx"))?;
    let Some(first) = wb.sheet_names().first().cloned() else {
        return Err(bad("import.empty"));
    };
    let mut cells = wb.worksheet_cells_reader(&first).map_err(|_| bad("import.not_xlsx"))?;
    let mut sheet = Sheet::default();
    let mut current: Option<(u32, Vec<String>)> = None;
    let mut header_row: Option<u32> = None;
    let mut finish = |sheet: &mut Sheet, row: Option<(u32, Vec<String>)>| -> Result<bool, Msg> {
        let Some((r, cells)) = row else { return Ok(true) };
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(true);
        }
        match header_row {
            None => {
                header_row = Some(r);
                sheet.layout = Some(layout(kind, &cells)?);
                sheet.header = cells;
                Ok(!header_only)
            }
            Some(_) => {
                if sheet.rows.len() >= MAX_ROWS {
                    return Err(Msg::new("import.too_many_rows").arg("max", MAX_ROWS));
                }
                sheet.rows.push((r + 1, cells));
                if sheet.rows.len().is_multiple_of(1000) {
                    progress(sheet.rows.len() as u64);
                }
                Ok(true)
            }
        }
    };
    loop {
        let cell = cells.next_cell().map_err(|_| bad("import.not_xlsx"))?;
        let Some(cell) = cell else { break };
        let (r, col) = cell.get_position();
        if col as usize >= MAX_COLUMNS {
            continue;
        }
        if current.as_ref().is_none_or(|(cr, _)| *cr != r) {
            if !finish(&mut sheet, current.take())? {
                return Ok(sheet);
            }
            current = Some((r, Vec::new()));
        }
        if let Some((_, row)) = current.as_mut() {
            let col = col as usize;
            if row.len() <= col {
                row.resize(col + 1, String::new());
            }
            row[col] = cell_text(cell.get_value());
        }
    }
    finish(&mut sheet, current.take())?;
    if sheet.layout.is_none() {
        return Err(bad("import.empty"));
    }
    if !header_only && sheet.rows.is_empty() {
        return Err(bad("import.no_rows"));
    }
    progress(sheet.rows.len() as u64);
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_reads_back_with_its_example_row() {
        for &kind in ImportKind::ALL {
            for t in [Locale::Zh, Locale::En] {
                let bytes = template(kind, t).unwrap();
                let sheet = read(kind, &bytes, false, &|_| {}).unwrap();
                assert_eq!(sheet.rows.len(), 1, "{kind}");
                assert_eq!(sheet.rows[0].0, 2);
                assert_eq!(sheet.rows[0].1, kind.example(t));
            }
        }
    }

    #[test]
    fn bad_files_are_named() {
        assert_eq!(read(ImportKind::People, b"", false, &|_| {}).unwrap_err().key, "validation.empty_file");
        assert_eq!(read(ImportKind::People, b"name,no\n", false, &|_| {}).unwrap_err().key, "import.not_xlsx");
        assert_eq!(read(ImportKind::People, b"PK\x03\x04junk", false, &|_| {}).unwrap_err().key, "import.not_xlsx");
        let studios = template(ImportKind::Studios, Locale::Zh).unwrap();
        assert_eq!(read(ImportKind::People, &studios, false, &|_| {}).unwrap_err().key, "import.header_unknown");
    }
}
