//! Reading an uploaded batch-call file (CSV, XLSX, XLS or ODS) into plain text rows.
//!
//! This module owns format detection, text decoding, delimiter sniffing, header matching and
//! row numbering. It knows nothing about phone-number rules or variables beyond locating the
//! special columns; judging the rows is `validate`'s job.
//!
//! Row numbers (`RawRow::row`) are the row numbers a user sees when opening the file in a
//! spreadsheet program: the header is row 1 when it is the first line, blank lines and blank
//! rows count as rows (they are skipped but not renumbered), and a CSV record whose quoted
//! cell spans several lines is one row. For Excel/ODS this is the sheet's own row number.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, Reader};

/// The rows of an uploaded file, ready for validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// Header names as found (trimmed), in file order, without unnamed columns.
    pub headers: Vec<String>,
    /// Data rows, entirely empty rows left out.
    pub rows: Vec<RawRow>,
    /// Non-fatal oddities worth showing the user (ignored cells, …).
    pub warnings: Vec<String>,
}

/// One data row of the file, cells as text exactly as the user sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// 1-based row number as shown by a spreadsheet program (see the module doc).
    pub row: usize,
    /// The number cell as typed (not trimmed, not normalised).
    pub number: String,
    /// The `dynamicVariables` cell; `None` when the column is absent or the cell is blank.
    pub dynamic_variables: Option<String>,
    /// Every other named column, in header order, as (header, cell); empty cells are "".
    pub columns: Vec<(String, String)>,
}

/// Why a file could not be turned into rows. Messages are meant for the uploader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file has no data rows: it needs a header row and at least one row below it")]
    Empty,
    #[error("{}", no_number_message(.found))]
    NoNumberColumn { found: Vec<String> },
    #[error("these column names appear more than once: {}", .0.join(", "))]
    DuplicateHeaders(Vec<String>),
    #[error("the file has more than {max} rows (found at least {found_at_least}); split it into smaller files")]
    TooManyRows { max: usize, found_at_least: usize },
    #[error("{0}")]
    Unreadable(String),
}

fn no_number_message(found: &[String]) -> String {
    let base = "no phone number column: name one column \"number\" (\"phone_number\" and \"phone\" also work)";
    if found.is_empty() {
        format!("{base}; the header row has no column names")
    } else {
        format!("{base}; columns found: {}", found.join(", "))
    }
}

/// The file formats we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

/// Reads the first sheet of `bytes` into rows.
///
/// The format comes from the content (ZIP → XLSX, or ODS when the archive says so; OLE → XLS),
/// then from `file_name`'s extension, else CSV. At most `max_rows` data rows are accepted.
pub fn read_sheet(file_name: Option<&str>, bytes: &[u8], max_rows: usize) -> Result<Sheet, FileError> {
    match detect_format(file_name, bytes) {
        Format::Csv => read_csv(bytes, max_rows),
        other => read_workbook(other, bytes, max_rows),
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0";
const ODS_MIME: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

fn detect_format(file_name: Option<&str>, bytes: &[u8]) -> Format {
    if bytes.starts_with(ZIP_MAGIC) {
        // ODF puts an uncompressed `mimetype` entry first, so its text sits near the start.
        // Anything else zipped is treated as XLSX; `read_workbook` falls back on failure.
        let head = &bytes[..bytes.len().min(256)];
        if contains(head, b"mimetype") && contains(head, ODS_MIME) {
            return Format::Ods;
        }
        if extension(file_name).as_deref() == Some("xlsb") {
            return Format::Xlsb;
        }
        return Format::Xlsx;
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Format::Xls;
    }
    match extension(file_name).as_deref() {
        Some("xlsx" | "xlsm") => Format::Xlsx,
        Some("xlsb") => Format::Xlsb,
        Some("xls") => Format::Xls,
        Some("ods") => Format::Ods,
        _ => Format::Csv,
    }
}

fn extension(file_name: Option<&str>) -> Option<String> {
    let name = file_name?;
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.trim().to_ascii_lowercase())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Shared row handling: header detection, special columns, empty rows, limits, warnings.

const NUMBER_KEYS: [&str; 3] = ["number", "phonenumber", "phone"];
const VARIABLES_KEY: &str = "dynamicvariables";

/// Header comparison key for the special columns: case, spaces, `_` and `-` do not matter.
fn header_key(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, ' ' | '_' | '-')).flat_map(char::to_lowercase).collect()
}

/// Where things are, decided once from the header row.
struct Layout {
    width: usize,
    number: usize,
    variables: Option<usize>,
    /// (cell index, header name) of every ordinary named column, in header order.
    columns: Vec<(usize, String)>,
    /// Cell indexes of columns whose header is blank.
    unnamed: Vec<usize>,
}

fn is_blank(cell: &str) -> bool {
    cell.trim().is_empty()
}

fn layout_from_header<S: AsRef<str>>(cells: &[S]) -> Result<(Vec<String>, Layout), FileError> {
    let names: Vec<&str> = cells.iter().map(|c| c.as_ref().trim()).collect();
    let headers: Vec<String> = names.iter().filter(|n| !n.is_empty()).map(|n| n.to_string()).collect();

    let mut seen = std::collections::HashSet::new();
    let mut dups: Vec<String> = Vec::new();
    for name in &headers {
        if !seen.insert(name.as_str()) && !dups.contains(name) {
            dups.push(name.clone());
        }
    }
    if !dups.is_empty() {
        return Err(FileError::DuplicateHeaders(dups));
    }

    let keys: Vec<String> = names.iter().map(|n| header_key(n)).collect();
    // Two spellings of the same special column ("Phone Number" and "phone_number") would
    // leave it unclear which one to dial, so they count as duplicates.
    let find_special = |key: &str| -> Result<Option<usize>, FileError> {
        let hits: Vec<usize> = (0..names.len()).filter(|&i| !names[i].is_empty() && keys[i] == key).collect();
        match hits.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => Err(FileError::DuplicateHeaders(many.iter().map(|&i| names[i].to_string()).collect())),
        }
    };

    let mut number = None;
    for key in NUMBER_KEYS {
        if let Some(i) = find_special(key)? {
            number = Some(i);
            break;
        }
    }
    let Some(number) = number else {
        return Err(FileError::NoNumberColumn { found: headers });
    };
    let variables = find_special(VARIABLES_KEY)?;

    let mut columns = Vec::new();
    let mut unnamed = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            unnamed.push(i);
        } else if i != number && Some(i) != variables {
            columns.push((i, name.to_string()));
        }
    }
    let layout = Layout { width: names.len(), number, variables, columns, unnamed };
    Ok((headers, layout))
}

/// Builds a `Sheet` from rows fed in file order.
struct Collector {
    max_rows: usize,
    headers: Vec<String>,
    layout: Option<Layout>,
    rows: Vec<RawRow>,
    extra_rows: usize,
    first_extra_row: usize,
    unnamed_with_data: Vec<usize>,
    /// Absolute index of the first cell fed in, so warnings name the real column letter.
    first_column: usize,
}

impl Collector {
    fn new(max_rows: usize) -> Self {
        Collector {
            first_column: 0,
            max_rows,
            headers: Vec::new(),
            layout: None,
            rows: Vec::new(),
            extra_rows: 0,
            first_extra_row: 0,
            unnamed_with_data: Vec::new(),
        }
    }

    fn push<S: AsRef<str>>(&mut self, row: usize, cells: &[S]) -> Result<(), FileError> {
        if cells.iter().all(|c| is_blank(c.as_ref())) {
            return Ok(());
        }
        let Some(layout) = &self.layout else {
            let (headers, layout) = layout_from_header(cells)?;
            self.headers = headers;
            self.layout = Some(layout);
            return Ok(());
        };
        if self.rows.len() >= self.max_rows {
            return Err(FileError::TooManyRows { max: self.max_rows, found_at_least: self.rows.len() + 1 });
        }

        let cell = |i: usize| cells.get(i).map_or("", |c| c.as_ref());
        if cells.len() > layout.width && cells[layout.width..].iter().any(|c| !is_blank(c.as_ref())) {
            if self.extra_rows == 0 {
                self.first_extra_row = row;
            }
            self.extra_rows += 1;
        }
        for &i in &layout.unnamed {
            if !is_blank(cell(i)) && !self.unnamed_with_data.contains(&i) {
                self.unnamed_with_data.push(i);
            }
        }

        let dynamic_variables = layout.variables.map(cell).filter(|v| !is_blank(v)).map(str::to_string);
        let columns = layout.columns.iter().map(|(i, name)| (name.clone(), cell(*i).to_string())).collect();
        self.rows.push(RawRow { row, number: cell(layout.number).to_string(), dynamic_variables, columns });
        Ok(())
    }

    fn finish(self) -> Result<Sheet, FileError> {
        if self.layout.is_none() || self.rows.is_empty() {
            return Err(FileError::Empty);
        }
        let mut warnings = Vec::new();
        if self.extra_rows > 0 {
            warnings.push(format!(
                "{} row(s) have more cells than the header has columns; the extra cells were ignored (first at row {})",
                self.extra_rows, self.first_extra_row
            ));
        }
        let mut unnamed = self.unnamed_with_data;
        unnamed.sort_unstable();
        for i in unnamed {
            warnings.push(format!("column {} has no name in the header row; its values were ignored", column_letters(self.first_column + i)));
        }
        Ok(Sheet { headers: self.headers, rows: self.rows, warnings })
    }
}

/// Spreadsheet column name for a 0-based index: 0 → A, 25 → Z, 26 → AA.
fn column_letters(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// CSV

fn read_csv(bytes: &[u8], max_rows: usize) -> Result<Sheet, FileError> {
    let text = decode_text(bytes);
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());

    let mut collector = Collector::new(max_rows);
    let mut record = csv::StringRecord::new();
    // The csv crate silently drops blank lines (and its record positions do not show them); a
    // spreadsheet program shows them as rows, so count the line breaks that come before each
    // record's first byte.
    let text_bytes = text.as_bytes();
    let mut sheet_row = 0usize;
    let mut record_start = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(FileError::Unreadable(format!("could not read the CSV file: {e}"))),
        }
        sheet_row += 1 + leading_line_breaks(text_bytes, record_start);
        record_start = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);

        let cells: Vec<&str> = record.iter().collect();
        collector.push(sheet_row, &cells)?;
    }
    collector.finish()
}

/// Line breaks (`\n`, `\r\n` or a lone `\r`, as the csv crate accepts) starting at `from`.
fn leading_line_breaks(bytes: &[u8], from: usize) -> usize {
    let mut count = 0;
    let mut i = from;
    // The csv crate ends a record after the `\r` of a `\r\n`; that `\n` is no blank line.
    if i > 0 && bytes.get(i - 1) == Some(&b'\r') && bytes.get(i) == Some(&b'\n') {
        i += 1;
    }
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => count += 1,
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
            b'\r' => count += 1,
            _ => break,
        }
        i += 1;
    }
    count
}

/// Decodes CSV bytes: BOM-marked UTF-8/UTF-16, plain UTF-8, BOM-less UTF-16 (detected by its
/// zero bytes), else Windows-1252, which is what Excel on Windows writes for "CSV".
fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text;
    }
    if let Some(encoding) = bomless_utf16(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return text;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// Text in UTF-16 without a BOM has a zero byte in nearly every other position (for the
/// Latin script a CSV header uses); real UTF-8/1252 text has none.
fn bomless_utf16(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(512) & !1];
    if head.len() < 4 {
        return None;
    }
    let pairs = head.len() / 2;
    let zero_even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let zero_odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if zero_odd * 10 >= pairs * 8 && zero_even == 0 {
        Some(encoding_rs::UTF_16LE)
    } else if zero_even * 10 >= pairs * 8 && zero_odd == 0 {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Picks the delimiter that occurs most often (outside quotes) on the first non-blank line;
/// ties go to the earlier of `, ; \t |`, and a line with none of them means `,`.
fn sniff_delimiter(text: &str) -> u8 {
    let bytes = text.as_bytes();
    let mut counts = [0usize; DELIMITERS.len()];
    let mut in_quotes = false;
    let mut line_has_content = false;
    let mut field_start = true;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if in_quotes {
            if b == b'"' {
                if bytes.get(i) == Some(&b'"') {
                    i += 1; // "" is an escaped quote inside a quoted field
                } else {
                    in_quotes = false;
                }
            }
            continue;
        }
        match b {
            // As in RFC 4180 (and the csv crate), a quote only opens a quoted field at the
            // field's start; `5" screen` is plain text.
            b'"' if field_start => {
                in_quotes = true;
                line_has_content = true;
                field_start = false;
            }
            b'\n' | b'\r' => {
                if line_has_content {
                    break;
                }
                field_start = true;
            }
            _ => {
                if let Some(k) = DELIMITERS.iter().position(|&d| d == b) {
                    counts[k] += 1;
                    line_has_content = true;
                    field_start = true;
                } else if b == b' ' && field_start {
                    // Leading spaces keep the field open for a quote (`a, "b"`).
                } else {
                    line_has_content |= !b.is_ascii_whitespace();
                    field_start = false;
                }
            }
        }
    }
    let mut best = 0;
    for k in 1..DELIMITERS.len() {
        if counts[k] > counts[best] {
            best = k;
        }
    }
    DELIMITERS[best]
}

// ---------------------------------------------------------------------------------------------
// Excel and ODS

fn read_workbook(format: Format, bytes: &[u8], max_rows: usize) -> Result<Sheet, FileError> {
    if format == Format::Xls && is_encrypted_ooxml(bytes) {
        // Excel stores a password-protected .xlsx inside an OLE container, which would
        // otherwise be reported as a broken .xls.
        return Err(FileError::Unreadable("the workbook is password-protected: save a copy without a password and upload that".to_string()));
    }
    let range = match first_sheet(format, bytes) {
        Ok(range) => range,
        Err(first_error) => {
            // A ZIP that is not the XLSX we guessed may still be an ODS or XLSB workbook.
            let fallbacks: &[Format] = match format {
                Format::Xlsx => &[Format::Ods, Format::Xlsb],
                Format::Ods => &[Format::Xlsx],
                Format::Xlsb => &[Format::Xlsx],
                _ => &[],
            };
            fallbacks.iter().find_map(|&f| first_sheet(f, bytes).ok()).ok_or(first_error)?
        }
    };

    let mut collector = Collector::new(max_rows);
    // Ranges start at the first used cell; its absolute position keeps row numbers and
    // column letters true to the sheet.
    let (first_row, first_column) = range.start().map_or((0, 0), |(row, column)| (row as usize, column as usize));
    collector.first_column = first_column;
    let mut cells: Vec<String> = Vec::with_capacity(range.width());
    for (i, data_row) in range.rows().enumerate() {
        cells.clear();
        cells.extend(data_row.iter().map(cell_text));
        collector.push(first_row + i + 1, &cells)?;
    }
    collector.finish()
}

/// An OLE file holding an `EncryptedPackage` stream (its name is stored in UTF-16LE).
fn is_encrypted_ooxml(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes).collect();
    contains(bytes, &name)
}

fn first_sheet(format: Format, bytes: &[u8]) -> Result<calamine::Range<Data>, FileError> {
    let cursor = Cursor::new(bytes);
    match format {
        Format::Xlsx => open_first::<calamine::Xlsx<_>>(cursor, "an Excel (.xlsx)"),
        Format::Xlsb => open_first::<calamine::Xlsb<_>>(cursor, "an Excel binary (.xlsb)"),
        Format::Xls => open_first::<calamine::Xls<_>>(cursor, "an Excel 97-2003 (.xls)"),
        Format::Ods => open_first::<calamine::Ods<_>>(cursor, "an OpenDocument (.ods)"),
        Format::Csv => Err(FileError::Unreadable("not a workbook".to_string())),
    }
}

fn open_first<'a, R>(cursor: Cursor<&'a [u8]>, kind: &str) -> Result<calamine::Range<Data>, FileError>
where
    R: Reader<Cursor<&'a [u8]>>,
{
    // Library errors ("Zip error: Could not find EOCD", some with Debug text inside) mean
    // nothing to an uploader, so the message names the format and the likely causes only.
    let unreadable =
        || FileError::Unreadable(format!("could not open the file as {kind} spreadsheet: it may be damaged, password-protected or not really that kind of file"));
    let mut workbook = R::new(cursor).map_err(|_| unreadable())?;
    // "First sheet" means the first worksheet the user can see: chart and macro sheets hold no
    // rows, and a hidden first sheet is not what the user thinks of as the first one.
    let sheets = workbook.sheets_metadata();
    let is_worksheet = |s: &&calamine::Sheet| s.typ == calamine::SheetType::WorkSheet;
    let name = sheets
        .iter()
        .filter(is_worksheet)
        .find(|s| s.visible == calamine::SheetVisible::Visible)
        .or_else(|| sheets.iter().find(is_worksheet))
        .map(|s| s.name.clone())
        .ok_or_else(|| FileError::Unreadable(format!("{kind} file contains no worksheet")))?;
    workbook.worksheet_range(&name).map_err(|_| unreadable())
}

/// Cell text the way a spreadsheet shows it by default.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_datetime_text(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// Plain decimal, never scientific, rounded to the 15 significant digits Excel displays, so
/// 14155550123 stays "14155550123" and 0.1+0.2 shows as "0.3".
fn float_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let rounded = format!("{f:.14e}").parse::<f64>().unwrap_or(f);
    if rounded == 0.0 {
        return "0".to_string(); // also turns -0 into 0
    }
    // Rust's `Display` for f64 is the shortest round-trip text and never uses an exponent.
    rounded.to_string()
}

fn excel_datetime_text(dt: &calamine::ExcelDateTime) -> String {
    let value = dt.as_f64();
    if dt.is_duration() {
        let total_ms = (value * 86_400_000.0).round() as i64;
        let sign = if total_ms < 0 { "-" } else { "" };
        let ms = total_ms.unsigned_abs();
        let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        return if milli == 0 { format!("{sign}{h}:{m:02}:{s:02}") } else { format!("{sign}{h}:{m:02}:{s:02}.{milli:03}") };
    }
    let (year, month, day, h, m, s, milli) = dt.to_ymd_hms_milli();
    let time = if milli == 0 { format!("{h:02}:{m:02}:{s:02}") } else { format!("{h:02}:{m:02}:{s:02}.{milli:03}") };
    if (0.0..1.0).contains(&value) {
        // Serial values below one day are times of day without a date.
        time
    } else if (h, m, s, milli) == (0, 0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{time}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> Sheet {
        read_sheet(Some("list.csv"), text.as_bytes(), 1000).unwrap()
    }

    fn cols(row: &RawRow) -> Vec<(&str, &str)> {
        row.columns.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    fn rows(sheet: &Sheet) -> Vec<usize> {
        sheet.rows.iter().map(|r| r.row).collect()
    }

    // --- CSV basics -------------------------------------------------------------------------

    #[test]
    fn csv_basic_rows_columns_and_numbering() {
        let sheet = csv("number,first_name,city\n+14155550123,Ana,Lisbon\n+14155550124,,Porto\n");
        assert_eq!(sheet.headers, ["number", "first_name", "city"]);
        assert_eq!(rows(&sheet), [2, 3]);
        assert_eq!(sheet.rows[0].number, "+14155550123");
        assert_eq!(sheet.rows[0].dynamic_variables, None);
        assert_eq!(cols(&sheet.rows[0]), [("first_name", "Ana"), ("city", "Lisbon")]);
        assert_eq!(cols(&sheet.rows[1]), [("first_name", ""), ("city", "Porto")]);
        assert!(sheet.warnings.is_empty());
    }

    #[test]
    fn csv_number_cell_is_kept_as_typed() {
        let sheet = csv("number,x\n  (415) 555-0123 ,y\n");
        assert_eq!(sheet.rows[0].number, "  (415) 555-0123 ");
    }

    #[test]
    fn csv_sniffs_semicolon_tab_and_pipe() {
        for delim in [";", "\t", "|"] {
            let text = format!("number{d}name{d}note\n1{d}Ana{d}a,b\n", d = delim);
            let sheet = csv(&text);
            assert_eq!(sheet.headers, ["number", "name", "note"], "delimiter {delim:?}");
            assert_eq!(cols(&sheet.rows[0]), [("name", "Ana"), ("note", "a,b")]);
        }
    }

    #[test]
    fn csv_sniff_ignores_delimiters_inside_quotes() {
        // Three commas inside the quoted header name must not beat the two semicolons.
        let sheet = csv("\"a,b,c,d\";number;name\nx;1;Ana\n");
        assert_eq!(sheet.headers, ["a,b,c,d", "number", "name"]);
        assert_eq!(sheet.rows[0].number, "1");
    }

    #[test]
    fn csv_sniff_handles_escaped_and_mid_field_quotes() {
        assert_eq!(sniff_delimiter("\"say \"\"hi;\"\"\";number;x,y\n"), b';');
        // A quote inside an unquoted field does not start a quoted section.
        assert_eq!(sniff_delimiter("size 5\" screen;number;name\n"), b';');
        assert_eq!(sniff_delimiter("a, \"b;c;d\", number\n"), b',');
        assert_eq!(sniff_delimiter("number\n"), b',');
        assert_eq!(sniff_delimiter("a;b,c;d|e\n"), b';');
        assert_eq!(sniff_delimiter("a,b;c\n"), b',', "ties go to the comma");
    }

    #[test]
    fn csv_sniff_skips_leading_blank_lines_and_single_column() {
        let sheet = csv("\n\nnumber\n+1\n+2\n");
        assert_eq!(sheet.headers, ["number"]);
        assert_eq!(rows(&sheet), [4, 5]);
        assert!(sheet.rows[0].columns.is_empty());
    }

    #[test]
    fn csv_quotes_embedded_newlines_and_delimiters() {
        let text = "number,note,name\n\"+1 415\",\"line one\nline two, still\",\"Ana \"\"A\"\"\"\n+2,plain,Bo\n";
        let sheet = csv(text);
        assert_eq!(sheet.rows[0].number, "+1 415");
        assert_eq!(cols(&sheet.rows[0]), [("note", "line one\nline two, still"), ("name", "Ana \"A\"")]);
        // The multi-line record is one spreadsheet row, so the next record is row 3, not 4.
        assert_eq!(rows(&sheet), [2, 3]);
    }

    #[test]
    fn csv_blank_lines_count_as_rows() {
        let text = "\nnumber,a\n1,\"x\ny\"\n\n\n2,b\n,\n3,c\n";
        let sheet = csv(text);
        assert_eq!(rows(&sheet), [3, 6, 8]);
    }

    #[test]
    fn csv_crlf_and_lone_cr_line_endings() {
        let sheet = csv("number,a\r\n1,x\r\n\r\n2,y\r\n");
        assert_eq!(rows(&sheet), [2, 4]);
        assert_eq!(cols(&sheet.rows[1]), [("a", "y")]);
        let sheet = csv("number,a\r1,x\r\r2,y\r");
        assert_eq!(rows(&sheet), [2, 4]);
        let sheet = csv("number,a\r\n1,\"x\r\ny\"\r\n2,z");
        assert_eq!(rows(&sheet), [2, 3]);
        assert_eq!(cols(&sheet.rows[0]), [("a", "x\r\ny")]);
    }

    #[test]
    fn csv_whitespace_and_delimiter_only_rows_are_skipped() {
        let sheet = csv("number,a,b\n1,x,y\n,,\n  ,\t,\n2,z,\n\n");
        assert_eq!(rows(&sheet), [2, 5]);
    }

    #[test]
    fn csv_ragged_rows() {
        let sheet = csv("number,a,b\n1\n2,x,y,extra,more\n3,x,y,,\n4,p,q,z\n");
        assert_eq!(cols(&sheet.rows[0]), [("a", ""), ("b", "")]);
        assert_eq!(cols(&sheet.rows[1]), [("a", "x"), ("b", "y")]);
        // Only non-empty extra cells are worth a warning; trailing delimiters are common.
        assert_eq!(sheet.warnings.len(), 1, "{:?}", sheet.warnings);
        assert!(sheet.warnings[0].starts_with("2 row(s) have more cells"), "{}", sheet.warnings[0]);
        assert!(sheet.warnings[0].contains("first at row 3"), "{}", sheet.warnings[0]);
    }

    #[test]
    fn csv_unnamed_column_with_values_is_ignored_with_warning() {
        let sheet = csv("number,,name\n1,secret,Ana\n");
        assert_eq!(sheet.headers, ["number", "name"]);
        assert_eq!(cols(&sheet.rows[0]), [("name", "Ana")]);
        assert_eq!(sheet.warnings, ["column B has no name in the header row; its values were ignored"]);
        // An unnamed column that stays empty (a trailing comma) is not worth a warning.
        assert!(csv("number,name,\n1,Ana,\n").warnings.is_empty());
    }

    #[test]
    fn column_letters_follow_spreadsheet_naming() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    // --- Encodings --------------------------------------------------------------------------

    const TEXT: &str = "number;prénom\n+33612345678;Zoë\n";

    fn check_french(sheet: &Sheet) {
        assert_eq!(sheet.headers, ["number", "prénom"]);
        assert_eq!(cols(&sheet.rows[0]), [("prénom", "Zoë")]);
    }

    #[test]
    fn utf8_with_and_without_bom() {
        check_french(&read_sheet(None, TEXT.as_bytes(), 10).unwrap());
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(TEXT.as_bytes());
        let sheet = read_sheet(None, &bytes, 10).unwrap();
        check_french(&sheet);
        assert_eq!(sheet.headers[0], "number", "BOM must not stick to the first header");
    }

    #[test]
    fn utf16_with_bom_both_byte_orders() {
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in TEXT.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        check_french(&read_sheet(None, &le, 10).unwrap());
        check_french(&read_sheet(None, &be, 10).unwrap());
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        let mut le = Vec::new();
        let mut be = Vec::new();
        for unit in TEXT.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        check_french(&read_sheet(None, &le, 10).unwrap());
        check_french(&read_sheet(None, &be, 10).unwrap());
    }

    #[test]
    fn windows_1252_when_not_utf8() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(TEXT);
        assert!(std::str::from_utf8(&bytes).is_err());
        check_french(&read_sheet(Some("export.csv"), &bytes, 10).unwrap());
        // 0x80 is the euro sign in 1252 (not a C1 control as in Latin-1).
        let sheet = read_sheet(None, b"number,price\n1,\x8010\n", 10).unwrap();
        assert_eq!(cols(&sheet.rows[0]), [("price", "€10")]);
    }

    // --- Header rules -----------------------------------------------------------------------

    #[test]
    fn number_column_spellings() {
        for header in ["number", "Number", "Phone Number", "phone-number", "phone_number", "PHONE", " phone "] {
            let sheet = csv(&format!("name,{header}\nAna,+1\n"));
            assert_eq!(sheet.rows[0].number, "+1", "header {header:?}");
            assert_eq!(cols(&sheet.rows[0]), [("name", "Ana")]);
        }
    }

    #[test]
    fn number_beats_phone_which_stays_a_variable() {
        let sheet = csv("phone,number\nhome,+1\n");
        assert_eq!(sheet.rows[0].number, "+1");
        assert_eq!(cols(&sheet.rows[0]), [("phone", "home")]);
        let sheet = csv("phone,Phone Number\nhome,+2\n");
        assert_eq!(sheet.rows[0].number, "+2");
    }

    #[test]
    fn dynamic_variables_column_spellings() {
        for header in ["dynamicVariables", "dynamic_variables", "Dynamic Variables", "DYNAMICVARIABLES"] {
            let sheet = csv(&format!("number,{header}\n+1,\"{{\"\"a\"\":1}}\"\n+2,  \n"));
            assert_eq!(sheet.rows[0].dynamic_variables.as_deref(), Some("{\"a\":1}"), "{header}");
            assert_eq!(sheet.rows[1].dynamic_variables, None, "blank cell means none");
            assert!(sheet.rows[0].columns.is_empty());
        }
    }

    #[test]
    fn header_names_are_trimmed_but_otherwise_exact() {
        let sheet = csv("number,  First Name ,first_name\n1,a,b\n");
        assert_eq!(sheet.headers, ["number", "First Name", "first_name"]);
        assert_eq!(cols(&sheet.rows[0]), [("First Name", "a"), ("first_name", "b")]);
    }

    #[test]
    fn missing_number_column_lists_headers() {
        let err = read_sheet(None, b"name,mobile\nAna,1\n", 10).unwrap_err();
        assert_eq!(err, FileError::NoNumberColumn { found: vec!["name".into(), "mobile".into()] });
        let message = err.to_string();
        assert!(message.contains("\"number\""), "{message}");
        assert!(message.ends_with("columns found: name, mobile"), "{message}");
    }

    #[test]
    fn duplicate_headers_are_named() {
        let err = read_sheet(None, b"number,name,name,city,city\n1,a,b,c,d\n", 10).unwrap_err();
        assert_eq!(err, FileError::DuplicateHeaders(vec!["name".into(), "city".into()]));
        assert_eq!(err.to_string(), "these column names appear more than once: name, city");
        // Trimmed names compare equal.
        let err = read_sheet(None, b"number,name , name\n1,a,b\n", 10).unwrap_err();
        assert_eq!(err, FileError::DuplicateHeaders(vec!["name".into()]));
    }

    #[test]
    fn two_spellings_of_a_special_column_are_duplicates() {
        let err = read_sheet(None, b"Phone Number,phone_number\n1,2\n", 10).unwrap_err();
        assert_eq!(err, FileError::DuplicateHeaders(vec!["Phone Number".into(), "phone_number".into()]));
        let err = read_sheet(None, b"number,dynamicVariables,dynamic_variables\n1,,\n", 10).unwrap_err();
        assert!(matches!(err, FileError::DuplicateHeaders(_)), "{err:?}");
    }

    // --- Limits and empties -----------------------------------------------------------------

    #[test]
    fn too_many_rows() {
        let text = "number\n1\n2\n3\n";
        assert_eq!(read_sheet(None, text.as_bytes(), 3).unwrap().rows.len(), 3);
        let err = read_sheet(None, text.as_bytes(), 2).unwrap_err();
        assert_eq!(err, FileError::TooManyRows { max: 2, found_at_least: 3 });
        assert!(err.to_string().contains("more than 2 rows"), "{err}");
        // Blank rows do not count towards the limit.
        assert_eq!(read_sheet(None, b"number\n1\n\n,\n2\n", 2).unwrap().rows.len(), 2);
    }

    #[test]
    fn empty_inputs() {
        for text in ["", "\n\n", " , \n,,\n", "number,name\n", "number,name\n,\n\n"] {
            assert_eq!(read_sheet(None, text.as_bytes(), 10), Err(FileError::Empty), "{text:?}");
        }
        assert!(FileError::Empty.to_string().contains("no data rows"));
    }

    // --- Format detection -------------------------------------------------------------------

    #[test]
    fn detects_format_by_content_then_extension() {
        assert_eq!(detect_format(Some("a.csv"), b"PK\x03\x04rest"), Format::Xlsx);
        assert_eq!(detect_format(None, b"\xD0\xCF\x11\xE0rest"), Format::Xls);
        let mut ods = b"PK\x03\x04".to_vec();
        ods.extend_from_slice(&[0u8; 26]);
        ods.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet");
        assert_eq!(detect_format(Some("x.xlsx"), &ods), Format::Ods);
        assert_eq!(detect_format(Some("Book.XLSX"), b"garbage"), Format::Xlsx);
        assert_eq!(detect_format(Some("old.xls"), b"garbage"), Format::Xls);
        assert_eq!(detect_format(Some("calc.ods"), b"garbage"), Format::Ods);
        assert_eq!(detect_format(Some("list.txt"), b"number"), Format::Csv);
        assert_eq!(detect_format(Some("noext"), b"number"), Format::Csv);
        assert_eq!(detect_format(None, b"number"), Format::Csv);
    }

    #[test]
    fn corrupt_workbooks_are_unreadable_with_a_human_message() {
        for (name, bytes) in [
            (Some("book.xlsx"), b"PK\x03\x04 this is not a zip".as_slice()),
            (None, b"\xD0\xCF\x11\xE0 not ole either".as_slice()),
            (Some("book.xlsx"), b"number\n1\n".as_slice()),
            (Some("calc.ods"), b"number\n1\n".as_slice()),
        ] {
            match read_sheet(name, bytes, 10) {
                Err(FileError::Unreadable(message)) => {
                    assert!(message.starts_with("could not open the file as "), "{message}");
                    assert!(!message.contains("{ "), "no Debug dumps: {message}");
                }
                other => panic!("{name:?}: expected Unreadable, got {other:?}"),
            }
        }
    }

    #[test]
    fn password_protected_xlsx_says_so() {
        let mut bytes = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        bytes.extend_from_slice(&[0u8; 100]);
        bytes.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        let err = read_sheet(Some("secret.xlsx"), &bytes, 10).unwrap_err();
        assert_eq!(err.to_string(), "the workbook is password-protected: save a copy without a password and upload that");
    }

    // --- Excel cell text --------------------------------------------------------------------

    #[test]
    fn floats_read_like_a_spreadsheet_shows_them() {
        assert_eq!(float_text(14155550123.0), "14155550123");
        assert_eq!(float_text(4.0), "4");
        assert_eq!(float_text(12.5), "12.5");
        assert_eq!(float_text(0.1 + 0.2), "0.3");
        assert_eq!(float_text(-0.0), "0");
        assert_eq!(float_text(-3.25), "-3.25");
        assert_eq!(float_text(1e20), "100000000000000000000");
        assert_eq!(float_text(1.5e-7), "0.00000015");
        assert_eq!(float_text(123456789012345678.0), "123456789012346000");
    }

    #[test]
    fn cell_text_for_every_kind_of_cell() {
        use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType::*};
        let dt = |v: f64, kind, is_1904| Data::DateTime(ExcelDateTime::new(v, kind, is_1904));
        assert_eq!(cell_text(&Data::Empty), "");
        assert_eq!(cell_text(&Data::String(" +1 415 ".into())), " +1 415 ");
        assert_eq!(cell_text(&Data::Int(14155550123)), "14155550123");
        assert_eq!(cell_text(&Data::Float(14155550123.0)), "14155550123");
        assert_eq!(cell_text(&Data::Bool(false)), "false");
        assert_eq!(cell_text(&Data::Error(CellErrorType::NA)), "#N/A");
        assert_eq!(cell_text(&Data::DateTimeIso("2026-03-08".into())), "2026-03-08");
        assert_eq!(cell_text(&Data::DurationIso("PT36H".into())), "PT36H");
        // 46089 is 2026-03-08 in the 1900 system; the 1904 system counts 1462 days fewer.
        assert_eq!(cell_text(&dt(46089.0, DateTime, false)), "2026-03-08");
        assert_eq!(cell_text(&dt(46089.0 - 1462.0, DateTime, true)), "2026-03-08");
        assert_eq!(cell_text(&dt(46089.75, DateTime, false)), "2026-03-08T18:00:00");
        assert_eq!(cell_text(&dt(0.5, DateTime, false)), "12:00:00");
        assert_eq!(cell_text(&dt(1.5, TimeDelta, false)), "36:00:00");
        assert_eq!(cell_text(&dt(-0.25, TimeDelta, false)), "-6:00:00");
    }

    fn xlsx_fixture() -> Vec<u8> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        // A hidden sheet in first place is not the "first sheet" a user sees.
        let hidden = book.add_worksheet();
        hidden.write_string(0, 0, "number").unwrap();
        hidden.write_string(1, 0, "+19999999999").unwrap();
        hidden.set_hidden(true);
        let sheet = book.add_worksheet();
        sheet.set_name("People").unwrap();
        sheet.set_active(true);
        // Header on row 3 (index 2), starting in column B, to prove row numbers stay true.
        let header = ["Phone Number", "name", "amount", "ratio", "vip", "due", "at", "when", "dynamic_variables"];
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(2, 1 + c as u16, *h).unwrap();
        }
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        let time = Format::new().set_num_format("hh:mm");
        sheet.write_number(3, 1, 14155550123.0).unwrap();
        sheet.write_string(3, 2, "Ana").unwrap();
        sheet.write_number(3, 3, 12.5).unwrap();
        sheet.write_number(3, 4, 0.1 + 0.2).unwrap();
        sheet.write_boolean(3, 5, true).unwrap();
        let d = ExcelDateTime::from_ymd(2026, 3, 8).unwrap();
        sheet.write_datetime_with_format(3, 6, &d, &date).unwrap();
        let dt = ExcelDateTime::from_ymd(2026, 11, 1).unwrap().and_hms(14, 30, 0).unwrap();
        sheet.write_datetime_with_format(3, 7, &dt, &datetime).unwrap();
        let t = ExcelDateTime::from_hms(9, 15, 0).unwrap();
        sheet.write_datetime_with_format(3, 8, &t, &time).unwrap();
        sheet.write_string(3, 9, "{\"city\":\"Lisbon\"}").unwrap();
        // Row index 4 left entirely empty; row index 5 has a text number and blanks.
        sheet.write_string(5, 1, "+1 415 555 0124").unwrap();
        sheet.write_number(5, 3, 3.0).unwrap();
        sheet.write_boolean(5, 5, false).unwrap();
        // A later sheet must be ignored.
        let other = book.add_worksheet();
        other.write_string(0, 0, "nothing here").unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn xlsx_first_sheet_cells_as_users_see_them() {
        let bytes = xlsx_fixture();
        let sheet = read_sheet(Some("people.xlsx"), &bytes, 100).unwrap();
        assert_eq!(sheet.headers, ["Phone Number", "name", "amount", "ratio", "vip", "due", "at", "when", "dynamic_variables"]);
        assert_eq!(rows(&sheet), [4, 6]);
        let first = &sheet.rows[0];
        assert_eq!(first.number, "14155550123");
        assert_eq!(first.dynamic_variables.as_deref(), Some("{\"city\":\"Lisbon\"}"));
        assert_eq!(
            cols(first),
            [("name", "Ana"), ("amount", "12.5"), ("ratio", "0.3"), ("vip", "true"), ("due", "2026-03-08"), ("at", "2026-11-01T14:30:00"), ("when", "09:15:00"),]
        );
        let second = &sheet.rows[1];
        assert_eq!(second.number, "+1 415 555 0124");
        assert_eq!(second.dynamic_variables, None);
        assert_eq!(cols(second), [("name", ""), ("amount", "3"), ("ratio", ""), ("vip", "false"), ("due", ""), ("at", ""), ("when", ""),]);
        assert!(sheet.warnings.is_empty(), "{:?}", sheet.warnings);
    }

    #[test]
    fn xlsx_is_detected_whatever_its_name() {
        let bytes = xlsx_fixture();
        for name in [None, Some("upload.csv"), Some("upload")] {
            let sheet = read_sheet(name, &bytes, 100).unwrap();
            assert_eq!(sheet.rows[0].number, "14155550123");
        }
    }

    #[test]
    fn xlsx_limits_and_header_checks_apply() {
        let bytes = xlsx_fixture();
        assert_eq!(read_sheet(None, &bytes, 1), Err(FileError::TooManyRows { max: 1, found_at_least: 2 }));

        use rust_xlsxwriter::Workbook;
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "name").unwrap();
        sheet.write_string(1, 0, "Ana").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(read_sheet(None, &bytes, 10), Err(FileError::NoNumberColumn { found: vec!["name".into()] }));

        let mut book = Workbook::new();
        book.add_worksheet();
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(read_sheet(None, &bytes, 10), Err(FileError::Empty));
    }

    #[test]
    fn xlsx_extra_cells_beyond_header_warn() {
        use rust_xlsxwriter::Workbook;
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "number").unwrap();
        sheet.write_number(1, 0, 1.0).unwrap();
        sheet.write_string(1, 2, "stray").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let sheet = read_sheet(None, &bytes, 10).unwrap();
        // The stray cell sits under an unnamed column (B and C are in the used range).
        assert_eq!(sheet.warnings, ["column C has no name in the header row; its values were ignored"]);
        assert_eq!(sheet.rows[0].number, "1");

        // Letters stay true when the used range starts further right.
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(1, 3, "number").unwrap();
        sheet.write_string(2, 3, "+1").unwrap();
        sheet.write_string(2, 5, "stray").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let sheet = read_sheet(None, &bytes, 10).unwrap();
        assert_eq!(sheet.warnings, ["column F has no name in the header row; its values were ignored"]);
        assert_eq!(sheet.rows[0].row, 3);
    }

    // LibreOffice-made fixtures from the CSV
    //   (blank line)
    //   number,first_name,amount,when,vip,dynamicVariables
    //   14155550123,Ana,12.5,2026-03-08,TRUE,"{""city"": ""Lisbon""}"
    //   ,,,,,
    //   +1 415 555 0124,Bo,3,2026-11-01,FALSE,
    fn check_libreoffice_fixture(sheet: &Sheet) {
        assert_eq!(sheet.headers, ["number", "first_name", "amount", "when", "vip", "dynamicVariables"]);
        assert_eq!(rows(sheet), [3, 5]);
        assert_eq!(sheet.rows[0].number, "14155550123");
        assert_eq!(sheet.rows[0].dynamic_variables.as_deref(), Some("{\"city\": \"Lisbon\"}"));
        assert_eq!(cols(&sheet.rows[0]), [("first_name", "Ana"), ("amount", "12.5"), ("when", "2026-03-08"), ("vip", "true")]);
        assert_eq!(sheet.rows[1].number, "+1 415 555 0124");
        assert_eq!(cols(&sheet.rows[1]), [("first_name", "Bo"), ("amount", "3"), ("when", "2026-11-01"), ("vip", "false")]);
    }

    #[test]
    fn xls_fixture() {
        let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/batch/sample.xls"));
        check_libreoffice_fixture(&read_sheet(Some("sample.xls"), bytes, 10).unwrap());
        check_libreoffice_fixture(&read_sheet(None, bytes, 10).unwrap());
    }

    #[test]
    fn ods_fixture() {
        let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/batch/sample.ods"));
        assert_eq!(detect_format(None, bytes), Format::Ods);
        check_libreoffice_fixture(&read_sheet(Some("sample.ods"), bytes, 10).unwrap());
        check_libreoffice_fixture(&read_sheet(Some("sample.xlsx"), bytes, 10).unwrap());
    }

    #[test]
    fn csv_matches_the_libreoffice_fixtures() {
        let text = "\nnumber,first_name,amount,when,vip,dynamicVariables\n14155550123,Ana,12.5,2026-03-08,TRUE,\"{\"\"city\"\": \"\"Lisbon\"\"}\"\n,,,,,\n+1 415 555 0124,Bo,3,2026-11-01,FALSE,\n";
        let sheet = csv(text);
        assert_eq!(rows(&sheet), [3, 5]);
        assert_eq!(sheet.rows[0].dynamic_variables.as_deref(), Some("{\"city\": \"Lisbon\"}"));
        // CSV keeps text as typed; only spreadsheets have typed booleans.
        assert_eq!(cols(&sheet.rows[0])[3], ("vip", "TRUE"));
    }

    // --- Performance ------------------------------------------------------------------------

    #[test]
    fn hundred_thousand_csv_rows() {
        let mut text = String::from("number,first_name,last_name,city,dynamicVariables\n");
        for i in 0..100_000 {
            text.push_str(&format!("+1415{i:07},Name{i},\"Last, {i}\",City,\"{{\"\"k\"\":{i}}}\"\n"));
        }
        let started = std::time::Instant::now();
        let sheet = read_sheet(Some("big.csv"), text.as_bytes(), 100_000).unwrap();
        let elapsed = started.elapsed();
        eprintln!("100,000 CSV rows parsed in {elapsed:?}");
        assert_eq!(sheet.rows.len(), 100_000);
        assert_eq!(sheet.rows[99_999].row, 100_001);
        assert_eq!(sheet.rows[99_999].number, "+14150099999");
        if !cfg!(debug_assertions) {
            assert!(elapsed.as_millis() < 500, "took {elapsed:?}");
        }
    }
}
