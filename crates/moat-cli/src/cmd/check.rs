//! `moat check`: run an expectations file.

use std::fmt::Write as _;

use moat::check::{parse_expectations, run_checks, CheckResult, EndpointSpec, PortSpec};
use moat::error::InputError;
use serde_json::json;

use crate::cli::{CheckArgs, CheckFormat};
use crate::exit::Failure;
use crate::input;
use crate::stdio;

pub fn run(args: &CheckArgs) -> Result<i32, Failure> {
    let engine = input::engine(&args.input)?;
    let name = args.expect.display().to_string();
    let text = std::fs::read_to_string(&args.expect)
        .map_err(|e| Failure::Input(vec![InputError::new(None, "", format!("{name}: {e}"))]))?;
    let expectations = parse_expectations(&name, &text).map_err(Failure::Input)?;
    if expectations.is_empty() {
        return Err(Failure::Input(vec![InputError::new(
            None,
            "",
            format!("{name}: no expectations"),
        )]));
    }
    let results = run_checks(&engine, &expectations).map_err(Failure::Input)?;
    let out = match args.output {
        CheckFormat::Text => text_report(&results),
        CheckFormat::Json => json_report(&results),
        CheckFormat::Junit => junit_report(&results, &name),
    };
    stdio::print(&out)?;
    Ok(if results.iter().all(|r| r.passed) {
        0
    } else {
        1
    })
}

fn verdict_word(allowed: bool) -> &'static str {
    if allowed {
        "allowed"
    } else {
        "denied"
    }
}

fn port_text(p: &PortSpec) -> String {
    match p {
        PortSpec::Number(n) => n.to_string(),
        PortSpec::Name(s) => s.clone(),
    }
}

fn title(r: &CheckResult) -> String {
    let e = &r.expectation;
    format!(
        "{} -> {} {}/{}",
        e.from,
        e.to,
        e.protocol,
        port_text(&e.port)
    )
}

pub fn text_report(results: &[CheckResult]) -> String {
    let mut out = String::new();
    for r in results {
        let status = if r.passed { "PASS" } else { "FAIL" };
        let pairs = if r.pairs > 1 {
            format!(" ({} pod pairs)", r.pairs)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{status} {}: expected {}, {}{pairs}",
            title(r),
            verdict_word(r.expectation.allowed),
            verdict_word(r.actual)
        );
        let _ = writeln!(out, "     {}", r.reason);
        if !r.passed {
            let _ = writeln!(out, "     at {}", r.expectation.span);
        }
    }
    let passed = results.iter().filter(|r| r.passed).count();
    let _ = writeln!(out, "{} passed, {} failed", passed, results.len() - passed);
    out
}

fn endpoint_json(e: &EndpointSpec) -> serde_json::Value {
    match e {
        EndpointSpec::Named { .. } | EndpointSpec::Ip(_) => json!(e.to_string()),
        EndpointSpec::Selector { namespace, labels } => {
            json!({"namespace": namespace, "labels": labels})
        }
    }
}

pub fn json_report(results: &[CheckResult]) -> String {
    let passed = results.iter().filter(|r| r.passed).count();
    let items: Vec<_> = results
        .iter()
        .map(|r| {
            let e = &r.expectation;
            let port = match &e.port {
                PortSpec::Number(n) => json!(n),
                PortSpec::Name(s) => json!(s),
            };
            json!({
                "from": endpoint_json(&e.from),
                "to": endpoint_json(&e.to),
                "port": port,
                "protocol": e.protocol.as_str(),
                "expected": e.allowed,
                "actual": r.actual,
                "passed": r.passed,
                "reason": r.reason,
                "pairs": r.pairs,
                "file": e.span.file.as_ref(),
                "line": e.span.line,
            })
        })
        .collect();
    let doc = json!({"passed": passed, "failed": results.len() - passed, "results": items});
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn junit_report(results: &[CheckResult], suite: &str) -> String {
    let failed = results.iter().filter(|r| !r.passed).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"moat check\" tests=\"{}\" failures=\"{failed}\">",
        results.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\">",
        xml_escape(suite),
        results.len()
    );
    for r in results {
        let name = format!(
            "{} expected {}",
            title(r),
            verdict_word(r.expectation.allowed)
        );
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\"",
            xml_escape(suite),
            xml_escape(&name)
        );
        if r.passed {
            out.push_str("/>\n");
        } else {
            out.push_str(">\n");
            let _ = writeln!(
                out,
                "      <failure message=\"expected {}, {}\">{} (at {})</failure>",
                verdict_word(r.expectation.allowed),
                verdict_word(r.actual),
                xml_escape(&r.reason),
                xml_escape(&r.expectation.span.to_string())
            );
            out.push_str("    </testcase>\n");
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
