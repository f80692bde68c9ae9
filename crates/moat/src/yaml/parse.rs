//! YAML text to [`Node`] trees, one per document, with positions.
//!
//! Documents are split at `---` lines and parsed one by one so that a syntax error in one
//! document does not hide the errors (or the objects) of the others. Alias expansion is
//! bounded by what aliases add against what was written, so a "billion laughs" input is an
//! error rather than an out-of-memory while an alias-free document of any size loads.
//! Control characters are refused where they are written, as the Kubernetes YAML decoder
//! does.

use std::collections::HashMap;
use std::sync::Arc;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::node::{Node, Value};
use crate::error::InputError;
use crate::source::Span;

/// Nodes that aliases may add to a document beyond [`ALIAS_FACTOR`] times the nodes written.
pub const ALIAS_ALLOWANCE: usize = 100_000;
/// How many times its written size a document may grow through aliases.
pub const ALIAS_FACTOR: usize = 10;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 256;

/// One document of a stream: its tree, or the error that stopped it.
pub type DocResult = Result<Option<Node>, InputError>;

/// Parse a multi-document YAML (or JSON) text. `None` documents are empty or comment-only.
pub fn parse_stream(file: &Arc<str>, text: &str) -> Vec<DocResult> {
    documents(file, text).collect()
}

/// The documents of a text, parsed one at a time as the iterator is advanced, so that a
/// caller that consumes each tree before asking for the next never holds more than one.
pub fn documents<'t>(file: &Arc<str>, text: &'t str) -> impl Iterator<Item = DocResult> + 't {
    let file = file.clone();
    split_documents(text)
        .into_iter()
        .map(move |(line_offset, chunk)| parse_document(&file, chunk, line_offset))
}

/// Split at document markers: lines that are `---` (optionally followed by a space and
/// content) at column 0. Returns each chunk with the number of lines before it; each can be
/// given to [`parse_document`] independently (in parallel).
pub fn split_documents(text: &str) -> Vec<(u32, &str)> {
    let mut chunks = Vec::new();
    let (mut start, mut start_line) = (0usize, 0u32);
    // Lines are counted only up to each marker found, not walked one by one.
    let (mut counted_to, mut lines) = (0usize, 0u32);
    // memchr's SIMD searches: this runs before the parallel parse, alone on one core.
    let bytes = text.as_bytes();
    let line_starts =
        std::iter::once(0).chain(memchr::memmem::find_iter(bytes, b"\n---").map(|i| i + 1));
    for at in line_starts {
        let rest = &text[at..];
        let line = rest[..rest.find('\n').unwrap_or(rest.len())].trim_end_matches('\r');
        let is_marker = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        if !is_marker || at <= start {
            continue;
        }
        lines += memchr::memchr_iter(b'\n', &bytes[counted_to..at]).count() as u32;
        counted_to = at;
        chunks.push((start_line, &text[start..at]));
        start = at;
        start_line = lines;
    }
    chunks.push((start_line, &text[start..]));
    chunks
}

/// Parse one chunk of [`split_documents`]; positions count `line_offset` lines before it.
pub fn parse_document(file: &Arc<str>, chunk: &str, line_offset: u32) -> DocResult {
    if let Some((line, col, c)) = control_character(chunk) {
        return Err(InputError::new(
            Some(Span::new(file.clone(), line + line_offset, col)),
            "",
            format!(
                "control character {} is not allowed in YAML (write it escaped in a double-quoted string)",
                c.escape_unicode()
            ),
        ));
    }
    let mut builder = Builder::new(file.clone(), line_offset);
    let mut parser = Parser::new_from_str(chunk);
    if let Err(e) = parser.load(&mut builder, true) {
        return Err(InputError::new(
            Some(builder.span(*e.marker())),
            "",
            format!("invalid YAML: {}", e.info()),
        ));
    }
    if let Some(err) = builder.error {
        return Err(err);
    }
    // A document holding only `---` or comments is a null scalar or nothing at all.
    let first = builder.docs.into_iter().flatten().find(|n| !n.is_null());
    Ok(first)
}

/// The first character the YAML decoder of Kubernetes refuses (C0 controls other than tab,
/// line feed and carriage return, DEL, C1 controls other than NEL, U+FFFE and U+FFFF), with
/// its 1-based line and column in `text`.
fn control_character(text: &str) -> Option<(u32, u32, char)> {
    let bytes = text.as_bytes();
    // Almost every input is printable ASCII: one pass the compiler vectorizes settles it.
    if bytes
        .iter()
        .all(|&b| matches!(b, b' '..=b'~' | b'\t' | b'\n' | b'\r'))
    {
        return None;
    }
    let bad_at = bytes.iter().enumerate().position(|(i, &b)| match b {
        b'\t' | b'\n' | b'\r' => false,
        0..=0x1F | 0x7F => true,
        0xC2 => bytes
            .get(i + 1)
            .is_some_and(|&n| (0x80..=0x9F).contains(&n) && n != 0x85),
        0xEF => bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)),
        _ => false,
    })?;
    let before = &text[..bad_at];
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let col = text[line_start..bad_at].chars().count() as u32 + 1;
    let c = text[bad_at..].chars().next()?;
    Some((line, col, c))
}

enum Frame {
    Seq(Vec<Node>, Span, usize),
    Map(Vec<(Node, Node)>, Span, usize, Option<Node>),
}

struct Builder {
    file: Arc<str>,
    line_offset: u32,
    stack: Vec<Frame>,
    /// Anchored nodes with their sizes (in nodes).
    anchors: HashMap<usize, (Node, usize)>,
    docs: Vec<Option<Node>>,
    /// Nodes written in the text (one per scalar, sequence and mapping event).
    written: usize,
    /// Nodes added by expanding aliases.
    aliased: usize,
    /// Size of each open collection so far, to know an anchored collection's size.
    sizes: Vec<usize>,
    error: Option<InputError>,
}

impl Builder {
    fn new(file: Arc<str>, line_offset: u32) -> Self {
        Builder {
            file,
            line_offset,
            stack: Vec::new(),
            anchors: HashMap::new(),
            docs: Vec::new(),
            written: 0,
            aliased: 0,
            sizes: Vec::new(),
            error: None,
        }
    }

    fn span(&self, m: Marker) -> Span {
        // yaml-rust2 counts lines from 1 and columns from 0.
        Span::new(
            self.file.clone(),
            m.line() as u32 + self.line_offset,
            m.col() as u32 + 1,
        )
    }

    fn fail(&mut self, span: Span, message: String) {
        if self.error.is_none() {
            self.error = Some(InputError::new(Some(span), "", message));
        }
    }

    /// `size` is the number of nodes in `node` (1 for a scalar).
    fn push_value(&mut self, node: Node, anchor: usize, size: usize) {
        if self.error.is_some() {
            return;
        }
        if let Some(parent) = self.sizes.last_mut() {
            *parent += size;
        }
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.docs.push(Some(node)),
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, _, _, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    if key.as_str() == Some("<<") {
                        merge_into(entries, node);
                    } else if let Some(k) = key.as_str() {
                        if entries.iter().any(|(e, _)| e.as_str() == Some(k)) {
                            let span = key.span.clone();
                            let msg = format!("duplicate key `{k}` in one mapping (the API server rejects it; the later value would silently win)");
                            self.fail(span, msg);
                            return;
                        }
                        entries.push((key, node));
                    } else {
                        entries.push((key, node));
                    }
                }
            },
        }
    }
}

/// YAML merge keys (`<<: *base`): entries not already present are copied in.
fn merge_into(entries: &mut Vec<(Node, Node)>, source: Node) {
    let maps = match source.value {
        Value::Map(m) => vec![m],
        Value::Seq(items) => items
            .into_iter()
            .filter_map(|n| match n.value {
                Value::Map(m) => Some(m),
                _ => None,
            })
            .collect(),
        _ => vec![],
    };
    for map in maps {
        for (k, v) in map {
            let present = entries
                .iter()
                .any(|(e, _)| e.as_str().is_some() && e.as_str() == k.as_str());
            if !present {
                entries.push((k, v));
            }
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        // A span holds a reference-counted file name: made only for the events that keep
        // one (collection ends take their first item's).
        match ev {
            Event::DocumentStart => {}
            Event::DocumentEnd => {
                if self.docs.is_empty() {
                    self.docs.push(None);
                }
            }
            Event::SequenceStart(anchor, _) => {
                let span = self.span(mark);
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(span, format!("nesting deeper than {MAX_DEPTH} levels"));
                    return;
                }
                self.written += 1;
                self.sizes.push(1);
                self.stack.push(Frame::Seq(Vec::new(), span, anchor));
            }
            Event::MappingStart(anchor, _) => {
                let span = self.span(mark);
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(span, format!("nesting deeper than {MAX_DEPTH} levels"));
                    return;
                }
                self.written += 1;
                self.sizes.push(1);
                self.stack.push(Frame::Map(Vec::new(), span, anchor, None));
            }
            Event::SequenceEnd => {
                let size = self.sizes.pop().unwrap_or(1);
                if let Some(Frame::Seq(items, span, anchor)) = self.stack.pop() {
                    // The parser marks a block collection where its first token ends; the
                    // first item is where a reader sees it begin.
                    let span = items.first().map(|i| i.span.clone()).unwrap_or(span);
                    self.push_value(
                        Node {
                            value: Value::Seq(items),
                            span,
                        },
                        anchor,
                        size,
                    );
                }
            }
            Event::MappingEnd => {
                let size = self.sizes.pop().unwrap_or(1);
                if let Some(Frame::Map(entries, span, anchor, _)) = self.stack.pop() {
                    let span = entries.first().map(|(k, _)| k.span.clone()).unwrap_or(span);
                    self.push_value(
                        Node {
                            value: Value::Map(entries),
                            span,
                        },
                        anchor,
                        size,
                    );
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = if style == TScalarStyle::Plain && tag.is_none() {
                    resolve_plain(text)
                } else if let Some(tag) =
                    tag.filter(|t| t.handle == "tag:yaml.org,2002:" || t.handle == "!!")
                {
                    match tag.suffix.as_str() {
                        "int" => text.parse().map(Value::Int).unwrap_or(Value::Str(text)),
                        "bool" => resolve_plain(text),
                        "null" => Value::Null,
                        _ => Value::Str(text),
                    }
                } else {
                    Value::Str(text)
                };
                self.written += 1;
                let span = self.span(mark);
                self.push_value(Node { value, span }, anchor, 1);
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some((node, size)) => {
                    let span = self.span(mark);
                    let size = *size;
                    self.aliased += size;
                    let budget = ALIAS_ALLOWANCE + ALIAS_FACTOR * self.written;
                    if self.aliased > budget {
                        let msg = format!(
                            "aliases expand this document to more than {} nodes from {} written (an alias expansion bomb?)",
                            self.aliased + self.written,
                            self.written
                        );
                        self.fail(span, msg);
                        return;
                    }
                    let mut node = node.clone();
                    node.span = span;
                    self.push_value(node, 0, size);
                }
                None => self.fail(self.span(mark), "alias to an unknown anchor".to_string()),
            },
            Event::Nothing | Event::StreamStart | Event::StreamEnd => {}
        }
    }
}

/// Resolve a plain scalar the way Kubernetes' YAML decoder (YAML 1.1 core rules) does.
/// Takes the text by value so that a string (the common case) is kept, not copied.
fn resolve_plain(text: String) -> Value {
    let s = text.as_str();
    // Most scalars are names: a first character that begins no null, boolean or number
    // settles them without the comparisons below.
    if let Some(first) = s.bytes().next() {
        if first.is_ascii_alphabetic() && !b"nNtTyYoOfF".contains(&first) {
            return Value::Str(text);
        }
    }
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Value::Bool(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = s.parse::<i64>() {
            return Value::Int(i);
        }
    }
    if let Some(hex) = s.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Value::Int(i);
        }
    }
    if let Some(oct) = s.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Value::Int(i);
        }
    }
    let looks_numeric = s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    if looks_numeric {
        if let Ok(f) = s.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<DocResult> {
        parse_stream(&Arc::from("t.yaml"), text)
    }

    #[test]
    fn positions_are_one_based_and_offset_per_document() {
        let docs = parse("a: 1\n---\nb:\n  c: 2\n");
        let second = docs[1].as_ref().unwrap().as_ref().unwrap();
        let c = second.get("b").unwrap().get("c").unwrap();
        assert_eq!((c.span.line, c.span.col), (4, 6));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let docs = parse("a: 1\nb: 2\na: 3\n");
        let err = docs[0].as_ref().unwrap_err();
        assert!(err.message.contains("duplicate key `a`"), "{err}");
        assert_eq!(err.span.as_ref().unwrap().line, 3);
    }

    #[test]
    fn a_syntax_error_does_not_hide_other_documents() {
        let docs = parse("a: [1\n---\nb: 2\n");
        assert!(docs[0].is_err());
        assert!(docs[1].as_ref().unwrap().is_some());
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let docs = parse(&text);
        let err = docs[0].as_ref().unwrap_err();
        assert!(err.message.contains("alias expansion"), "{err}");
    }

    #[test]
    fn plain_scalars_resolve_like_kubernetes() {
        let docs = parse("a: 80\nb: \"80\"\nc: http\nd: ~\ne: true\n");
        let n = docs[0].as_ref().unwrap().as_ref().unwrap();
        assert_eq!(n.get("a").unwrap().value, Value::Int(80));
        assert_eq!(n.get("b").unwrap().value, Value::Str("80".into()));
        assert_eq!(n.get("c").unwrap().value, Value::Str("http".into()));
        assert_eq!(n.get("d").unwrap().value, Value::Null);
        assert_eq!(n.get("e").unwrap().value, Value::Bool(true));
    }

    /// The splitter against the plain reading of its rule: walk every line.
    #[test]
    fn documents_split_at_marker_lines_only() {
        fn by_lines(text: &str) -> Vec<(u32, &str)> {
            let (mut out, mut start, mut start_line, mut pos) = (Vec::new(), 0, 0, 0);
            for (n, line) in (0u32..).zip(text.split_inclusive('\n')) {
                let t = line.trim_end_matches(['\n', '\r']);
                if (t == "---" || t.starts_with("--- ") || t.starts_with("---\t")) && pos > start {
                    out.push((start_line, &text[start..pos]));
                    (start, start_line) = (pos, n);
                }
                pos += line.len();
            }
            out.push((start_line, &text[start..]));
            out
        }
        for text in [
            "",
            "---\n",
            "a: 1\n---\nb: 2\n",
            "---\na: 1\n--- # two\nb: 2\n---\tc\n",
            "a: 1\r\n---\r\nb: 2\r\n",
            "a: ---\n----\n---x\n ---\nb: |\n  ---\n---",
            "\n\n---\n\n---\n",
        ] {
            assert_eq!(split_documents(text), by_lines(text), "{text:?}");
        }
    }

    #[test]
    fn comment_only_documents_are_empty() {
        let docs = parse("# nothing\n---\n---\na: 1\n");
        assert!(docs[0].as_ref().unwrap().is_none());
        assert!(docs[1].as_ref().unwrap().is_none());
        assert!(docs[2].as_ref().unwrap().is_some());
    }

    #[test]
    fn json_parses() {
        let docs = parse("{\"kind\": \"List\", \"items\": [{\"a\": 1}]}");
        let n = docs[0].as_ref().unwrap().as_ref().unwrap();
        assert_eq!(n.get("kind").unwrap().as_str(), Some("List"));
    }
}
