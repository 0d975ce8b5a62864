//! What the generator and the runtime agree on, written once here: the crates generated
//! code reaches through the runtime (so a generated crate depends on the runtime
//! alone), the items every module expands from a macro rather than printing them, and
//! the names both sides use (the generator's copies are tested against these).

pub use serde;

pub use crate::{
    call_block, closed_enum, deserialize_struct, deserialize_with, headers_type, open_enum, serialize_as_str,
    unwind_safe,
};

/// The methods of every module's `Call` (what [`call_block!`](crate::call_block)
/// writes): a parameter setter cannot take one of these names.
pub const CALL_METHODS: &[&str] =
    &["timeout", "header", "retry", "idempotency_key", "with_response", "stream", "events", "download"];

/// The roles of a token answer's fields, as `x-authgen-token` names them: the fields of
/// [`TokenFields`](crate::token::TokenFields).
pub const TOKEN_ROLES: &[&str] = &[
    "access_token",
    "token_type",
    "expires_in",
    "expires_at",
    "refresh_token",
    "refresh_expires_in",
    "scope",
];

/// The module's `Call`: per-call options, `IntoFuture` and `with_response`, for every
/// operation at once, and the methods some operations of a module need, named by
/// parts: `pages` (`Call::stream` for the operations that page), `events`
/// (`Call::events` for those that answer with a stream of items), `download`
/// (`Call::download` for those that answer with one binary body). Expanded in the
/// generated module, so the module's own setters (`impl Call<'_, Params> { … }`) are
/// inherent methods of a local type.
#[doc(hidden)]
#[macro_export]
macro_rules! call_block {
    ($($part:ident),* $(,)?) => {
        $crate::call_block!(@call);
        $($crate::call_block!(@$part);)*
    };
    (@call) => {
        /// A call of one operation, made by a method of [`Client`]: set its optional
        /// parameters and per-call options, then `.await` it to send it.
        #[must_use = "a call is sent when it is awaited"]
        pub struct Call<'c, P> {
            client: &'c Client,
            params: P,
            options: $crate::CallOptions,
        }

        impl<'c, P> Call<'c, P> {
            fn new(client: &'c Client, params: P) -> Self {
                Call { client, params, options: $crate::CallOptions::new() }
            }

            /// Limits each attempt of this call to `timeout`, instead of the client's.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options = self.options.timeout(timeout);
                self
            }

            /// Adds the header `name: value` to this call.
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.options = self.options.header(name, value);
                self
            }

            /// Retries this call by `policy`, instead of the client's.
            pub fn retry(mut self, policy: $crate::RetryPolicy) -> Self {
                self.options = self.options.retry(policy);
                self
            }

            /// Sends `key` as this call's idempotency key on every attempt, and retries
            /// the call as an idempotent one.
            pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
                self.options = self.options.idempotency_key(key);
                self
            }
        }

        impl<'c, P: $crate::__private::Operation> ::std::future::IntoFuture for Call<'c, P> {
            type Output = Result<P::Output, $crate::Error<P::Error>>;
            type IntoFuture = $crate::__private::CallFuture<'c, P::Output, P::Error>;

            fn into_future(self) -> Self::IntoFuture {
                $crate::__private::call(&self.client.core, self.params, self.options)
            }
        }

        impl<'c, P: $crate::__private::Operation> Call<'c, P> {
            /// Gives the result with the answer's status and headers (the documented ones
            /// typed, where the spec documents some); it derefs to the result.
            pub fn with_response(
                self,
            ) -> $crate::__private::CallFuture<'c, $crate::Response<P::Output, P::Headers>, P::Error> {
                $crate::__private::answered(&self.client.core, self.params, self.options)
            }
        }
    };
    (@pages) => {
        impl<'c, P: $crate::__private::Paginate> Call<'c, P> {
            /// The items of every page, as a stream that requests a page only when the
            /// items before it have been read: stopping within the first page sends one
            /// request. An error ends it.
            pub fn stream(self) -> $crate::Items<'c, P> {
                $crate::__private::items(&self.client.core, self.params, self.options)
            }
        }
    };
    (@events) => {
        impl<'c, P: $crate::__private::EventStream> Call<'c, P> {
            /// Asks for the answer as a stream of items, given once its head arrives;
            /// read them with `.next().await`. Where the body has a `stream` field,
            /// it is set to `true`.
            pub fn events(
                self,
            ) -> $crate::__private::CallFuture<'c, $crate::Events<P::Item, P::Error>, P::Error> {
                $crate::__private::events(&self.client.core, self.params, self.options)
            }
        }
    };
    (@download) => {
        impl<'c, P: $crate::__private::Operation<Output = $crate::Binary>> Call<'c, P> {
            /// Gives the binary body chunk by chunk as it arrives, once the answer's
            /// head does, never holding it whole (`write_to` saves it to a file).
            pub fn download(
                self,
            ) -> $crate::__private::CallFuture<'c, $crate::Download<P::Error>, P::Error> {
                $crate::__private::download(&self.client.core, self.params, self.options)
            }
        }
    };
}

/// The wire text of a closed string enum of the module, `closed_enum!(Name, Variant =
/// "wire", …)`: `as_str` (`'static`, the enum is `Copy`) and `Display` as it.
#[doc(hidden)]
#[macro_export]
macro_rules! closed_enum {
    ($name:ident, $($variant:ident = $wire:literal),+ $(,)?) => {
        impl $name {
            /// The value as it travels on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }
        }
        $crate::display_as_str!($name);
    };
}

/// The wire text of an open string enum of the module, `open_enum!(Name, Other, Variant
/// = "wire", …)`: `as_str`, `Display` as it, and `From<String>`, which the enum's
/// `Deserialize` goes through (`#[serde(from = "String")]`): a value it does not list
/// becomes `Other`, holding the text as it came.
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum {
    ($name:ident, $other:ident, $($variant:ident = $wire:literal),+ $(,)?) => {
        impl $name {
            /// The value as it travels on the wire.
            pub fn as_str(&self) -> &str {
                match self { $($name::$variant => $wire,)+ $name::$other(wire) => wire }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(wire: ::std::string::String) -> Self {
                match wire.as_str() { $($wire => $name::$variant,)+ _ => $name::$other(wire) }
            }
        }

        $crate::display_as_str!($name);
    };
}

/// `Serialize` for an open enum of the module that requests carry: its wire text.
#[doc(hidden)]
#[macro_export]
macro_rules! serialize_as_str {
    ($name:ident) => {
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

/// `Display` as the wire text (`as_str`), for the enum macros above.
#[doc(hidden)]
#[macro_export]
macro_rules! display_as_str {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// `Deserialize` for a union of the module through the runtime's decoder `tagged` or
/// `untagged`, which calls the union's [`Tagged`](crate::__private::Tagged) or
/// [`Untagged`](crate::__private::Untagged) impl.
#[doc(hidden)]
#[macro_export]
macro_rules! deserialize_with {
    ($name:ident, $decoder:ident) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                $crate::__private::$decoder(deserializer)
            }
        }
    };
}

/// `Deserialize` for a struct of the module, `deserialize_struct!(Name, field, field =
/// "wire", …)`: a field whose wire name is not its own is given it. A visitor of the
/// object's entries by wire name (the runtime's `fields` module says why not serde's
/// derive, and what is kept of it). Its own names start with `__`, which no name of a
/// module does: a struct may be called `A` or `D`, and hygiene covers only locals.
#[doc(hidden)]
#[macro_export]
macro_rules! deserialize_struct {
    (@wire $field:ident) => { ::std::stringify!($field) };
    (@wire $field:ident $wire:literal) => { $wire };
    ($name:ident $(, $field:ident $(= $wire:literal)?)* $(,)?) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<__D>(deserializer: __D) -> ::std::result::Result<Self, __D::Error>
            where
                __D: $crate::__private::serde::Deserializer<'de>,
            {
                const __WIRE: &[&str] = &[$($crate::deserialize_struct!(@wire $field $($wire)?)),*];
                struct __Entries;

                impl<'de> $crate::__private::serde::de::Visitor<'de> for __Entries {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(::std::concat!("struct ", ::std::stringify!($name)))
                    }

                    fn visit_map<__A>(self, mut map: __A) -> ::std::result::Result<$name, __A::Error>
                    where
                        __A: $crate::__private::serde::de::MapAccess<'de>,
                    {
                        $(let mut $field = ::std::option::Option::None;)*
                        while let ::std::option::Option::Some(key) =
                            map.next_key_seed($crate::__private::FieldKey(__WIRE))?
                        {
                            match key {
                                $(::std::option::Option::Some(
                                    wire @ $crate::deserialize_struct!(@wire $field $($wire)?),
                                ) => $crate::__private::take_field(&mut map, &mut $field, wire)?,)*
                                _ => {
                                    map.next_value::<$crate::__private::serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        ::std::result::Result::Ok($name {
                            $($field: $crate::__private::field(
                                $field,
                                $crate::deserialize_struct!(@wire $field $($wire)?),
                            )?,)*
                        })
                    }
                }

                deserializer.deserialize_struct(::std::stringify!($name), __WIRE, __Entries)
            }
        }
    };
}

/// What makes `$name`, a tuple struct around the `HeaderMap` that the module declares
/// (with its documentation), the type of an operation's answers' headers: its
/// [`Headers`](crate::Headers) impl, and a `Deref` to the whole map. The module adds a
/// typed getter per documented header in an `impl` of its own.
#[doc(hidden)]
#[macro_export]
macro_rules! headers_type {
    ($name:ident) => {
        impl $crate::Headers for $name {
            fn from_map(map: $crate::HeaderMap) -> Self {
                $name(map)
            }

            fn map(&self) -> &$crate::HeaderMap {
                &self.0
            }
        }

        impl ::std::ops::Deref for $name {
            type Target = $crate::HeaderMap;

            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }
    };
}

/// `UnwindSafe` and `RefUnwindSafe` stated for a recursive type of the module (one a
/// `Box` holds). The auto traits would say the same (generated types hold plain data),
/// but rustdoc, which works out every auto trait of every type it documents, follows
/// the recursion through `Box`'s four layers of pointers and, on a graph of types as
/// large as Stripe's, passes the recursion limit (E0275). A crate attribute could raise
/// the limit, but a module built into the user's crate (the `build.rs` path) cannot
/// set one: an impl stated here ends the search where the recursion starts, in both.
#[doc(hidden)]
#[macro_export]
macro_rules! unwind_safe {
    ($name:ident) => {
        impl ::std::panic::UnwindSafe for $name {}
        impl ::std::panic::RefUnwindSafe for $name {}
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::TokenFields;

    /// Each role is a field of `TokenFields`, and each field a role: the pattern names
    /// every field (no `..`), so a field added without its role does not compile.
    #[test]
    fn token_roles_are_the_fields_of_token_fields() {
        macro_rules! roles {
            ($($role:ident),*) => {{
                let TokenFields { $($role: _),* } = TokenFields::CONVENTION;
                vec![$(stringify!($role)),*]
            }};
        }
        let fields = roles!(
            access_token,
            token_type,
            expires_in,
            expires_at,
            refresh_token,
            refresh_expires_in,
            scope
        );
        assert_eq!(TOKEN_ROLES, fields);
    }

    #[allow(dead_code, reason = "compiled, never run: it proves what the expansion has")]
    mod expanded {
        //! A module as the generator writes one, its `Call` from the macro.
        pub struct Client {
            core: crate::__private::ClientCore,
        }
        crate::call_block!(pages, events, download);
        /// Headers, as the generator declares a module's.
        #[derive(Clone)]
        pub struct AnswerHeaders(crate::HeaderMap);
        crate::headers_type!(AnswerHeaders);

        /// The headers' map, read through the `Headers` the macro writes and its `Deref`.
        pub fn headers_read(headers: &AnswerHeaders) -> usize {
            crate::Headers::map(headers).len() + headers.len()
        }

        /// Every method the macro writes, called by the name [`CALL_METHODS`](super::CALL_METHODS)
        /// gives it: a method renamed in the macro fails to compile here.
        pub fn every_method<P: crate::__private::Paginate>(call: Call<'_, P>) -> crate::Items<'_, P> {
            let call = call.timeout(std::time::Duration::from_secs(1)).header("a", "b");
            call.retry(crate::RetryPolicy::default()).idempotency_key("k").stream()
        }

        /// The answer with its head, by the name the list gives it.
        pub async fn with_response<P: crate::__private::Operation>(call: Call<'_, P>) {
            let _ = call.with_response().await;
        }

        /// The answer as a stream of items, by the name the list gives it.
        pub async fn events<P: crate::__private::EventStream>(call: Call<'_, P>) {
            let _ = call.events().await;
        }

        /// A binary answer chunk by chunk, by the name the list gives it.
        pub async fn download<P: crate::__private::Operation<Output = crate::Binary>>(call: Call<'_, P>) {
            let _ = call.download().await;
        }
    }

    #[test]
    fn call_methods_are_those_the_call_block_writes() {
        let methods = [
            "timeout",
            "header",
            "retry",
            "idempotency_key",
            "with_response",
            "stream",
            "events",
            "download",
        ];
        assert_eq!(CALL_METHODS, methods);
    }
}
