//! The command line, generated from the model: one `clap` subcommand per operation and the
//! code that runs it through the library's public API.
//!
//! The generated code calls the hand-written modules of the `huaweicloud-workspace` binary:
//! `crate::input` (bodies and flags), `crate::session` (the client, built once the command
//! line is known to be complete), `crate::outcome` (what is printed, what `--wait` follows)
//! and `crate::failure` (exit codes).

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::{Location, Model, Operation, Parameter, ValueKind};
use crate::names;

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The CLI module for `model`.
pub fn tokens(model: &Model) -> TokenStream {
    let commands = model.operations.iter().map(command);
    let arms = model.operations.iter().map(arm);
    let names = model.operations.iter().map(Operation::subcommand);
    quote! {
        use huaweicloud_workspace::types;

        /// The subcommands, one per operation of the document, in document order.
        #[allow(dead_code)]
        pub const SUBCOMMANDS: &[&str] = &[#(#names),*];

        /// One `clap` subcommand per operation of the document.
        pub fn subcommands() -> ::std::vec::Vec<::clap::Command> {
            ::std::vec![#(#commands),*]
        }

        /// Runs the subcommand `name` with its arguments: its flags and body are read first,
        /// so that a usage error is reported before the configuration is looked at.
        pub async fn run(
            session: &crate::session::Session,
            name: &str,
            matches: &::clap::ArgMatches,
            input: &mut crate::input::Input,
        ) -> ::std::result::Result<crate::outcome::Outcome, crate::failure::Failure> {
            match name {
                #(#arms)*
                other => ::std::result::Result::Err(crate::failure::Failure::usage(::std::format!(
                    "unknown subcommand {other:?}"
                ))),
            }
        }
    }
}

fn command(operation: &Operation) -> TokenStream {
    let name = operation.subcommand();
    let summary = operation.summary.clone().unwrap_or_default();
    let long = match &operation.description {
        Some(description) => format!("{summary}\n\n{description}"),
        None => summary.clone(),
    };
    let mut args = Vec::new();
    for parameter in &operation.parameters {
        let flag = names::kebab(&parameter.name);
        let help = parameter.description.clone().unwrap_or_default();
        let required = parameter.required && parameter.location == Location::Path;
        let values = &parameter.values;
        let (value_name, parser) = match parameter.kind {
            ValueKind::Text if values.is_empty() => ("TEXT", quote! {}),
            ValueKind::Text => ("VALUE", quote! { .value_parser([#(#values),*]) }),
            ValueKind::Integer => ("N", quote! { .value_parser(::clap::value_parser!(i64)) }),
            ValueKind::Boolean => (
                "true|false",
                quote! { .value_parser(::clap::value_parser!(bool)) },
            ),
        };
        args.push(quote! {
            .arg(::clap::Arg::new(#flag).long(#flag).value_name(#value_name).required(#required).help(#help) #parser)
        });
    }
    if let Some(pagination) = &operation.pagination {
        let help = format!(
            "Fetch every page ({} at a time unless --{} says otherwise) and print them as one answer",
            pagination.page,
            names::kebab(&pagination.limit)
        );
        args.push(quote! {
            .arg(::clap::Arg::new("all").long("all").action(::clap::ArgAction::SetTrue).help(#help))
        });
    }
    if let Some(body) = &operation.body {
        let help = if body.required {
            "The request body as a JSON file (- reads standard input); flags below override its fields"
        } else {
            "The request body as a JSON file (- reads standard input), if any"
        };
        args.push(quote! {
            .arg(::clap::Arg::new("json-body").long("json-body").value_name("FILE").help(#help))
        });
        for field in &body.scalar_fields {
            let flag = names::kebab(&field.name);
            let help = field.description.clone().unwrap_or_default();
            let values = &field.values;
            let parser = if values.is_empty() {
                match field.kind.as_str() {
                    "boolean" => quote! { .value_parser(["true", "false"]) },
                    _ => quote! {},
                }
            } else {
                quote! { .value_parser([#(#values),*]) }
            };
            args.push(quote! {
                .arg(::clap::Arg::new(#flag).long(#flag).value_name("VALUE").help(#help) #parser)
            });
        }
    }
    quote! {
        ::clap::Command::new(#name).about(#summary).long_about(#long) #(#args)*
    }
}

/// Reads an optional parameter's flag into `variable`, as its kind's Rust type.
fn optional_flag(parameter: &Parameter, variable: &Ident, flag: &str) -> TokenStream {
    match parameter.kind {
        ValueKind::Text => quote! { let #variable = crate::input::optional_text(matches, #flag); },
        ValueKind::Integer => quote! { let #variable = matches.get_one::<i64>(#flag).copied(); },
        ValueKind::Boolean => quote! { let #variable = matches.get_one::<bool>(#flag).copied(); },
    }
}

fn arm(operation: &Operation) -> TokenStream {
    let name = operation.subcommand();
    let method = ident(&operation.method_name());
    let mut call = quote! { client.#method() };
    // Flags first (a usage error before anything else), then the client.
    let mut flags = Vec::new();
    for parameter in &operation.parameters {
        let setter = ident(&names::snake(&parameter.name));
        let flag = names::kebab(&parameter.name);
        let variable = ident(&format!("parameter_{}", names::snake(&parameter.name)));
        call = if parameter.required && parameter.location == Location::Path {
            flags.push(quote! { let #variable = crate::input::text(matches, #flag)?; });
            quote! { #call.#setter(#variable) }
        } else {
            flags.push(optional_flag(parameter, &variable, &flag));
            quote! {
                {
                    let call = #call;
                    match #variable {
                        ::std::option::Option::Some(value) => call.#setter(value),
                        ::std::option::Option::None => call,
                    }
                }
            }
        };
    }
    let body = operation.body.as_ref().map(|body| {
        let body_type = ident(&names::pascal(&body.schema));
        let required = body.required;
        let fields = body.scalar_fields.iter().map(|field| {
            let wire = field.name.as_str();
            let flag = names::kebab(&field.name);
            let kind = field.kind.as_str();
            quote! { crate::input::Flag { field: #wire, flag: #flag, kind: #kind } }
        });
        if required {
            quote! { let body: types::#body_type = input.required_body(matches, &[#(#fields),*])?; }
        } else {
            quote! {
                let body: ::std::option::Option<types::#body_type> =
                    input.optional_body(matches, &[#(#fields),*])?;
            }
        }
    });
    if let Some(body) = &operation.body {
        call = if body.required {
            quote! { #call.body(body) }
        } else {
            quote! {
                {
                    let call = #call;
                    match body {
                        ::std::option::Option::Some(body) => call.body(body),
                        ::std::option::Option::None => call,
                    }
                }
            }
        };
    }
    let follow = if operation.starts_job.is_some() {
        quote! {
            crate::outcome::Follow::Started(
                huaweicloud_workspace::StartsJob::job_id(&answer).map(::std::string::ToString::to_string),
            )
        }
    } else if let Some(parameter) = &operation.job_query {
        let flag = names::kebab(parameter);
        quote! { crate::outcome::Follow::Shown(crate::input::text(matches, #flag)?) }
    } else {
        quote! { crate::outcome::Follow::Nothing }
    };
    let every_page = operation.pagination.as_ref().map(|pagination| {
        let items = pagination.items.as_str();
        let total = pagination.total.as_str();
        quote! {
            if matches.get_flag("all") {
                let client = session.client()?;
                let items = #call.pages().items().await?;
                return ::std::result::Result::Ok(crate::outcome::Outcome::every_page(#items, #total, &items));
            }
        }
    });
    quote! {
        #name => {
            #(#flags)*
            #body
            #every_page
            let client = session.client()?;
            let answer = #call.send().await?;
            let follow = #follow;
            ::std::result::Result::Ok(crate::outcome::Outcome::new(&answer, follow))
        }
    }
}
