//! Generation: the view goes through progenitor, the operations layer is added, and the whole
//! is formatted.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

use crate::diagnostics::Diagnostics;
use crate::load::{self, RawDocument};
use crate::surface::Surface;
use crate::{format, operations, view, Document};

/// The generated client and the API surface it gives users.
pub(crate) struct Generated {
    pub source: String,
    pub surface: Surface,
}

/// progenitor's settings for `huaweicloud-workspace`: builders, the crate's `Config` as the
/// client's inner value, and hooks the crate must implement (a client that would send
/// unsigned requests does not compile).
fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote::quote! { crate::config::Config })
        .with_derive("PartialEq");
    settings
}

/// Generates the client source and its API surface. The output is deterministic: the same
/// document gives byte-identical source.
pub(crate) fn client(document: &Document) -> Result<Generated, Diagnostics> {
    let view = view::build(&document.raw, &document.model)?;
    let openapi = load::to_openapi(&RawDocument {
        path: document.raw.path.clone(),
        value: view,
    })?;
    let mut generator = Generator::new(&settings());
    let tokens =
        without_panics(document, || generator.generate_tokens(&openapi))?.map_err(|error| {
            Diagnostics::one(&document.raw.path, "", format!("progenitor: {error}"))
        })?;
    let surface = Surface::read(&document.model, generator.get_type_space());
    let mut file = parse(document, tokens)?;
    mark_non_exhaustive(&mut file);
    file.items
        .extend(parse(document, operations::tokens(&document.model))?.items);
    Ok(Generated {
        source: format::file(&document.raw.path, file),
        surface,
    })
}

/// Generates the CLI module.
pub(crate) fn cli(document: &Document) -> Result<String, Diagnostics> {
    let file = parse(document, crate::cli::tokens(&document.model))?;
    Ok(format::file(&document.raw.path, file))
}

fn parse(document: &Document, tokens: TokenStream) -> Result<syn::File, Diagnostics> {
    syn::parse2(tokens).map_err(|error| {
        Diagnostics::one(
            &document.raw.path,
            "",
            format!("the generator produced code that does not parse: {error}"),
        )
    })
}

/// Marks every generated type `#[non_exhaustive]`: users build them with builders, so that
/// an optional field or an enum value added to the document does not break their code.
fn mark_non_exhaustive(file: &mut syn::File) {
    let attribute: syn::Attribute = syn::parse_quote!(#[non_exhaustive]);
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if module.ident != "types" {
            continue;
        }
        let Some((_, items)) = &mut module.content else {
            continue;
        };
        for item in items {
            match item {
                syn::Item::Struct(s) => s.attrs.push(attribute.clone()),
                syn::Item::Enum(e) => e.attrs.push(attribute.clone()),
                _ => {}
            }
        }
    }
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
