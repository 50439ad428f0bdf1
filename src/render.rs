//! Tera, loaded once with the theme's templates, and rendering of typed
//! contexts into pages. Autoescaping is on for every `.html` and `.xml`
//! template, so text from front matter can never inject markup.

use std::path::PathBuf;

use serde::Serialize;
use tera::{Context, Tera};

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::theme::Theme;

pub struct Renderer {
    tera: Tera,
}

/// Partials that render one item of a long list (a card, a catalog entry,
/// ...), with the name the item has in them. Pages with thousands of items
/// render them in batches through these, so converting a page's context
/// for Tera never needs memory for the whole list at once.
pub const EACH: &[(&str, &str)] = &[
    ("partials/card.html", "card"),
    ("partials/row.html", "card"),
    ("partials/catalog_entry.html", "entry"),
    ("partials/map_node.html", "node"),
    ("partials/print_chapter.html", "chapter"),
];

/// Items per Tera call in [`Renderer::render_each`].
const BATCH: usize = 256;

fn each_template(partial: &str) -> String {
    format!("each/{partial}")
}

impl Renderer {
    pub fn new(theme: &Theme, diags: &mut Diagnostics) -> Option<Renderer> {
        let mut tera = Tera::new();
        let loops: Vec<(String, String)> = EACH
            .iter()
            .map(|(partial, var)| {
                (
                    each_template(partial),
                    format!("{{% for {var} in items %}}{{% include \"{partial}\" %}}{{% endfor %}}"),
                )
            })
            .collect();
        let templates = theme.templates.iter().map(|(n, t)| (n.as_str(), t.as_ref()));
        match tera.add_raw_templates(templates.chain(loops.iter().map(|(n, t)| (n.as_str(), t.as_str())))) {
            Ok(()) => Some(Renderer { tera }),
            Err(e) => {
                diags.push(template_error(&e));
                None
            }
        }
    }

    /// Renders `template` with a typed context whose fields are the
    /// template's top-level variables.
    pub fn render<T: Serialize>(&self, template: &str, context: &T) -> Result<String, Diagnostic> {
        let ctx = Context::from_serialize(context).map_err(|e| template_error(&e))?;
        self.tera.render(template, &ctx).map_err(|e| template_error(&e))
    }

    /// Every item through `partial` (one of [`EACH`]), concatenated.
    pub fn render_each<S: Serialize, T: Serialize>(
        &self,
        partial: &str,
        site: &S,
        items: &[T],
    ) -> Result<String, Diagnostic> {
        #[derive(Serialize)]
        struct Batch<'a, S, T> {
            site: &'a S,
            items: &'a [T],
        }
        let template = each_template(partial);
        let mut html = String::new();
        for items in items.chunks(BATCH) {
            html.push_str(&self.render(&template, &Batch { site, items })?);
        }
        Ok(html)
    }
}

fn template_error(e: &tera::Error) -> Diagnostic {
    let (file, pos, message) = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => (
            format!("templates/{}", r.filename()),
            Position { line: r.span().start_line.max(1), column: r.span().start_col + 1 },
            r.message().to_string(),
        ),
        _ => ("templates".to_string(), Position::START, e.to_string()),
    };
    Diagnostic::error(PathBuf::from(file), pos, format!("template error: {message}"))
        .with_hint("fix the template, or delete your override to use the default theme's")
}
