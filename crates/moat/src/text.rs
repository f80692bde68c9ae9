//! Counted nouns for human output: "1 namespace", "2 namespaces", never "1 namespaces" or
//! "namespace(s)".

use std::fmt;

/// `n` and the noun, singular for exactly one: `count(3, "pod")` shows "3 pods". The plural
/// adds `s` (or `es` after s, x, z, ch, sh; `y` after a consonant becomes `ies`).
pub fn count(n: usize, noun: &str) -> Counted<'_> {
    Counted { n, noun }
}

/// A count whose noun is plural in English: see [`count`].
#[derive(Clone, Copy, Debug)]
pub struct Counted<'a> {
    n: usize,
    noun: &'a str,
}

impl fmt::Display for Counted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.n, noun(self.n, self.noun))
    }
}

/// The noun alone, in the number that fits `n`: `noun(1, "policy")` is "policy",
/// `noun(2, "policy")` "policies".
pub fn noun(n: usize, singular: &str) -> String {
    if n == 1 {
        return singular.to_string();
    }
    // A multi-word noun ("NetworkPolicy object") takes the plural on its last word.
    let (head, last) = match singular.rsplit_once(' ') {
        Some((h, l)) => (format!("{h} "), l),
        None => (String::new(), singular),
    };
    let lower = last.to_ascii_lowercase();
    let consonant_y = lower.ends_with('y')
        && !lower.ends_with("ay")
        && !lower.ends_with("ey")
        && !lower.ends_with("oy")
        && !lower.ends_with("uy");
    let plural = if consonant_y {
        format!("{}ies", &last[..last.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        format!("{last}es")
    } else {
        format!("{last}s")
    };
    format!("{head}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "namespace").to_string(), "1 namespace");
        assert_eq!(count(0, "namespace").to_string(), "0 namespaces");
        assert_eq!(count(2, "policy").to_string(), "2 policies");
        assert_eq!(count(2, "NetworkPolicy").to_string(), "2 NetworkPolicies");
        assert_eq!(count(3, "class").to_string(), "3 classes");
        assert_eq!(count(2, "key").to_string(), "2 keys");
        assert_eq!(count(2, "pod pair").to_string(), "2 pod pairs");
        assert_eq!(count(1, "error").to_string(), "1 error");
        assert_eq!(noun(5, "external range"), "external ranges");
    }
}
