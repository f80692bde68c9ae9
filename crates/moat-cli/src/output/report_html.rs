//! The report page: one HTML file with its styles, scripts (the vendored graph library
//! and the page's own) and data inline, so that it opens offline.

const TEMPLATE: &str = include_str!("../../assets/report/report.html");
const CSS: &str = include_str!("../../assets/report/report.css");
/// The page's script, by concept; the parts are statements of one function body, in order
/// (later parts use what earlier ones declare), which the template wraps.
const APP: [&str; 5] = [
    include_str!("../../assets/report/core.js"),
    include_str!("../../assets/report/summary.js"),
    include_str!("../../assets/report/graph.js"),
    include_str!("../../assets/report/card.js"),
    include_str!("../../assets/report/heatmap.js"),
];
/// In load order: cytoscape, then the fcose layout and the two bases it builds on.
const VENDOR: [&str; 4] = [
    include_str!("../../assets/vendor/cytoscape.min.js"),
    include_str!("../../assets/vendor/layout-base.js"),
    include_str!("../../assets/vendor/cose-base.js"),
    include_str!("../../assets/vendor/cytoscape-fcose.js"),
];

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Text that must not close its `<script>` element early.
fn script_safe(s: &str) -> String {
    s.replace("</script", "<\\/script")
}

/// JSON inside `<script type="application/json">`: `<` only occurs in strings, where
/// `\u003c` means the same.
fn json_safe(s: &str) -> String {
    s.replace('<', "\\u003c")
}

/// Fill `{{NAME}}` markers of the template in one pass, so that inserted text is never
/// scanned for markers itself.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find("}}").and_then(|j| {
            let key = &after[..j];
            values.iter().find(|(k, _)| *k == key).map(|(_, v)| (j, *v))
        }) {
            Some((j, v)) => {
                out.push_str(v);
                rest = &after[j + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The page for the report data `json` (schema `moat.report/v1`).
pub fn render(json: &str, title: &str) -> String {
    let vendor: Vec<String> = VENDOR.iter().map(|v| script_safe(v)).collect();
    let vendor = vendor.join("\n;\n");
    let title = escape_html(title);
    let data = json_safe(json);
    let app = script_safe(&APP.join("\n"));
    let css = CSS.replace("</style", "<\\/style");
    fill(
        TEMPLATE,
        &[
            ("TITLE", &title),
            ("CSS", &css),
            ("VENDOR", &vendor),
            ("DATA", &data),
            ("APP", &app),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_does_not_rescan_inserted_text() {
        assert_eq!(
            fill("a{{X}}b{{Y}}c{{Z}}", &[("X", "{{Y}}"), ("Y", "2")]),
            "a{{Y}}b2c{{Z}}"
        );
    }

    #[test]
    fn embedded_text_cannot_close_its_element() {
        let page = render(r#"{"x":"</script><b>"}"#, "<t>");
        assert!(page.contains(r#"{"x":"\u003c/script>\u003cb>"}"#));
        assert!(page.contains("<title>moat report: &lt;t&gt;</title>"));
        // Every script element is closed once, by the template itself.
        assert_eq!(
            page.matches("<script").count(),
            page.matches("</script>").count()
        );
    }
}
