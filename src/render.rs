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

impl Renderer {
    pub fn new(theme: &Theme, diags: &mut Diagnostics) -> Option<Renderer> {
        let mut tera = Tera::new();
        match tera.add_raw_templates(theme.templates.iter().map(|(n, t)| (n.as_str(), t.as_ref()))) {
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
