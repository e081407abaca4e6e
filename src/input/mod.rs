//! Input: read a corpus from text files, JSONL or CSV (each optionally gzip-compressed).
//!
//! Reading is split in two so that the expensive half can run in parallel: a [`Reader`]
//! walks one input sequentially and yields raw [`Item`]s (a JSONL line, a CSV row, a whole
//! `.txt` file) with their location; [`InputOptions::parse`] turns an item into a
//! [`Document`] and is pure, so [`crate::pipeline`] runs it on many items at once.
//!
//! Formats:
//! - **txt**: a directory of `.txt` files, walked recursively in sorted order (names starting
//!   with `.` are skipped, as are files not ending in `.txt` or `.txt.gz`); a file's id is its
//!   path relative to the directory, `/`-separated, without the extension. A single `.txt`
//!   file is one document whose id is its file stem.
//! - **jsonl**: one JSON object per line with an id (string or integer) and a text field;
//!   other fields are kept untouched in the raw line. Blank lines are skipped.
//! - **csv**: a header row naming the id and text columns; every row must have the header's
//!   number of fields.
//!
//! `-` reads JSONL from standard input. A `.gz` suffix decompresses on the fly.
//!
//! JSONL and CSV records may also carry a publication date ([`InputOptions::date_field`],
//! [`InputOptions::date_column`]; forms in [`date`]), which the rewrite tier uses.

pub mod date;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use flate2::read::MultiGzDecoder;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use crate::error::{Error, Location, Result};

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A directory of `.txt` files, or one `.txt` file.
    Txt,
    /// JSON Lines.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "txt" => Ok(Format::Txt),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            other => Err(format!(
                "unknown format {other:?} (expected txt, jsonl or csv)"
            )),
        }
    }
}

/// One input and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// The path; `-` is standard input.
    pub path: PathBuf,
    /// The format.
    pub format: Format,
    /// Whether the bytes are gzip-compressed (files only; a directory's `.txt.gz` members are
    /// recognised one by one).
    pub gzip: bool,
}

impl InputSpec {
    /// Works out the format of `path` from its extension (`.jsonl`, `.ndjson`, `.json`,
    /// `.csv`, `.txt`, each optionally followed by `.gz`) or from it being a directory, unless
    /// `format` overrides it. `-` is JSONL on standard input unless overridden.
    pub fn detect(path: impl Into<PathBuf>, format: Option<Format>) -> Result<Self> {
        let path = path.into();
        if path.as_os_str() == "-" {
            return Ok(InputSpec {
                path,
                format: format.unwrap_or(Format::Jsonl),
                gzip: false,
            });
        }
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        if meta.is_dir() {
            if format.is_some_and(|f| f != Format::Txt) {
                return Err(Error::Config(format!(
                    "{}: a directory can only be read as txt",
                    path.display()
                )));
            }
            return Ok(InputSpec {
                path,
                format: Format::Txt,
                gzip: false,
            });
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let (stem, gzip) = match name.strip_suffix(".gz") {
            Some(stem) => (stem.to_string(), true),
            None => (name.clone(), false),
        };
        let detected = match stem.rsplit_once('.').map(|(_, ext)| ext) {
            Some("jsonl" | "ndjson" | "json") => Some(Format::Jsonl),
            Some("csv") => Some(Format::Csv),
            Some("txt") => Some(Format::Txt),
            _ => None,
        };
        let format = format.or(detected).ok_or_else(|| {
            Error::Config(format!(
                "{}: cannot tell the format from the name; pass --format txt|jsonl|csv",
                path.display()
            ))
        })?;
        Ok(InputSpec { path, format, gzip })
    }

    /// Opens the input for reading.
    pub fn open(&self, options: &InputOptions) -> Result<Reader> {
        Reader::open(self, options)
    }
}

/// Field and column names, shared by every input of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputOptions {
    /// JSONL field holding the document id. By default, `id`.
    pub id_field: String,
    /// JSONL field holding the text. By default, `text`.
    pub text_field: String,
    /// CSV column holding the document id. By default, `id`.
    pub id_column: String,
    /// CSV column holding the text. By default, `text`.
    pub text_column: String,
    /// JSONL field holding a headline, read as the first line of the text (a news page's
    /// headline above its body; a text file's first line is read so already). A record
    /// without it, or with `null` or `""` in it, has no headline. Empty: not read. By
    /// default, empty.
    pub title_field: String,
    /// CSV column holding a headline, as [`Self::title_field`]. Empty: not read. By
    /// default, empty.
    pub title_column: String,
    /// JSONL field holding the publication date ([`date::parse_date`], or a JSON number of
    /// Unix seconds or milliseconds); a record without
    /// the field, or with `null` or `""` in it, has no date. Empty: dates are not read.
    /// By default, empty (the CLI reads `date` when the rewrite tier runs).
    pub date_field: String,
    /// CSV column holding the publication date, as [`Self::date_field`]; a CSV without
    /// the column has no dates. Empty: dates are not read. By default, empty.
    pub date_column: String,
    /// Keep each record's raw form in [`Document::raw`] (needed to write records back, as
    /// `dedup` does). By default, off.
    pub keep_raw: bool,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            id_field: "id".into(),
            text_field: "text".into(),
            id_column: "id".into(),
            text_column: "text".into(),
            title_field: String::new(),
            title_column: String::new(),
            date_field: String::new(),
            date_column: String::new(),
            keep_raw: false,
        }
    }
}

/// A document as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Unique id.
    pub id: String,
    /// The text to fingerprint.
    pub text: String,
    /// Where the record is.
    pub location: Location,
    /// Publication date in seconds since 1970-01-01 UTC, when the record gives one
    /// ([`InputOptions::date_field`]).
    pub date: Option<i64>,
    /// The record as it was in the input, when [`InputOptions::keep_raw`] is set.
    pub raw: Option<Raw>,
}

/// A record exactly as it was read, for writing it back unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raw {
    /// A JSONL line without its line terminator.
    Line(Vec<u8>),
    /// A CSV row.
    Row(csv::ByteRecord),
    /// A `.txt` file's bytes and its path relative to the input directory.
    File {
        /// Relative path, `/`-separated, with its extension.
        relative: String,
        /// The file's content (decompressed).
        bytes: Vec<u8>,
    },
}

/// A raw record and where it came from, not yet parsed.
#[derive(Debug, Clone)]
pub struct Item {
    /// Where it is.
    pub location: Location,
    payload: Payload,
}

#[derive(Debug, Clone)]
enum Payload {
    Line(Vec<u8>),
    Row {
        record: csv::ByteRecord,
        id: usize,
        text: usize,
        title: Option<usize>,
        date: Option<usize>,
    },
    File {
        relative: String,
        bytes: Vec<u8>,
    },
    /// A record the reader already knows to be broken (a CSV row of the wrong width).
    Invalid(String),
}

impl Item {
    /// The size of the raw record in bytes (for progress reporting).
    pub fn len(&self) -> usize {
        match &self.payload {
            Payload::Line(l) => l.len() + 1,
            Payload::Row { record, .. } => record.as_slice().len() + record.len(),
            Payload::File { bytes, .. } => bytes.len(),
            Payload::Invalid(_) => 0,
        }
    }

    /// True when the raw record has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads one input sequentially, yielding raw items. An `Err` from the iterator is fatal
/// for this input (an unreadable file, a CSV without the needed columns); errors in single
/// records surface later, from [`InputOptions::parse`].
pub struct Reader {
    inner: ReaderKind,
    path: PathBuf,
}

enum ReaderKind {
    Lines {
        reader: Box<dyn BufRead + Send>,
        line: u64,
        buf: Vec<u8>,
    },
    Csv {
        reader: csv::Reader<Box<dyn Read + Send>>,
        header: csv::ByteRecord,
        id: usize,
        text: usize,
        title: Option<usize>,
        date: Option<usize>,
    },
    Files {
        root: PathBuf,
        files: std::vec::IntoIter<PathBuf>,
    },
    Done,
}

fn open_bytes(path: &Path, gzip: bool) -> Result<Box<dyn Read + Send>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(io::stdin()));
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    if gzip {
        Ok(Box::new(MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            file,
        ))))
    } else {
        Ok(Box::new(file))
    }
}

fn is_gz(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Every `.txt` / `.txt.gz` file under `dir`, sorted, hidden names skipped.
fn walk_txt(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let ty = entry.file_type().map_err(|e| Error::io(&path, e))?;
            let ty = if ty.is_symlink() {
                std::fs::metadata(&path)
                    .map_err(|e| Error::io(&path, e))?
                    .file_type()
            } else {
                ty
            };
            let lower = name.to_lowercase();
            if ty.is_dir() {
                stack.push(path);
            } else if lower.ends_with(".txt") || lower.ends_with(".txt.gz") {
                out.push(path);
            }
        }
    }
    // Sort by the id the file will get, so `a.txt` comes before `a-copy.txt` ("." sorts
    // after "-" in raw paths) and "first in input order" means first by id.
    out.sort_by_cached_key(|p| {
        let s = p.to_string_lossy().into_owned();
        let lower = s.to_lowercase();
        let cut = if lower.ends_with(".txt.gz") { 7 } else { 4 };
        s[..s.len() - cut].to_string()
    });
    Ok(out)
}

impl Reader {
    fn open(spec: &InputSpec, options: &InputOptions) -> Result<Self> {
        let path = spec.path.clone();
        let inner = match spec.format {
            Format::Jsonl => ReaderKind::Lines {
                reader: Box::new(BufReader::with_capacity(
                    1 << 20,
                    open_bytes(&path, spec.gzip)?,
                )),
                line: 0,
                buf: Vec::new(),
            },
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(false)
                    .buffer_capacity(1 << 20)
                    .from_reader(open_bytes(&path, spec.gzip)?);
                let header = reader
                    .byte_headers()
                    .map_err(|e| csv_error(&path, e))?
                    .clone();
                let find =
                    |name: &str, flag: &str| {
                        header
                            .iter()
                            .position(|h| h == name.as_bytes())
                            .ok_or_else(|| {
                                Error::invalid(
                            Location::line(&path, 1),
                            format!("CSV header has no column {name:?} (choose one with {flag})"),
                        )
                            })
                    };
                let id = find(&options.id_column, "--id-column")?;
                let text = find(&options.text_column, "--text-column")?;
                let title = if options.title_column.is_empty() {
                    None
                } else {
                    Some(find(&options.title_column, "--title-column")?)
                };
                let date = (!options.date_column.is_empty())
                    .then(|| {
                        header
                            .iter()
                            .position(|h| h == options.date_column.as_bytes())
                    })
                    .flatten();
                ReaderKind::Csv {
                    reader,
                    header,
                    id,
                    text,
                    title,
                    date,
                }
            }
            Format::Txt => {
                let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
                let (root, files) = if meta.is_dir() {
                    (path.clone(), walk_txt(&path)?)
                } else {
                    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
                    (root, vec![path.clone()])
                };
                ReaderKind::Files {
                    root,
                    files: files.into_iter(),
                }
            }
        };
        Ok(Reader { inner, path })
    }

    /// The path being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The CSV header row, for a CSV input.
    pub fn csv_header(&self) -> Option<&csv::ByteRecord> {
        match &self.inner {
            ReaderKind::Csv { header, .. } => Some(header),
            _ => None,
        }
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("CSV row has {len} fields, the header has {expected_len}"),
        csv::ErrorKind::Io(io) => {
            return Error::io(path, io::Error::new(io.kind(), io.to_string()))
        }
        _ => format!("invalid CSV: {e}"),
    };
    Error::invalid(Location::line(path, line.max(1)), message)
}

impl Iterator for Reader {
    type Item = Result<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        let path = &self.path;
        match &mut self.inner {
            ReaderKind::Done => None,
            ReaderKind::Lines { reader, line, buf } => loop {
                buf.clear();
                match reader.read_until(b'\n', buf) {
                    Ok(0) => {
                        self.inner = ReaderKind::Done;
                        return None;
                    }
                    Ok(_) => {
                        *line += 1;
                        if buf.last() == Some(&b'\n') {
                            buf.pop();
                        }
                        if *line == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                            buf.drain(..3);
                        }
                        if buf.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        return Some(Ok(Item {
                            location: Location::line(path, *line),
                            payload: Payload::Line(std::mem::take(buf)),
                        }));
                    }
                    Err(e) => {
                        self.inner = ReaderKind::Done;
                        return Some(Err(Error::io(path, e)));
                    }
                }
            },
            ReaderKind::Csv {
                reader,
                id,
                text,
                title,
                date,
                ..
            } => {
                let mut record = csv::ByteRecord::new();
                match reader.read_byte_record(&mut record) {
                    Ok(false) => {
                        self.inner = ReaderKind::Done;
                        None
                    }
                    Ok(true) => {
                        let line = record.position().map(|p| p.line()).unwrap_or(0);
                        Some(Ok(Item {
                            location: Location::line(path, line),
                            payload: Payload::Row {
                                record,
                                id: *id,
                                text: *text,
                                title: *title,
                                date: *date,
                            },
                        }))
                    }
                    Err(e) => {
                        let fatal = matches!(e.kind(), csv::ErrorKind::Io(_));
                        let err = csv_error(path, e);
                        if fatal {
                            self.inner = ReaderKind::Done;
                            return Some(Err(err));
                        }
                        // A malformed row is one record's problem: hand it on as an item
                        // that fails to parse, so --skip-invalid can step over it.
                        match err {
                            Error::InvalidRecord { location, message } => Some(Ok(Item {
                                location,
                                payload: Payload::Invalid(message),
                            })),
                            other => Some(Err(other)),
                        }
                    }
                }
            }
            ReaderKind::Files { root, files } => {
                let file = files.next()?;
                let relative = file
                    .strip_prefix(&*root)
                    .unwrap_or(&file)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let read = || -> io::Result<Vec<u8>> {
                    let mut bytes = Vec::new();
                    open_bytes(&file, is_gz(&file))
                        .map_err(|e| io::Error::other(e.to_string()))?
                        .read_to_end(&mut bytes)?;
                    Ok(bytes)
                };
                Some(match read() {
                    Ok(bytes) => Ok(Item {
                        location: Location::file(&file),
                        payload: Payload::File { relative, bytes },
                    }),
                    Err(e) => Err(Error::io(&file, e)),
                })
            }
        }
    }
}

impl InputOptions {
    /// Parses a raw item into a document, or says exactly what is wrong with it.
    pub fn parse(&self, item: Item) -> Result<Document> {
        let Item { location, payload } = item;
        match payload {
            Payload::Invalid(message) => Err(Error::invalid(location, message)),
            Payload::Line(line) => {
                let (id, text, date) = self.parse_json(&line, &location)?;
                let raw = self.keep_raw.then_some(Raw::Line(line));
                Ok(Document {
                    id,
                    text,
                    location,
                    date,
                    raw,
                })
            }
            Payload::Row {
                record,
                id,
                text,
                title,
                date,
            } => {
                let field = |i: usize, name: &str| -> Result<String> {
                    let bytes = record.get(i).unwrap_or_default();
                    std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| {
                        Error::invalid(
                            location.clone(),
                            format!("column {name:?} is not valid UTF-8 ({e})"),
                        )
                    })
                };
                let doc_id = field(id, &self.id_column)?;
                if doc_id.trim().is_empty() {
                    return Err(Error::invalid(
                        location,
                        format!("column {:?} is empty", self.id_column),
                    ));
                }
                let text = field(text, &self.text_column)?;
                let text = match title {
                    Some(i) => with_headline(&field(i, &self.title_column)?, text),
                    None => text,
                };
                let date = match date {
                    Some(i) => date::time_of_text(&field(i, &self.date_column)?)
                        .map_err(|m| time_error(&location, "column", &self.date_column, &m))?,
                    None => None,
                };
                let raw = self.keep_raw.then_some(Raw::Row(record));
                Ok(Document {
                    id: doc_id,
                    text,
                    location,
                    date,
                    raw,
                })
            }
            Payload::File { relative, bytes } => {
                let text = match std::str::from_utf8(&bytes) {
                    Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t).to_owned(),
                    Err(e) => {
                        return Err(Error::invalid(location, format!("not valid UTF-8 ({e})")))
                    }
                };
                let lower = relative.to_lowercase();
                let cut = if lower.ends_with(".txt.gz") {
                    7
                } else if lower.ends_with(".txt") {
                    4
                } else {
                    0
                };
                let id = relative[..relative.len() - cut].to_string();
                let raw = self.keep_raw.then_some(Raw::File { relative, bytes });
                Ok(Document {
                    id,
                    text,
                    location,
                    date: None,
                    raw,
                })
            }
        }
    }

    fn parse_json(
        &self,
        line: &[u8],
        location: &Location,
    ) -> Result<(String, String, Option<i64>)> {
        if let Err(e) = std::str::from_utf8(line) {
            return Err(Error::invalid(
                location.clone(),
                format!("not valid UTF-8 ({e})"),
            ));
        }
        let mut de = serde_json::Deserializer::from_slice(line);
        let seed = FieldsSeed {
            id_field: &self.id_field,
            text_field: &self.text_field,
            title_field: &self.title_field,
            date_field: &self.date_field,
        };
        let fields = seed
            .deserialize(&mut de)
            .and_then(|f| de.end().map(|()| f))
            .map_err(|e| Error::invalid(location.clone(), json_message(&e)))?;
        let id = fields.id.ok_or_else(|| {
            Error::invalid(
                location.clone(),
                format!(
                    "missing field {:?} (choose one with --id-field)",
                    self.id_field
                ),
            )
        })?;
        if id.trim().is_empty() {
            return Err(Error::invalid(
                location.clone(),
                format!("field {:?} is empty", self.id_field),
            ));
        }
        let text = fields.text.ok_or_else(|| {
            Error::invalid(
                location.clone(),
                format!(
                    "missing field {:?} (choose one with --text-field)",
                    self.text_field
                ),
            )
        })?;
        let text = match fields.title {
            Some(title) => with_headline(&title, text),
            None => text,
        };
        let date = match &fields.date {
            Some(v) => date::time_of_json(v)
                .map_err(|m| time_error(location, "field", &self.date_field, &m))?,
            None => None,
        };
        Ok((id, text, date))
    }
}

/// A text with its headline as its first line; an empty or blank headline adds nothing.
fn with_headline(title: &str, text: String) -> String {
    let title = title.trim();
    if title.is_empty() {
        text
    } else {
        format!("{title}\n{text}")
    }
}

/// The error for a time field or column that holds no time (`what`: "field" or "column").
fn time_error(location: &Location, what: &str, name: &str, message: &str) -> Error {
    Error::invalid(
        location.clone(),
        format!("{what} {name:?}: {message}; --time-{what} '' ignores times"),
    )
}

/// serde_json's message without its "at line 1 column N" (we know the line; keep the column).
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let base = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    if e.is_data() {
        base.to_string()
    } else {
        format!("invalid JSON: {base} at column {}", e.column())
    }
}

struct Fields {
    id: Option<String>,
    text: Option<String>,
    /// `None` when absent or `null`.
    title: Option<String>,
    date: Option<serde_json::Value>,
}

struct FieldsSeed<'a> {
    id_field: &'a str,
    text_field: &'a str,
    title_field: &'a str,
    date_field: &'a str,
}

// Every record is read through these seeds and visitors: they are marked `#[inline]`
// because, left to the compiler, whether they were inlined into serde_json's map walk
// changed with unrelated code elsewhere in the crate (about 5 M instructions on
// Reuters-21578, 3% of the record parse).
impl<'de> DeserializeSeed<'de> for FieldsSeed<'_> {
    type Value = Fields;

    #[inline]
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<Fields, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldsSeed<'_> {
    type Value = Fields;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Fields, A::Error> {
        let mut fields = Fields {
            id: None,
            text: None,
            title: None,
            date: None,
        };
        while let Some(key) = map.next_key_seed(KeySeed {
            id_field: self.id_field,
            text_field: self.text_field,
            title_field: self.title_field,
            date_field: self.date_field,
        })? {
            match key {
                Key::Id => {
                    fields.id = Some(map.next_value_seed(ValueSeed {
                        name: self.id_field,
                        numbers: true,
                    })?)
                }
                Key::Text => {
                    fields.text = Some(map.next_value_seed(ValueSeed {
                        name: self.text_field,
                        numbers: false,
                    })?)
                }
                Key::Title => {
                    fields.title = map.next_value_seed(OptionalSeed(ValueSeed {
                        name: self.title_field,
                        numbers: false,
                    }))?
                }
                Key::Date => fields.date = Some(map.next_value::<serde_json::Value>()?),
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(fields)
    }
}

enum Key {
    Id,
    Text,
    Title,
    Date,
    Other,
}

struct KeySeed<'a> {
    id_field: &'a str,
    text_field: &'a str,
    title_field: &'a str,
    date_field: &'a str,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    #[inline]
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Key, E> {
        Ok(if v == self.id_field {
            Key::Id
        } else if v == self.text_field {
            Key::Text
        } else if !self.title_field.is_empty() && v == self.title_field {
            Key::Title
        } else if !self.date_field.is_empty() && v == self.date_field {
            Key::Date
        } else {
            Key::Other
        })
    }
}

/// A string field; with `numbers`, integers are accepted and written in decimal.
struct ValueSeed<'a> {
    name: &'a str,
    numbers: bool,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = String;

    #[inline]
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for ValueSeed<'_> {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        if self.numbers {
            write!(f, "field {:?} to be a string or an integer", self.name)
        } else {
            write!(f, "field {:?} to be a string", self.name)
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<String, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<String, E> {
        if self.numbers {
            Ok(v.to_string())
        } else {
            Err(E::invalid_type(de::Unexpected::Unsigned(v), &self))
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<String, E> {
        if self.numbers {
            Ok(v.to_string())
        } else {
            Err(E::invalid_type(de::Unexpected::Signed(v), &self))
        }
    }
}

/// A [`ValueSeed`] that also takes `null` (as `None`).
struct OptionalSeed<'a>(ValueSeed<'a>);

impl<'de> DeserializeSeed<'de> for OptionalSeed<'_> {
    type Value = Option<String>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Option<String>, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for OptionalSeed<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "field {:?} to be a string or null", self.0.name)
    }

    fn visit_none<E: de::Error>(self) -> std::result::Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_some<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Option<String>, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(line: &str) -> Item {
        Item {
            location: Location::line("t.jsonl", 7),
            payload: Payload::Line(line.as_bytes().to_vec()),
        }
    }

    #[test]
    fn json_records_and_their_errors() {
        let o = InputOptions::default();
        let d = o
            .parse(item(r#"{"id":"a","x":[1,{"y":2}],"text":"Hi\nthere"}"#))
            .unwrap();
        assert_eq!((d.id.as_str(), d.text.as_str()), ("a", "Hi\nthere"));
        let d = o.parse(item(r#"{"id":42,"text":""}"#)).unwrap();
        assert_eq!(d.id, "42");
        let cases = [
            (
                r#"{"id":"a","#,
                "t.jsonl:7: invalid JSON: EOF while parsing a value at column 10",
            ),
            (
                r#"{"id":"a"}"#,
                "t.jsonl:7: missing field \"text\" (choose one with --text-field)",
            ),
            (
                r#"{"text":"x"}"#,
                "t.jsonl:7: missing field \"id\" (choose one with --id-field)",
            ),
            (
                r#"{"id":"a","text":5}"#,
                "t.jsonl:7: invalid type: integer `5`, expected field \"text\" to be a string",
            ),
            (
                r#"{"id":null,"text":"x"}"#,
                "t.jsonl:7: invalid type: null, expected field \"id\" to be a string or an integer",
            ),
            (
                r#"[1,2]"#,
                "t.jsonl:7: invalid type: sequence, expected a JSON object",
            ),
            (
                r#"{"id":"a","text":"x"} trailing"#,
                "t.jsonl:7: invalid JSON: trailing characters at column 23",
            ),
            (
                r#"{"id":" ","text":"x"}"#,
                "t.jsonl:7: field \"id\" is empty",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(o.parse(item(line)).unwrap_err().to_string(), want, "{line}");
        }
        let bad = Item {
            location: Location::line("t.jsonl", 2),
            payload: Payload::Line(b"{\"id\":\"a\",\"text\":\"\xff\"}".to_vec()),
        };
        let msg = o.parse(bad).unwrap_err().to_string();
        assert!(msg.starts_with("t.jsonl:2: not valid UTF-8"), "{msg}");
    }

    #[test]
    fn dates_are_read_when_asked_and_bad_ones_named() {
        let line = r#"{"id":"a","text":"x","date":"2024-03-22T18:05:00+03:00"}"#;
        // Not asked for: not read, whatever the field holds.
        let plain = InputOptions::default();
        assert_eq!(plain.parse(item(line)).unwrap().date, None);
        assert_eq!(
            plain
                .parse(item(r#"{"id":"a","text":"x","date":7}"#))
                .unwrap()
                .date,
            None
        );
        let o = InputOptions {
            date_field: "date".into(),
            ..Default::default()
        };
        assert_eq!(
            o.parse(item(line)).unwrap().date,
            date::parse_date("2024-03-22T15:05:00Z")
        );
        for none in [
            r#"{"id":"a","text":"x"}"#,
            r#"{"id":"a","text":"x","date":null}"#,
            r#"{"id":"a","text":"x","date":" "}"#,
        ] {
            assert_eq!(o.parse(item(none)).unwrap().date, None, "{none}");
        }
        let err = o
            .parse(item(r#"{"id":"a","text":"x","date":"last Tuesday"}"#))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t.jsonl:7: field \"date\": \"last Tuesday\" is not a time"),
            "{err}"
        );
        assert!(err.ends_with("; --time-field '' ignores times"), "{err}");
        // Unix seconds, as a number (a fraction dropped) or a string of digits.
        for unix in [
            r#"{"id":"a","text":"x","date":1711130700}"#,
            r#"{"id":"a","text":"x","date":1711130700.9}"#,
            r#"{"id":"a","text":"x","date":"1711130700"}"#,
            // Milliseconds: too large for seconds before the year 9999.
            r#"{"id":"a","text":"x","date":1711130700000}"#,
            r#"{"id":"a","text":"x","date":"1711130700999"}"#,
        ] {
            assert_eq!(o.parse(item(unix)).unwrap().date, Some(1_711_130_700));
        }
        let err = o
            .parse(item(r#"{"id":"a","text":"x","date":[2024]}"#))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t.jsonl:7: field \"date\": [2024] is not a time"),
            "{err}"
        );
        let err = o
            .parse(item(r#"{"id":"a","text":"x","date":1711130700000000}"#))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t.jsonl:7: field \"date\": 1711130700000000 is out of range"),
            "{err}"
        );
    }

    /// A headline field or column is read as the text's first line, when asked for.
    #[test]
    fn headlines_from_their_field_or_column() {
        let o = InputOptions {
            title_field: "headline".into(),
            ..Default::default()
        };
        let text = |line: &str, o: &InputOptions| o.parse(item(line)).map(|d| d.text);
        let line = r#"{"id":"a","headline":" Hogs open up ","text":"Prices advanced."}"#;
        assert_eq!(text(line, &o).unwrap(), "Hogs open up\nPrices advanced.");
        assert_eq!(
            text(line, &InputOptions::default()).unwrap(),
            "Prices advanced."
        );
        for none in [
            r#"{"id":"a","headline":null,"text":"Prices advanced."}"#,
            r#"{"id":"a","headline":"","text":"Prices advanced."}"#,
            r#"{"id":"a","text":"Prices advanced."}"#,
        ] {
            assert_eq!(text(none, &o).unwrap(), "Prices advanced.", "{none}");
        }
        let err = text(r#"{"id":"a","headline":5,"text":"x"}"#, &o).unwrap_err();
        assert!(
            err.to_string().starts_with("t.jsonl:7: invalid type"),
            "{err}"
        );

        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(
            &p,
            "id,title,text\na,Hogs open up,Prices advanced.\nb,,Quiet.\n",
        )
        .unwrap();
        let spec = InputSpec::detect(&p, None).unwrap();
        let o = InputOptions {
            title_column: "title".into(),
            ..Default::default()
        };
        let texts: Vec<String> = spec
            .open(&o)
            .unwrap()
            .map(|i| o.parse(i.unwrap()).unwrap().text)
            .collect();
        assert_eq!(texts, ["Hogs open up\nPrices advanced.", "Quiet."]);
        let missing = InputOptions {
            title_column: "headline".into(),
            ..Default::default()
        };
        let err = spec
            .open(&missing)
            .err()
            .expect("no such column")
            .to_string();
        assert!(
            err.contains("no column \"headline\" (choose one with --title-column)"),
            "{err}"
        );
    }

    #[test]
    fn csv_dates_from_their_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(
            &p,
            "id,published,text\na,2024-03-22,one\nb,,two\nc,22-MAR-2024 01:00:00,three\nd,soon,four\n",
        )
        .unwrap();
        let spec = InputSpec::detect(&p, None).unwrap();
        let read = |o: &InputOptions| -> Vec<Result<Option<i64>>> {
            spec.open(o)
                .unwrap()
                .map(|i| o.parse(i.unwrap()).map(|d| d.date))
                .collect()
        };
        let o = InputOptions {
            date_column: "published".into(),
            ..Default::default()
        };
        let got = read(&o);
        let day = date::parse_date("2024-03-22");
        assert_eq!(got[0].as_ref().unwrap(), &day);
        assert_eq!(got[1].as_ref().unwrap(), &None);
        assert_eq!(got[2].as_ref().unwrap(), &day.map(|t| t + 3600));
        let err = got[3].as_ref().unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "{}:5: column \"published\": \"soon\" is not a time",
                p.display()
            )),
            "{err}"
        );
        // A CSV without the column has no dates.
        let other = InputOptions {
            date_column: "date".into(),
            ..Default::default()
        };
        assert!(read(&other).iter().all(|d| matches!(d, Ok(None))));
    }

    #[test]
    fn custom_field_names_and_raw_kept() {
        let o = InputOptions {
            id_field: "url".into(),
            text_field: "body".into(),
            keep_raw: true,
            ..Default::default()
        };
        let line = r#"{"url":"u1","body":"b","id":"ignored"}"#;
        let d = o.parse(item(line)).unwrap();
        assert_eq!(d.id, "u1");
        assert_eq!(d.raw, Some(Raw::Line(line.as_bytes().to_vec())));
    }

    #[test]
    fn format_detection() {
        let dir = tempfile::tempdir().unwrap();
        for (name, format, gzip) in [
            ("a.jsonl", Format::Jsonl, false),
            ("a.JSONL.gz", Format::Jsonl, true),
            ("a.csv", Format::Csv, false),
            ("a.txt", Format::Txt, false),
            ("a.ndjson", Format::Jsonl, false),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, "").unwrap();
            let spec = InputSpec::detect(&p, None).unwrap();
            assert_eq!((spec.format, spec.gzip), (format, gzip), "{name}");
        }
        let p = dir.path().join("a.data");
        std::fs::write(&p, "").unwrap();
        assert!(InputSpec::detect(&p, None).is_err());
        assert_eq!(
            InputSpec::detect(&p, Some(Format::Csv)).unwrap().format,
            Format::Csv
        );
        assert_eq!(
            InputSpec::detect(dir.path(), None).unwrap().format,
            Format::Txt
        );
        assert!(InputSpec::detect(dir.path().join("missing.jsonl"), None).is_err());
    }

    #[test]
    fn csv_rows_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(&p, "id,source,text\na,x,\"hello, world\"\nb,y\nc,z,fine\n").unwrap();
        let spec = InputSpec::detect(&p, None).unwrap();
        let o = InputOptions::default();
        let items: Vec<Item> = spec.open(&o).unwrap().map(Result::unwrap).collect();
        let docs: Vec<Result<Document>> = items.into_iter().map(|i| o.parse(i)).collect();
        assert_eq!(docs[0].as_ref().unwrap().text, "hello, world");
        let err = docs[1].as_ref().unwrap_err().to_string();
        assert!(
            err.ends_with("c.csv:3: CSV row has 2 fields, the header has 3"),
            "{err}"
        );
        assert_eq!(docs[2].as_ref().unwrap().id, "c");

        let q = dir.path().join("d.csv");
        std::fs::write(&q, "id,body\na,b\n").unwrap();
        let err = InputSpec::detect(&q, None)
            .unwrap()
            .open(&o)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.ends_with(
                "d.csv:1: CSV header has no column \"text\" (choose one with --text-column)"
            ),
            "{err}"
        );
    }

    #[test]
    fn text_directories_are_walked_in_order_with_relative_ids() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        std::fs::write(dir.path().join("b/c/z.txt"), "z").unwrap();
        std::fs::write(dir.path().join("a.txt"), "\u{feff}a").unwrap();
        std::fs::write(dir.path().join("notes.md"), "skip").unwrap();
        std::fs::write(dir.path().join(".hidden.txt"), "skip").unwrap();
        let spec = InputSpec::detect(dir.path(), None).unwrap();
        let o = InputOptions::default();
        let docs: Vec<Document> = spec
            .open(&o)
            .unwrap()
            .map(|i| o.parse(i.unwrap()).unwrap())
            .collect();
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "b/c/z"]);
        assert_eq!(docs[0].text, "a");
    }

    #[test]
    fn gzip_jsonl_with_blank_lines() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.jsonl.gz");
        let mut gz = flate2::write::GzEncoder::new(
            File::create(&p).unwrap(),
            flate2::Compression::default(),
        );
        gz.write_all(b"{\"id\":\"a\",\"text\":\"x\"}\n\n{\"id\":\"b\",\"text\":\"y\"}\r\n")
            .unwrap();
        gz.finish().unwrap();
        let spec = InputSpec::detect(&p, None).unwrap();
        let o = InputOptions::default();
        let docs: Vec<Document> = spec
            .open(&o)
            .unwrap()
            .map(|i| o.parse(i.unwrap()).unwrap())
            .collect();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].location.line, Some(3));
    }
}
