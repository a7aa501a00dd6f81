//! Static markup written straight into a `String`, for long runs of rows that hold no reactive
//! state (the Calls table, the Overview's bars, its table of numbers and its latest calls).
//! Built as views, fifty rows cost a server render most of its time (each row's async resolve
//! step copied a large future, and a `<Transition/>` builds its children two or three times);
//! as a string they cost a few percent, and the string is set with `inner_html`, which hydration
//! leaves as the server wrote it. The same code runs in the browser for live refreshes (tachys'
//! own `to_html` cannot: it panics without the `ssr` feature).
//!
//! Every value goes through [`text`] or [`attr`]; only `&'static str` literals are written raw.

use std::fmt::Write;

/// Appends `s` as element text: `&`, `<` and `>` escaped.
pub fn text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// Appends `s` as the value of a double-quoted attribute: `&`, `"`, `'`, `<` and `>` escaped.
pub fn attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// Appends a number (never needs escaping).
pub fn num(out: &mut String, n: impl std::fmt::Display) {
    // Writing to a String cannot fail.
    let _ = write!(out, "{n}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_and_keeps_the_rest() {
        let mut s = String::new();
        text(&mut s, "<script>alert('x') & \"q\"</script> — ✓");
        assert_eq!(s, "&lt;script&gt;alert('x') &amp; \"q\"&lt;/script&gt; — ✓");
    }

    #[test]
    fn attr_escapes_both_quotes() {
        let mut s = String::new();
        attr(&mut s, r#"a" onmouseover='x' <b>&"#);
        assert_eq!(s, "a&quot; onmouseover=&#39;x&#39; &lt;b&gt;&amp;");
    }

    #[test]
    fn numbers_are_written_plainly() {
        let mut s = String::new();
        num(&mut s, 42);
        num(&mut s, format_args!("{:.1}", 2.25f64));
        assert_eq!(s, "422.2");
    }
}
