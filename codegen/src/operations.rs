//! The client's operations layer, generated beside progenitor's output from the model: one
//! fluent builder per operation, the `Client` methods that start them, and what the document
//! says about each operation's answer (the job it starts, the failures it lists, the rules its
//! body must follow), the base path and the regions.
//!
//! The generated code calls the hand-written `crate::operation` module of
//! `huaweicloud-workspace` for everything that is not per operation.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::{
    self, Bounds, CheckSite, Location, Model, Operation, Pagination, Parameter, RequiredWhen, Step,
    ValueKind,
};
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
    let fleet = fleet_table(model);
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

        #fleet
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
    let pages = if operation.pagination.is_some() {
        " (or `pages()` for every page)"
    } else {
        ""
    };
    let doc = format!(
        "{}\n\n`{} {}`: {how}{pages}.",
        doc_text(operation),
        operation.http_method(),
        operation.path
    );
    quote! {
        #[doc = #doc]
        pub fn #method(&self) -> operations::#type_name {
            operations::#type_name::new(self.clone())
        }
    }
}

/// A parameter's Rust type in the builder, and how its setter checks a value.
fn parameter_parts(parameter: &Parameter) -> (TokenStream, TokenStream, TokenStream) {
    let name = parameter.name.as_str();
    let bounds = bounds_tokens(&parameter.bounds);
    match parameter.kind {
        ValueKind::Text => {
            let values = &parameter.values;
            let location = match parameter.location {
                Location::Path => quote! { crate::operation::Place::Path },
                Location::Query => quote! { crate::operation::Place::Query },
            };
            (
                quote! { ::std::string::String },
                quote! { value: impl ::std::convert::Into<::std::string::String> },
                quote! { crate::operation::text_parameter(#name, value.into(), #location, &#bounds, &[#(#values),*]) },
            )
        }
        ValueKind::Integer => (
            quote! { i64 },
            quote! { value: i64 },
            quote! { crate::operation::integer_parameter(#name, value, &#bounds) },
        ),
        ValueKind::Boolean => (
            quote! { bool },
            quote! { value: bool },
            quote! { ::std::result::Result::Ok(value) },
        ),
    }
}

fn builder(operation: &Operation) -> TokenStream {
    let type_name = ident(&operation.type_name());
    let doc = format!(
        "Builder of [`Client::{}`](crate::Client::{}): `{} {}`. It holds its own handle \
         on the client, so `send()` can be spawned.",
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
    let field_types: Vec<TokenStream> = operation
        .parameters
        .iter()
        .map(|p| parameter_parts(p).0)
        .collect();
    let setters = operation
        .parameters
        .iter()
        .zip(&fields)
        .map(|(parameter, field)| {
            let (_, argument, check) = parameter_parts(parameter);
            let doc = parameter
                .description
                .clone()
                .unwrap_or_else(|| format!("The `{}` parameter.", parameter.name));
            quote! {
                #[doc = #doc]
                pub fn #field(mut self, #argument) -> Self {
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
        })
        .collect::<Vec<_>>();
    let pass_parameters = operation
        .parameters
        .iter()
        .zip(&fields)
        .map(|(parameter, field)| {
            if parameter.required {
                quote! { let request = request.#field(#field); }
            } else {
                quote! {
                    let request = match #field {
                        ::std::option::Option::Some(value) => request.#field(value),
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
            // The body's rules, written once in `check_body` and run by both `check()` and
            // `send()`.
            let (check_fn, check) = if body.sites.is_empty() {
                (quote! {}, quote! {})
            } else {
                let checks = body.sites.iter().map(check_site);
                let call = if body.required {
                    quote! { Self::check_body(&body)?; }
                } else {
                    quote! {
                        if let ::std::option::Option::Some(body) = &body {
                            Self::check_body(body)?;
                        }
                    }
                };
                (
                    quote! {
                        /// The document's rules for the body: the first one broken, naming the field.
                        fn check_body(body: &types::#body_type) -> ::std::result::Result<(), crate::Error> {
                            let at = crate::operation::FieldPath::ROOT;
                            #(#checks)*
                            ::std::result::Result::Ok(())
                        }
                    },
                    call,
                )
            };
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

                    #check_fn
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
                quote! { crate::operation::finish(&client, request.send().await).await },
            )
        }
        None => (
            quote! { () },
            quote! { crate::operation::finish_empty(&client, request.send().await).await },
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
    let paging = operation
        .pagination
        .as_ref()
        .map(|pagination| paged(operation, pagination, &answer_type));
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "nothing is sent until `send()` is awaited"]
        pub struct #type_name {
            client: crate::Client,
            #( #fields: ::std::option::Option<::std::result::Result<#field_types, crate::operation::Invalid>>, )*
            #body_field
        }

        impl #type_name {
            pub(crate) fn new(client: crate::Client) -> Self {
                Self { client, #( #fields: ::std::option::Option::None, )* #body_init }
            }

            #(#setters)*
            #body_setter

            /// Runs every check `send()` runs, without sending: the first rule of the document
            /// the request breaks, naming the field.
            pub fn check(&self) -> ::std::result::Result<(), crate::Error> {
                let Self { client: _, #( #fields, )* #body_binding } = self.clone();
                #(#take_parameters)*
                #take_body
                let _ = (#( #fields, )* #body_binding);
                ::std::result::Result::Ok(())
            }

            #[doc = #send_doc]
            pub async fn send(self) -> ::std::result::Result<crate::Response<#answer_type>, crate::Error> {
                let Self { client, #( #fields, )* #body_binding } = self;
                #(#take_parameters)*
                #take_body
                crate::operation::credentials_ready(&client).await?;
                let request = super::builder::#progenitor_builder::new(client.transport());
                #(#pass_parameters)*
                #pass_body
                #result
            }
        }

        #paging
    }
}

/// What a paged operation's builder adds: `pages()`, and how [`crate::Pages`] turns it.
fn paged(operation: &Operation, pagination: &Pagination, answer_type: &TokenStream) -> TokenStream {
    let type_name = ident(&operation.type_name());
    let item = ident(&names::pascal(&pagination.item_schema));
    let items = ident(&names::snake(&pagination.items));
    let total = ident(&names::snake(&pagination.total));
    let offset = ident(&names::snake(&pagination.offset));
    let limit = ident(&names::snake(&pagination.limit));
    let page = pagination.page as i64;
    let doc = format!(
        "Every page, from `{}` (0 when unset), `{}` items at a time ({page} when unset): a \
         stream of answers that ends after the last page, or after the first error. \
         [`Pages::items`](crate::Pages::items) gathers every item.",
        pagination.offset, pagination.limit
    );
    quote! {
        impl #type_name {
            #[doc = #doc]
            pub fn pages(self) -> crate::Pages<Self> {
                crate::Pages::new(self)
            }
        }

        impl crate::pagination::sealed::Sealed for #type_name {}

        impl crate::pagination::Paged for #type_name {
            type Answer = #answer_type;
            type Item = types::#item;

            fn first(mut self) -> (Self, i64) {
                if self.#limit.is_none() {
                    self.#limit = ::std::option::Option::Some(::std::result::Result::Ok(#page));
                }
                let offset = match &self.#offset {
                    ::std::option::Option::Some(::std::result::Result::Ok(offset)) => *offset,
                    _ => 0,
                };
                (self, offset)
            }

            fn at(&self, offset: i64) -> Self {
                let mut next = self.clone();
                next.#offset = ::std::option::Option::Some(::std::result::Result::Ok(offset));
                next
            }

            fn send_page(self) -> crate::pagination::PageFuture<Self::Answer> {
                ::std::boxed::Box::pin(self.send())
            }

            fn count(answer: &Self::Answer) -> usize {
                answer.#items.len()
            }

            fn total(answer: &Self::Answer) -> ::std::option::Option<i64> {
                answer.#total.map(i64::from)
            }

            fn into_items(answer: Self::Answer) -> ::std::vec::Vec<Self::Item> {
                answer.#items
            }
        }
    }
}

/// A check site: walk from the body to the schema, then check its rules and bounds.
fn check_site(site: &CheckSite) -> TokenStream {
    let rules = (!site.rules.is_empty()).then(|| {
        let rules = site.rules.iter().map(rule);
        quote! { crate::operation::required_when(item, &at, &[#(#rules),*])?; }
    });
    let bounds = site.bounds.iter().map(|field| {
        let name = ident(&names::snake(&field.property));
        let property = field.property.as_str();
        let bounds = bounds_tokens(&field.bounds);
        quote! { crate::operation::check_field(&item.#name, &at, #property, &#bounds)?; }
    });
    let check = quote! { #rules #(#bounds)* };
    let walk = site
        .path
        .iter()
        .rev()
        .fold(check, |inner, step| walk_step(step, inner));
    quote! {
        {
            let item = body;
            #walk
        }
    }
}

/// A [`Bounds`] as a `crate::operation::Bounds` value, naming only the bounds it has.
fn bounds_tokens(bounds: &Bounds) -> TokenStream {
    let named = [
        ("min_length", bounds.min_length.map(|v| quote! { #v })),
        ("max_length", bounds.max_length.map(|v| quote! { #v })),
        ("min_items", bounds.min_items.map(|v| quote! { #v })),
        ("max_items", bounds.max_items.map(|v| quote! { #v })),
        ("minimum", bounds.minimum.map(|v| quote! { #v })),
        ("maximum", bounds.maximum.map(|v| quote! { #v })),
    ];
    let fields = named.into_iter().filter_map(|(name, value)| {
        let name = ident(name);
        value.map(|value| quote! { #name: ::std::option::Option::Some(#value), })
    });
    quote! { crate::operation::Bounds { #(#fields)* ..crate::operation::Bounds::NONE } }
}

fn walk_step(step: &Step, inner: TokenStream) -> TokenStream {
    let field = ident(&names::snake(&step.property));
    let property = step.property.as_str();
    if step.array {
        quote! {
            for (index, item) in item.#field.iter().enumerate() {
                let at = at.field(#property, ::std::option::Option::Some(index));
                #inner
            }
        }
    } else if step.optional {
        quote! {
            if let ::std::option::Option::Some(item) = &item.#field {
                let at = at.field(#property, ::std::option::Option::None);
                #inner
            }
        }
    } else {
        quote! {
            {
                let item = &item.#field;
                let at = at.field(#property, ::std::option::Option::None);
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

/// The batch operations a fleet run drives (`x-fleet`): their shape, and how to check and
/// send a batch of items given as JSON.
fn fleet_table(model: &Model) -> TokenStream {
    fn field_tokens(field: &model::ItemField) -> TokenStream {
        let name = field.name.as_str();
        let kind = match field.kind.as_str() {
            "boolean" => quote! { crate::fleet::FieldKind::Boolean },
            "integer" => quote! { crate::fleet::FieldKind::Integer },
            "array" => quote! { crate::fleet::FieldKind::Objects },
            _ => quote! { crate::fleet::FieldKind::Text },
        };
        let nested = field.nested.iter().map(field_tokens);
        quote! { crate::fleet::Field { name: #name, kind: #kind, nested: &[#(#nested),*] } }
    }
    let mut functions = Vec::new();
    let shapes: Vec<TokenStream> = model
        .operations
        .iter()
        .filter_map(|operation| {
            let fleet = operation.fleet.as_ref()?;
            let body = operation.body.as_ref()?;
            let id = operation.id.as_str();
            let command = fleet.command.as_str();
            let effect = match fleet.effect.as_str() {
                "attach" => quote! { crate::fleet::Effect::Attach },
                "detach" => quote! { crate::fleet::Effect::Detach },
                _ => quote! { crate::fleet::Effect::Regroup },
            };
            let items = fleet.items.as_str();
            let max_items = fleet.max_items as usize;
            let key = fleet.key.as_str();
            let fields = fleet.fields.iter().map(field_tokens);
            let method = ident(&operation.method_name());
            let body_type = ident(&names::pascal(&body.schema));
            let send = ident(&format!("fleet_send_{}", operation.method_name()));
            let check = ident(&format!("fleet_check_{}", operation.method_name()));
            functions.push(quote! {
                fn #send(
                    client: crate::Client,
                    items: ::std::vec::Vec<::serde_json::Value>,
                ) -> crate::fleet::SendFuture {
                    ::std::boxed::Box::pin(async move {
                        let mut body = ::serde_json::Map::new();
                        body.insert(#items.to_string(), ::serde_json::Value::Array(items));
                        let body: types::#body_type =
                            crate::request_body::from_value(::serde_json::Value::Object(body))?;
                        crate::fleet::accepted(client.#method().body(body).send().await)
                    })
                }

                fn #check(
                    client: &crate::Client,
                    item: ::serde_json::Value,
                ) -> ::std::result::Result<(), crate::Error> {
                    let mut body = ::serde_json::Map::new();
                    body.insert(#items.to_string(), ::serde_json::Value::Array(::std::vec![item]));
                    let body: types::#body_type =
                        crate::request_body::from_value(::serde_json::Value::Object(body))?;
                    client.#method().body(body).check()
                }
            });
            Some(quote! {
                crate::fleet::Shape {
                    operation: #id,
                    command: #command,
                    effect: #effect,
                    items: #items,
                    max_items: #max_items,
                    key: #key,
                    fields: &[#(#fields),*],
                    send: #send,
                    check: #check,
                }
            })
        })
        .collect();
    quote! {
        /// The batch operations a fleet run drives, from `x-fleet`.
        pub(crate) const FLEET: &[crate::fleet::Shape] = &[#(#shapes),*];

        #(#functions)*
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
