//! Streaming a flow log: one line at a time through one reused buffer, so memory stays
//! bounded by the longest line, whatever the size of the log. Gzip input is recognised
//! by its magic bytes, whatever the file is called.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

use flate2::read::MultiGzDecoder;

use super::parse::{parse_line, HubbleFlow, Line};

/// The longest line read; a longer one is malformed (and skipped to its end).
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Malformed lines reported one by one; the rest are only counted.
pub const MALFORMED_SAMPLES: usize = 20;

/// A malformed line: where, and what the JSON reader said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub file: String,
    pub line: u64,
    pub message: String,
}

/// What the lines of the input were.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineCounts {
    pub lines: u64,
    pub blank: u64,
    pub flows: u64,
    /// Other events of the stream (node status, lost events, ...).
    pub other_events: u64,
    pub malformed: u64,
    /// The first [`MALFORMED_SAMPLES`] malformed lines.
    pub malformed_samples: Vec<Malformed>,
    /// Flows by verdict (`FORWARDED`, `DROPPED`, ...; `UNKNOWN` when absent).
    pub by_verdict: BTreeMap<String, u64>,
}

impl LineCounts {
    fn malformed(&mut self, file: &str, line: u64, message: String) {
        self.malformed += 1;
        if self.malformed_samples.len() < MALFORMED_SAMPLES {
            self.malformed_samples.push(Malformed {
                file: file.to_string(),
                line,
                message,
            });
        }
    }
}

/// One flow as read, with the envelope's node and time for flows that lack their own.
pub struct FlowLine<'a, 'b> {
    pub file: &'b str,
    pub line: u64,
    pub flow: &'b HubbleFlow<'a>,
    pub node_name: Option<&'b str>,
    pub time: Option<&'b str>,
}

/// The input, decompressed when it is gzip.
pub fn open(input: impl Read + 'static) -> std::io::Result<Box<dyn BufRead>> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let head = reader.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(reader),
        )))
    } else {
        Ok(Box::new(reader))
    }
}

/// Read every line of `input` (named `file` in reports), handing each flow to `each`.
/// A malformed line is counted and the scan goes on; only a read error stops it.
pub fn scan(
    file: &str,
    input: &mut dyn BufRead,
    counts: &mut LineCounts,
    mut each: impl FnMut(&FlowLine),
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let n = (&mut *input)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        counts.lines += 1;
        if buf.len() > MAX_LINE_BYTES && buf.last() != Some(&b'\n') {
            // Skip the rest of the over-long line.
            let mut rest = Vec::new();
            loop {
                rest.clear();
                let m = (&mut *input)
                    .take(MAX_LINE_BYTES as u64)
                    .read_until(b'\n', &mut rest)?;
                if m == 0 || rest.last() == Some(&b'\n') {
                    break;
                }
            }
            counts.malformed(
                file,
                line_no,
                format!("line longer than {MAX_LINE_BYTES} bytes"),
            );
            continue;
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        match parse_line(&buf) {
            Ok(Line::Blank) => counts.blank += 1,
            Ok(Line::Other) => counts.other_events += 1,
            Ok(Line::Flow {
                flow,
                node_name,
                time,
            }) => {
                counts.flows += 1;
                let verdict = flow.verdict.as_deref().unwrap_or("UNKNOWN");
                match counts.by_verdict.get_mut(verdict) {
                    Some(n) => *n += 1,
                    None => {
                        counts.by_verdict.insert(verdict.to_string(), 1);
                    }
                }
                let time = flow.time.as_ref().or(time.as_ref()).map(Cow::as_ref);
                let node = flow
                    .node_name
                    .as_ref()
                    .or(node_name.as_ref())
                    .map(Cow::as_ref);
                each(&FlowLine {
                    file,
                    line: line_no,
                    flow: &flow,
                    node_name: node,
                    time,
                });
            }
            Err(message) => counts.malformed(file, line_no, message),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn run(bytes: Vec<u8>) -> (LineCounts, Vec<u64>) {
        let mut counts = LineCounts::default();
        let mut seen = Vec::new();
        let mut input = open(std::io::Cursor::new(bytes)).expect("open");
        scan("f.json", &mut input, &mut counts, |f| seen.push(f.line)).expect("scan");
        (counts, seen)
    }

    const GOOD: &str = r#"{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2"}},"time":"2026-01-01T00:00:00Z"}"#;

    #[test]
    fn malformed_lines_are_counted_with_their_numbers_and_never_stop_the_scan() {
        let text = format!("{GOOD}\nnot json\n\n{GOOD}\n{{\"flow\":{{\"verdict\":3}}}}\n{GOOD}");
        let (counts, seen) = run(text.into_bytes());
        assert_eq!(seen, vec![1, 4, 6]);
        assert_eq!(counts.lines, 6);
        assert_eq!(counts.blank, 1);
        assert_eq!(counts.malformed, 2);
        let lines: Vec<u64> = counts.malformed_samples.iter().map(|m| m.line).collect();
        assert_eq!(lines, vec![2, 5]);
        assert_eq!(counts.by_verdict.get("FORWARDED"), Some(&3));
    }

    #[test]
    fn line_numbers_and_order_hold_over_megabytes() {
        let padded = GOOD.replace(
            "\"time\"",
            &format!("\"pad\":\"{}\",\"time\"", "x".repeat(1000)),
        );
        let mut text = String::new();
        for i in 1..=6000 {
            text.push_str(if i == 4500 { "{oops" } else { &padded });
            text.push('\n');
        }
        let (counts, seen) = run(text.into_bytes());
        assert_eq!(counts.lines, 6000);
        assert_eq!(seen.len(), 5999);
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
        assert!(!seen.contains(&4500));
        assert_eq!(counts.malformed_samples[0].line, 4500);
    }

    #[test]
    fn gzip_is_recognised_by_its_magic_bytes() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        writeln!(gz, "{GOOD}\n{GOOD}").expect("write");
        let (counts, seen) = run(gz.finish().expect("gzip"));
        assert_eq!(seen, vec![1, 2]);
        assert_eq!(counts.malformed, 0);
    }

    #[test]
    fn an_over_long_line_is_malformed_and_the_next_line_still_reads() {
        let long = "x".repeat(MAX_LINE_BYTES + 10);
        let (counts, seen) = run(format!("{long}\n{GOOD}\n").into_bytes());
        assert_eq!(seen, vec![2]);
        assert_eq!(counts.malformed, 1);
    }
}
