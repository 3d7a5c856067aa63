//! Generation: the view goes through progenitor, the types are marked `#[non_exhaustive]`, the
//! operations layer is added, and the whole is written out: formatted for people (the
//! checked-in source, the `workspace-codegen` command) or plain for build scripts, which
//! nobody reads and which should not pay for a formatter in every clean build.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, TokenStream, TokenTree};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};

use crate::diagnostics::Diagnostics;
use crate::load::{self, RawDocument};
use crate::model::Model;
use crate::surface::Surface;
use crate::{format, names, open_enums, operations, view, Document};

/// How generated source is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Formatted with prettyplease.
    #[cfg(feature = "format")]
    Pretty,
    /// One item per line, no formatter: for build scripts.
    Plain,
}

/// progenitor's settings for `huaweicloud-workspace`: builders, the crate's `Config` as the
/// client's inner value, hooks the crate must implement (a client that would send
/// unsigned requests does not compile), and the open answer enums in place of typify's.
fn settings(model: &Model) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote::quote! { crate::config::Config })
        .with_derive("PartialEq");
    for open in &model.open_enums {
        settings.with_replacement(
            names::pascal(&open.schema),
            open_enums::path(open),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    settings
}

/// The client's tokens, and the API surface when asked for.
fn client_tokens(
    document: &Document,
    with_surface: bool,
) -> Result<(TokenStream, Option<Surface>), Diagnostics> {
    let view = view::build(&document.raw, &document.model)?;
    let openapi = load::to_openapi(&RawDocument {
        path: document.raw.path.clone(),
        value: view,
    })?;
    let mut generator = Generator::new(&settings(&document.model));
    let tokens =
        without_panics(document, || generator.generate_tokens(&openapi))?.map_err(|error| {
            Diagnostics::one(&document.raw.path, "", format!("progenitor: {error}"))
        })?;
    let surface = with_surface.then(|| Surface::read(&document.model, generator.get_type_space()));
    // The type space and the typed document are as large as the tokens: gone before ours
    // are added.
    drop((generator, openapi));
    let mut tokens = finish_types(tokens, open_enums::tokens(&document.model.open_enums));
    tokens.extend(operations::tokens(&document.model));
    Ok((tokens, surface))
}

/// Generates the client source (and its API surface, when asked for). The output is
/// deterministic: the same document gives byte-identical source.
pub(crate) fn client(
    document: &Document,
    style: Style,
    with_surface: bool,
) -> Result<(String, Option<Surface>), Diagnostics> {
    let (tokens, surface) = client_tokens(document, with_surface)?;
    Ok((write(document, tokens, style)?, surface))
}

/// Generates the CLI module.
pub(crate) fn cli(document: &Document, style: Style) -> Result<String, Diagnostics> {
    write(document, crate::cli::tokens(&document.model), style)
}

fn write(document: &Document, tokens: TokenStream, style: Style) -> Result<String, Diagnostics> {
    let path = &document.raw.path;
    match style {
        #[cfg(feature = "format")]
        Style::Pretty => format::pretty(path, tokens),
        Style::Plain => Ok(format::plain(path, tokens)),
    }
}

/// Adds `extra` items to the `types` module, then marks every type there `#[non_exhaustive]`:
/// users build them with builders, so that an optional field or an enum value added to the
/// document does not break their code. Done on the tokens (the attribute goes last, right
/// before `pub struct` or `pub enum`), so that no build script has to parse the generated code.
fn finish_types(tokens: TokenStream, extra: TokenStream) -> TokenStream {
    let mut extra = Some(extra);
    let mut out = Vec::new();
    let mut last_two: [Option<String>; 2] = [None, None];
    for tree in tokens {
        let tree = match tree {
            TokenTree::Group(group)
                if group.delimiter() == Delimiter::Brace
                    && last_two[0].as_deref() == Some("mod")
                    && last_two[1].as_deref() == Some("types") =>
            {
                let mut body = group.stream();
                body.extend(extra.take());
                let mut marked = Group::new(Delimiter::Brace, mark_items(body));
                marked.set_span(group.span());
                TokenTree::Group(marked)
            }
            other => other,
        };
        let word = match &tree {
            TokenTree::Ident(ident) => Some(ident.to_string()),
            _ => None,
        };
        last_two = [last_two[1].take(), word];
        out.push(tree);
    }
    out.into_iter().collect()
}

/// Inserts `#[non_exhaustive]` before each `pub struct` and `pub enum` of a module's body
/// (not inside nested modules).
fn mark_items(body: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = body.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len() + 64);
    for (index, tree) in trees.iter().enumerate() {
        let is_pub = matches!(tree, TokenTree::Ident(ident) if ident == "pub");
        let item = match trees.get(index + 1) {
            Some(TokenTree::Ident(next)) => next == "struct" || next == "enum",
            _ => false,
        };
        if is_pub && item {
            out.push(TokenTree::Punct(Punct::new('#', Spacing::Alone)));
            let attribute = Ident::new("non_exhaustive", proc_macro2::Span::call_site());
            out.push(TokenTree::Group(Group::new(
                Delimiter::Bracket,
                TokenTree::Ident(attribute).into(),
            )));
        }
        out.push(tree.clone());
    }
    out.into_iter().collect()
}

thread_local! {
    /// Panic messages of the current thread while it runs inside [`without_panics`].
    static CAPTURED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The panic's own message and where it was raised, on one line.
fn panic_message(info: &panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    let first_line = text.lines().next().unwrap_or_default();
    match info.location() {
        Some(at) => format!("{first_line} (at {}:{})", at.file(), at.line()),
        None => first_line.to_string(),
    }
}

/// Runs `f`, turning a panic in progenitor or typify into a diagnostic instead of a
/// backtrace. Panics of other threads still reach the previous hook.
fn without_panics<T>(document: &Document, f: impl FnOnce() -> T) -> Result<T, Diagnostics> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let captured = CAPTURED.with(|c| {
                let mut slot = c.borrow_mut();
                match slot.as_mut() {
                    Some(message) => {
                        *message = panic_message(info);
                        true
                    }
                    None => false,
                }
            });
            if !captured {
                previous(info);
            }
        }));
    });
    CAPTURED.with(|c| *c.borrow_mut() = Some(String::new()));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    let message = CAPTURED.with(|c| c.borrow_mut().take()).unwrap_or_default();
    result.map_err(|_| {
        Diagnostics::one(
            &document.raw.path,
            "",
            format!("the generator panicked on this document: {message}"),
        )
    })
}
