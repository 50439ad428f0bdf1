//! `safe_html = true`: raw HTML from authors is reduced to what GitHub allows
//! (`<details>`, `<summary>`, `<kbd>`, `<sup>`, `<br>` and Markdown's own
//! output), for handbooks that take outside contributions. Scripts, event
//! handlers, styles and `javascript:` URLs never survive. ammonia does the
//! parsing and cleaning: an HTML sanitizer is not something to hand-write.

use std::sync::LazyLock;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    // The markup playbook itself generates: sections for frameworks, contrast
    // and alert boxes, highlighted code, task lists, heading anchors.
    b.add_tags(["section", "details", "summary", "kbd", "input"])
        .add_generic_attributes(["class", "id", "role", "aria-label", "aria-labelledby", "aria-hidden"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("a", ["rel", "name"])
        .link_rel(None)
        .id_prefix(None);
    b
});

/// `html` with everything outside the allowlist removed.
pub fn clean(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_are_removed() {
        let out = clean("<p onclick=\"x()\">hi</p><script>alert(1)</script><a href=\"javascript:alert(1)\">x</a>");
        assert!(!out.contains("script") && !out.contains("onclick") && !out.contains("javascript"), "{out}");
        assert!(out.contains("<p>hi</p>"));
    }

    #[test]
    fn githubs_allowlist_survives() {
        let html = "<details><summary>More</summary><p>x</p></details><kbd>Ctrl</kbd><sup>1</sup><br>";
        assert_eq!(clean(html), html);
        let ours = "<section class=\"framework\" id=\"a\" aria-labelledby=\"b\"><h3 id=\"b\">B</h3></section>";
        assert_eq!(clean(ours), ours);
    }
}
