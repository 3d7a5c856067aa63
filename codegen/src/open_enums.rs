//! The types of answer enums, generated here instead of by typify: one variant per value the
//! document lists, and `Unknown(String)` for any other, so that a value the service adds
//! later decodes (and prints) instead of failing the whole answer. typify is told to use
//! these types where the document references the schemas.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::directions::{OpenEnum, UNKNOWN_VARIANT};
use crate::names;

/// Where the generated code reaches an open enum: the crate re-exports the generated
/// `types` module, where these types are written.
pub(crate) fn path(open: &OpenEnum) -> String {
    format!("crate::types::{}", names::pascal(&open.schema))
}

/// The items of every open enum, for the `types` module.
pub(crate) fn tokens(open_enums: &[OpenEnum]) -> TokenStream {
    open_enums.iter().map(one).collect()
}

fn one(open: &OpenEnum) -> TokenStream {
    let name = format_ident!("{}", names::pascal(&open.schema));
    let unknown = format_ident!("{}", UNKNOWN_VARIANT);
    let description = open
        .description
        .as_deref()
        .unwrap_or("A value the service answers with.");
    let keeps = format!(
        "A value the document does not list decodes to [`{name}::{UNKNOWN_VARIANT}`], \
         keeping its text: the service may add values."
    );
    let variants: Vec<_> = open
        .values
        .iter()
        .map(|v| format_ident!("{}", names::pascal(v)))
        .collect();
    let values = &open.values;
    let variant_docs: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    quote! {
        #[doc = #description]
        #[doc = ""]
        #[doc = #keeps]
        #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
        pub enum #name {
            #(
                #[doc = #variant_docs]
                #variants,
            )*
            /// A value this version of the document does not list, as the service sent it.
            #unknown(::std::string::String),
        }

        impl #name {
            /// The value as the service writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::#unknown(value) => value.as_str(),
                }
            }

            /// Whether the document lists this value.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::#unknown(_))
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#variants, )*
                    other => Self::#unknown(other.to_string()),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(text.as_str()))
            }
        }
    }
}
