//! The client's operations layer, generated beside progenitor's output from the model: one
//! fluent builder per operation, the `Client` methods that start them, and what the document
//! says about each operation's answer (the job it starts, the failures it lists, the rules its
//! body must follow), the base path and the regions.
//!
//! The generated code calls the hand-written `crate::operation` module of
//! `huaweicloud-workspace` for everything that is not per operation.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::{self, Location, Model, Operation, RequiredWhen, RuleSite, Step};
use crate::names;

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The operations layer for `model`.
pub fn tokens(model: &Model) -> TokenStream {
    let builders = model.operations.iter().map(builder);
    let methods = model.operations.iter().map(client_method);
    let jobs = starts_job_impls(model);
    let base_path = model::render_path(&model.base_path);
    let regions = regions(model.regions.as_ref());
    quote! {
        /// One builder per operation of the document: set its parameters and body, then
        /// `send()`. Start one with the [`Client`](crate::Client) method of the same name.
        pub mod operations {
            use super::types;
            #(#builders)*
        }

        impl crate::Client {
            #(#methods)*
        }

        #jobs

        /// The path every operation starts with; its parameters come from the configuration.
        pub(crate) const BASE_PATH: &str = #base_path;

        #regions
    }
}

fn doc_text(operation: &Operation) -> String {
    let mut text = operation.summary.clone().unwrap_or_default();
    if let Some(description) = &operation.description {
        text.push_str("\n\n");
        text.push_str(description);
    }
    text
}

fn client_method(operation: &Operation) -> TokenStream {
    let method = ident(&operation.method_name());
    let type_name = ident(&operation.type_name());
    let setters: Vec<String> = operation
        .parameters
        .iter()
        .map(|p| format!("`{}`", names::snake(&p.name)))
        .chain(operation.body.as_ref().map(|_| "`body`".to_string()))
        .collect();
    let how = if setters.is_empty() {
        "then `send()`".to_string()
    } else {
        format!("set {}, then `send()`", setters.join(", "))
    };
    let doc = format!(
        "{}\n\n`{} {}`: {how}.",
        doc_text(operation),
        operation.http_method(),
        operation.path
    );
    quote! {
        #[doc = #doc]
        pub fn #method(&self) -> operations::#type_name<'_> {
            operations::#type_name::new(self)
        }
    }
}

fn builder(operation: &Operation) -> TokenStream {
    let type_name = ident(&operation.type_name());
    let doc = format!(
        "Builder of [`Client::{}`](crate::Client::{}): `{} {}`.",
        operation.method_name(),
        operation.method_name(),
        operation.http_method(),
        operation.path
    );
    let fields: Vec<Ident> = operation
        .parameters
        .iter()
        .map(|p| ident(&names::snake(&p.name)))
        .collect();
    let setters = operation.parameters.iter().zip(&fields).map(|(parameter, field)| {
        let name = parameter.name.as_str();
        let check = match parameter.location {
            Location::Path => quote! { crate::operation::path_value(#name, value.into()) },
            Location::Query => quote! { crate::operation::query_value(#name, value.into()) },
        };
        let doc = parameter
            .description
            .clone()
            .unwrap_or_else(|| format!("The `{name}` parameter."));
        quote! {
            #[doc = #doc]
            pub fn #field(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                self.#field = ::std::option::Option::Some(#check);
                self
            }
        }
    });
    let take_parameters = operation
        .parameters
        .iter()
        .zip(&fields)
        .map(|(parameter, field)| {
            let name = parameter.name.as_str();
            if parameter.required {
                quote! { let #field = crate::operation::required(#name, #field)?; }
            } else {
                quote! { let #field = crate::operation::optional(#field)?; }
            }
        });
    let pass_parameters = operation
        .parameters
        .iter()
        .zip(&fields)
        .map(|(parameter, field)| {
            if parameter.required {
                quote! { let request = request.#field(#field.as_str()); }
            } else {
                quote! {
                    let request = match &#field {
                        ::std::option::Option::Some(value) => request.#field(value.as_str()),
                        ::std::option::Option::None => request,
                    };
                }
            }
        });

    let (body_field, body_init, body_setter, take_body, pass_body) = match &operation.body {
        None => (quote! {}, quote! {}, quote! {}, quote! {}, quote! {}),
        Some(body) => {
            let body_type = ident(&names::pascal(&body.schema));
            let body_doc = format!(
                "The request body: a [`types::{body_type}`] or its builder. A value that breaks \
                 a rule of the document is reported by `send()`, naming the field; nothing is \
                 sent."
            );
            let take = if body.required {
                quote! { let body = crate::operation::required("body", body)?; }
            } else {
                quote! { let body = crate::operation::optional(body)?; }
            };
            let check = (!body.rule_sites.is_empty()).then(|| {
                let checks = body.rule_sites.iter().map(rule_site);
                let bind = if body.required {
                    quote! { let body = &body; }
                } else {
                    quote! { let ::std::option::Option::Some(body) = &body else { return ::std::result::Result::Ok(()) }; }
                };
                quote! {
                    (|| -> ::std::result::Result<(), crate::Error> {
                        #bind
                        let at = ::std::string::String::new();
                        #(#checks)*
                        ::std::result::Result::Ok(())
                    })()?;
                }
            });
            let pass = if body.required {
                quote! { let request = request.body(body); }
            } else {
                quote! {
                    let request = match body {
                        ::std::option::Option::Some(body) => request.body(body),
                        ::std::option::Option::None => request,
                    };
                }
            };
            (
                quote! { body: ::std::option::Option<::std::result::Result<types::#body_type, crate::operation::Invalid>>, },
                quote! { body: ::std::option::Option::None, },
                quote! {
                    #[doc = #body_doc]
                    pub fn body<B>(mut self, body: B) -> Self
                    where
                        B: ::std::convert::TryInto<types::#body_type>,
                        B::Error: ::std::fmt::Display,
                    {
                        self.body = ::std::option::Option::Some(crate::operation::body(body));
                        self
                    }
                },
                quote! { #take #check },
                pass,
            )
        }
    };
    let body_binding = operation.body.as_ref().map(|_| quote! { body, });

    let (answer_type, finish) = match &operation.success.schema {
        Some(schema) => {
            let answer = ident(&names::pascal(schema));
            (
                quote! { types::#answer },
                quote! { crate::operation::finish(client, request.send().await).await },
            )
        }
        None => (
            quote! { () },
            quote! { crate::operation::finish_empty(client, request.send().await).await },
        ),
    };
    let result = match (&operation.partial_failures, &operation.success.schema) {
        (Some(failures), Some(_)) => {
            let list = ident(&names::snake(&failures.list));
            let id = ident(&names::snake(&failures.id));
            let code = ident(&names::snake(&failures.code));
            let message = ident(&names::snake(&failures.message));
            let job = if operation.starts_job.is_some() {
                quote! { crate::StartsJob::job_id(answer).map(::std::string::ToString::to_string) }
            } else {
                quote! { ::std::option::Option::None }
            };
            quote! {
                crate::operation::refuse_partial_failures(#finish?, |answer: &#answer_type| {
                    let failures = answer.#list.iter().map(|item| crate::FailedItem::new(
                        crate::operation::text(&item.#id),
                        crate::operation::text(&item.#code),
                        crate::operation::text(&item.#message),
                    )).collect();
                    (failures, #job)
                })
            }
        }
        _ => finish,
    };
    let send_doc = format!(
        "Sends `{} {}` and decodes the answer. Errors keep the status, headers and raw \
         body of an answer that is not the documented success{}.",
        operation.http_method(),
        operation.path,
        if operation.partial_failures.is_some() {
            "; an answer that lists failed items is [`Error::PartialFailure`](crate::Error::PartialFailure)"
        } else {
            ""
        }
    );
    let progenitor_builder = ident(&operation.type_name());
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "nothing is sent until `send()` is awaited"]
        pub struct #type_name<'a> {
            client: &'a crate::Client,
            #( #fields: ::std::option::Option<::std::result::Result<::std::string::String, crate::operation::Invalid>>, )*
            #body_field
        }

        impl<'a> #type_name<'a> {
            pub(crate) fn new(client: &'a crate::Client) -> Self {
                Self { client, #( #fields: ::std::option::Option::None, )* #body_init }
            }

            #(#setters)*
            #body_setter

            #[doc = #send_doc]
            pub async fn send(self) -> ::std::result::Result<crate::Response<#answer_type>, crate::Error> {
                let Self { client, #( #fields, )* #body_binding } = self;
                #(#take_parameters)*
                #take_body
                let request = super::builder::#progenitor_builder::new(client.transport());
                #(#pass_parameters)*
                #pass_body
                #result
            }
        }
    }
}

/// The checks of one rule site: walk from the body to the schema, then check its rules.
fn rule_site(site: &RuleSite) -> TokenStream {
    let rules = site.rules.iter().map(rule);
    let check = quote! {
        crate::operation::required_when(item, &at, &[#(#rules),*])?;
    };
    let walk = site
        .path
        .iter()
        .rev()
        .fold(check, |inner, step| walk_step(step, inner));
    quote! {
        {
            let item = body;
            let at = at.clone();
            #walk
        }
    }
}

fn walk_step(step: &Step, inner: TokenStream) -> TokenStream {
    let field = ident(&names::snake(&step.property));
    let property = step.property.as_str();
    if step.array {
        quote! {
            for (index, item) in item.#field.iter().enumerate() {
                let at = crate::operation::field_path(&at, #property, ::std::option::Option::Some(index));
                #inner
            }
        }
    } else if step.optional {
        quote! {
            if let ::std::option::Option::Some(item) = &item.#field {
                let at = crate::operation::field_path(&at, #property, ::std::option::Option::None);
                #inner
            }
        }
    } else {
        quote! {
            {
                let item = &item.#field;
                let at = crate::operation::field_path(&at, #property, ::std::option::Option::None);
                #inner
            }
        }
    }
}

fn rule(rule: &RequiredWhen) -> TokenStream {
    let property = rule.property.as_str();
    let values = &rule.values;
    let requires = &rule.requires;
    quote! {
        crate::operation::RequiredWhen {
            property: #property,
            values: &[#(#values),*],
            requires: &[#(#requires),*],
        }
    }
}

/// `StartsJob` for each answer type that names a job (once per type).
fn starts_job_impls(model: &Model) -> TokenStream {
    let mut seen = std::collections::BTreeSet::new();
    let impls = model.operations.iter().filter_map(|operation| {
        let field = operation.starts_job.as_ref()?;
        let schema = operation.success.schema.as_ref()?;
        if !seen.insert(schema.clone()) {
            return None;
        }
        let answer = ident(&names::pascal(schema));
        let field = ident(&names::snake(field));
        Some(quote! {
            impl crate::StartsJob for types::#answer {
                fn job_id(&self) -> ::std::option::Option<&str> {
                    crate::waiter::started_job(crate::operation::text(&self.#field))
                }
            }
        })
    });
    quote! { #(#impls)* }
}

fn regions(regions: Option<&model::Regions>) -> TokenStream {
    let (values, url) = match regions {
        Some(r) => (r.values.clone(), Some(r.url.clone())),
        None => (Vec::new(), None),
    };
    let constants: Vec<Ident> = values.iter().map(|v| ident(&names::constant(v))).collect();
    let docs = values.iter().map(|v| format!("`{v}`"));
    let url = match url {
        Some(url) => quote! { ::std::option::Option::Some(#url) },
        None => quote! { ::std::option::Option::None },
    };
    quote! {
        impl crate::Region {
            #(
                #[doc = #docs]
                pub const #constants: crate::Region = crate::Region::from_static(#values);
            )*
            /// Every region the service is known to run in, as the document lists them.
            pub const ALL: &'static [crate::Region] = &[#(crate::Region::#constants),*];
        }

        /// The regional endpoint template (`{region}` is replaced), from the document's server.
        pub(crate) const REGIONAL_ENDPOINT: ::std::option::Option<&str> = #url;
    }
}
