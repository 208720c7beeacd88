//! Excel (.xlsx) exports, in one place: a list names its columns (a translated heading, a width
//! and how a row gives its cell) and hands over the same use case its page calls, a page at a
//! time; this module walks every page, writes the rows as they come into a constant-memory
//! worksheet on a blocking thread, and streams the file out once the last row is in.
//!
//! What the reader may see is decided by the use case alone — an export asks nothing else.
//! Text a person typed is written so that no spreadsheet takes it for a formula (SPEC §4).

use crate::domain::pagination::Page;
use crate::error::{Error, Msg, Result};
use crate::i18n::Locale;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};
use std::borrow::Cow;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::{mpsc, oneshot};

/// The cookie a finished export sets to the token the page sent (`dl=`), so that the page
/// can tell that the download began (`static/export.js`).
pub const DONE_COOKIE: &str = "jx_export";

/// Excel's longest text in a cell.
const MAX_CELL_CHARS: usize = 32_767;

/// A cell as the sheet shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Nothing.
    Empty,
    /// Text; a person's text is neutralised when written.
    Text(String),
    /// A calendar day, as an Excel date.
    Date(Date),
    /// A whole number.
    Int(i64),
    /// Money kept in whole yuan.
    Yuan(i64),
    /// Money kept in fen (1/100 yuan): shown in yuan with two decimals.
    Fen(i64),
}

impl Value {
    /// Text, or nothing.
    pub fn text(s: impl AsRef<str>) -> Value {
        let s = s.as_ref();
        if s.is_empty() { Value::Empty } else { Value::Text(s.to_string()) }
    }

    /// Optional text.
    pub fn opt(s: &Option<String>) -> Value {
        s.as_deref().map_or(Value::Empty, Value::text)
    }

    /// An optional day.
    pub fn date(d: Option<Date>) -> Value {
        d.map_or(Value::Empty, Value::Date)
    }

    /// An optional amount in yuan.
    pub fn yuan(v: Option<i64>) -> Value {
        v.map_or(Value::Empty, Value::Yuan)
    }

    /// An optional amount in fen.
    pub fn fen(v: Option<i64>) -> Value {
        v.map_or(Value::Empty, Value::Fen)
    }

    /// An optional whole number.
    pub fn int(v: Option<i64>) -> Value {
        v.map_or(Value::Empty, Value::Int)
    }

    /// Yes or no, in the reader's language.
    pub fn yes_no(b: bool, t: Locale) -> Value {
        Value::Text(t.t(if b { "common.yes" } else { "common.no" }).to_string())
    }
}

/// One column of a list's sheet.
pub struct Column<T> {
    /// Translation key of the heading.
    pub head: &'static str,
    /// Width in characters (at least the heading's own width is kept).
    pub width: f64,
    /// The cell of a row.
    pub cell: fn(&T, Locale) -> Value,
}

/// A column: heading key, width, cell.
pub fn col<T>(head: &'static str, width: f64, cell: fn(&T, Locale) -> Value) -> Column<T> {
    Column { head, width, cell }
}

/// Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return
/// first) gets a leading apostrophe; over-long text is cut at Excel's limit.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let prefix = usize::from(risky);
    let fits = s.len() + prefix <= MAX_CELL_CHARS || s.chars().count() + prefix <= MAX_CELL_CHARS;
    if !risky && fits {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 1);
    if risky {
        out.push('\'');
    }
    out.extend(s.chars().take(MAX_CELL_CHARS - prefix));
    Cow::Owned(out)
}

/// How wide text looks in a sheet: Chinese characters take two columns.
fn display_width(s: &str) -> f64 {
    s.chars().map(|c| if (c as u32) < 0x1100 { 1.0 } else { 2.0 }).sum()
}

/// The file's name, `<name>_<date>.xlsx`, as a `Content-Disposition` value: the reader's
/// language in `filename*` (RFC 5987), an ASCII name for old clients.
pub fn disposition(name: &str, ascii: &str, day: Date) -> String {
    let full = format!("{name}_{day}.xlsx");
    format!("attachment; filename=\"{ascii}_{day}.xlsx\"; filename*=UTF-8''{}", crate::domain::percent_encode(&full))
}

/// The refusal of an export over its most rows (`Config::max_export_rows`: Excel stops at
/// 1,048,576 rows a sheet, and well before that a file is slow to make and to open; a reader
/// who wants more narrows the filters).
pub fn too_many_rows(max: usize) -> Error {
    Error::refused(
        "export_too_large",
        Msg::new("export.too_many_rows").arg("max", crate::domain::figures::group_digits(max as i64)),
    )
}

/// What the writer thread is told.
enum Part {
    /// Start a sheet: its name, headings and widths.
    Sheet { name: String, heads: Vec<String>, widths: Vec<f64> },
    /// Rows of the current sheet.
    Rows(Vec<Vec<Value>>),
    /// All rows are in: make the file.
    Done,
}

/// A workbook being written on a blocking thread; dropping it before [`Book::finish`] throws
/// the file away (an error, a refusal, a reader who went away).
pub struct Book {
    parts: mpsc::Sender<Part>,
    ready: oneshot::Receiver<Result<(), String>>,
    bytes: Option<mpsc::Receiver<std::io::Result<Bytes>>>,
    disposition: String,
    rows: usize,
    max_rows: usize,
}

impl Book {
    /// Starts a workbook whose file is called `name` (`ascii` for old clients) with the day,
    /// of at most `max_rows` rows.
    pub fn start(name: &str, ascii: &str, day: Date, max_rows: usize) -> Book {
        let (parts, parts_rx) = mpsc::channel(4);
        let (ready_tx, ready) = oneshot::channel();
        let (bytes_tx, bytes) = mpsc::channel(8);
        tokio::task::spawn_blocking(move || write_book(parts_rx, ready_tx, bytes_tx));
        let disposition = disposition(name, ascii, day);
        Book { parts, ready, bytes: Some(bytes), disposition, rows: 0, max_rows }
    }

    async fn send(&mut self, part: Part) -> Result<()> {
        if self.parts.send(part).await.is_err() {
            // The writer stopped early: its reason comes with `ready`.
            let why = (&mut self.ready).await.err().map(|e| e.to_string()).unwrap_or_default();
            return Err(Error::internal(format!("export writer stopped {why}")));
        }
        Ok(())
    }

    /// Starts a sheet with translated headings.
    pub async fn sheet(&mut self, name: &str, heads: Vec<String>, widths: Vec<f64>) -> Result<()> {
        self.send(Part::Sheet { name: name.to_string(), heads, widths }).await
    }

    /// The most rows this workbook takes.
    pub fn max_rows(&self) -> usize {
        self.max_rows
    }

    /// Adds rows to the current sheet; refuses past the most rows in all.
    pub async fn rows(&mut self, rows: Vec<Vec<Value>>) -> Result<()> {
        self.rows += rows.len();
        if self.rows > self.max_rows {
            return Err(too_many_rows(self.max_rows));
        }
        self.send(Part::Rows(rows)).await
    }

    /// Adds one sheet of a list: every page `fetch` gives, from the first, each row turned into
    /// the columns' cells.
    pub async fn list<T, F, Fut>(&mut self, t: Locale, sheet: &str, columns: &[Column<T>], mut fetch: F) -> Result<()>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<Page<T>>>,
    {
        let heads: Vec<String> = columns.iter().map(|c| t.t(c.head).to_string()).collect();
        let widths = columns.iter().map(|c| c.width).collect();
        self.sheet(sheet, heads, widths).await?;
        let mut cursor = None;
        loop {
            let page = fetch(cursor.take()).await?;
            let rows = page.items.iter().map(|r| columns.iter().map(|c| (c.cell)(r, t)).collect()).collect();
            self.rows(rows).await?;
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// Makes the file and answers with it, streamed as it is compressed. `token` is the page's
    /// download token, echoed in a cookie.
    pub async fn finish(mut self, token: Option<&str>) -> Result<Response> {
        self.send(Part::Done).await?;
        match (&mut self.ready).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(Error::internal(format!("export: {e}"))),
            Err(_) => return Err(Error::internal("export writer stopped")),
        }
        let bytes = self.bytes.take().ok_or_else(|| Error::internal("export finished twice"))?;
        let mut r = Body::from_stream(ByteStream(bytes)).into_response();
        let h = r.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        );
        if let Ok(v) = HeaderValue::from_str(&self.disposition) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        if let Some(token) = token.filter(|s| !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_digit()))
            && let Ok(v) = HeaderValue::from_str(&format!("{DONE_COOKIE}={token}; Path=/; Max-Age=60; SameSite=Strict"))
        {
            h.append(header::SET_COOKIE, v);
        }
        Ok(r)
    }
}

/// The download token a page sent with an export link (`dl=`).
pub fn token_of(query: Option<&str>) -> Option<String> {
    query?.split('&').find_map(|kv| kv.strip_prefix("dl=")).map(str::to_string)
}

/// The file's bytes as a response body.
struct ByteStream(mpsc::Receiver<std::io::Result<Bytes>>);

impl futures_core::Stream for ByteStream {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// Hands the zipped file to the response in slices as the workbook is saved.
struct ChannelWriter {
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    buf: Vec<u8>,
}

const SLICE: usize = 64 * 1024;

impl ChannelWriter {
    fn push(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let slice = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(SLICE)));
        self.tx.blocking_send(Ok(slice)).map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= SLICE {
            self.push()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The formats of a sheet's cells.
struct Formats {
    head: Format,
    date: Format,
    yuan: Format,
    fen: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            head: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xE8EEF4))
                .set_border_bottom(FormatBorder::Thin),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            yuan: Format::new().set_num_format("#,##0"),
            fen: Format::new().set_num_format("#,##0.00"),
        }
    }
}

/// The writer thread: sheets and rows as they arrive, then the file into `out`.
fn write_book(
    mut parts: mpsc::Receiver<Part>,
    ready: oneshot::Sender<Result<(), String>>,
    out: mpsc::Sender<std::io::Result<Bytes>>,
) {
    let mut wb = Workbook::new();
    let f = Formats::new();
    match fill(&mut wb, &f, &mut parts) {
        Ok(true) => {}
        // The export was given up: nothing to make.
        Ok(false) => return,
        Err(e) => {
            let _ = ready.send(Err(e.to_string()));
            return;
        }
    }
    if ready.send(Ok(())).is_err() {
        return;
    }
    let mut w = ChannelWriter { tx: out.clone(), buf: Vec::with_capacity(SLICE) };
    let saved = wb.save_to_writer(&mut w).map_err(std::io::Error::other).and_then(|()| w.push());
    if let Err(e) = saved {
        tracing::warn!("export: {e}");
        let _ = out.blocking_send(Err(e));
    }
}

/// Writes the parts into the workbook; `Ok(false)` when the sender gave up before `Done`.
fn fill(wb: &mut Workbook, f: &Formats, parts: &mut mpsc::Receiver<Part>) -> Result<bool, XlsxError> {
    // The current sheet's index, next row and last column.
    let mut current: Option<(usize, u32, u16)> = None;
    let close = |wb: &mut Workbook, current: Option<(usize, u32, u16)>| -> Result<(), XlsxError> {
        if let Some((i, next_row, last_col)) = current {
            wb.worksheet_from_index(i)?.autofilter(0, 0, next_row.saturating_sub(1), last_col)?;
        }
        Ok(())
    };
    let mut sheets = 0;
    while let Some(part) = parts.blocking_recv() {
        match part {
            Part::Sheet { name, heads, widths } => {
                close(wb, current)?;
                let ws = wb.add_worksheet_with_constant_memory()?;
                ws.set_name(sheet_name(&name))?;
                for (c, head) in heads.iter().enumerate() {
                    let c = c as u16;
                    let w = widths.get(c as usize).copied().unwrap_or(12.0).max(display_width(head) + 4.0);
                    ws.set_column_width(c, w.min(80.0))?;
                    ws.write_string_with_format(0, c, neutralise(head).as_ref(), &f.head)?;
                }
                ws.set_freeze_panes(1, 0)?;
                current = Some((sheets, 1, heads.len().saturating_sub(1) as u16));
                sheets += 1;
            }
            Part::Rows(rows) => {
                let Some((i, next_row, _)) = current.as_mut() else { continue };
                let ws = wb.worksheet_from_index(*i)?;
                for row in rows {
                    for (c, v) in row.iter().enumerate() {
                        let c = c as u16;
                        let r = *next_row;
                        match v {
                            Value::Empty => {}
                            Value::Text(s) => {
                                ws.write_string(r, c, neutralise(s).as_ref())?;
                            }
                            Value::Date(d) => {
                                ws.write_datetime_with_format(r, c, d, &f.date)?;
                            }
                            Value::Int(n) => {
                                ws.write_number(r, c, *n as f64)?;
                            }
                            Value::Yuan(n) => {
                                ws.write_number_with_format(r, c, *n as f64, &f.yuan)?;
                            }
                            Value::Fen(n) => {
                                ws.write_number_with_format(r, c, *n as f64 / 100.0, &f.fen)?;
                            }
                        }
                    }
                    *next_row += 1;
                }
            }
            Part::Done => {
                close(wb, current)?;
                if sheets == 0 {
                    wb.add_worksheet();
                }
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let clean: String =
        name.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).filter(|c| *c != '\'').take(31).collect();
    if clean.trim().is_empty() { "Sheet".to_string() } else { clean }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_in_text_are_neutralised() {
        for risky in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"] {
            assert_eq!(neutralise(risky), format!("'{risky}"), "{risky:?}");
        }
        for plain in ["数控技术", "a=b", "1-2", " =x", "", "'quoted"] {
            assert_eq!(neutralise(plain), plain, "{plain:?}");
        }
        let long = "长".repeat(MAX_CELL_CHARS + 10);
        assert_eq!(neutralise(&long).chars().count(), MAX_CELL_CHARS);
        let long = format!("={}", "x".repeat(MAX_CELL_CHARS));
        let n = neutralise(&long);
        assert!(n.starts_with("'="));
        assert_eq!(n.chars().count(), MAX_CELL_CHARS);
    }

    #[test]
    fn file_names_carry_the_language_and_the_day() {
        let day = Date::new(2025, 3, 9).unwrap();
        let d = disposition("工作室", "studios", day);
        assert_eq!(
            d,
            "attachment; filename=\"studios_2025-03-09.xlsx\"; \
             filename*=UTF-8''%E5%B7%A5%E4%BD%9C%E5%AE%A4_2025-03-09.xlsx"
        );
    }

    #[test]
    fn sheet_names_fit_excel() {
        assert_eq!(sheet_name("a/b:c"), "a_b_c");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
        assert_eq!(sheet_name("  "), "Sheet");
    }

    #[test]
    fn tokens_are_read_from_the_query() {
        assert_eq!(token_of(Some("level=a&dl=123")).as_deref(), Some("123"));
        assert_eq!(token_of(Some("level=a")), None);
        assert_eq!(token_of(None), None);
    }
}
