//! `str_enum!`: the small enums of the wire types (direction, status, ...), with their wire
//! spelling, a case-insensitive `parse`, `TryFrom<String>` for stored values and an OpenAPI schema.

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident ($what:literal) { $($var:ident = $s:literal),+ $(,)? } default $def:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $s)] $var,)+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s,)+ }
            }
            /// Case-insensitive parse of the wire spelling.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                $(if s.eq_ignore_ascii_case($s) { return Some($name::$var); })+
                None
            }
        }
        impl Default for $name {
            fn default() -> Self { $name::$def }
        }
        /// A stored value read back (`#[sqlx(try_from = "String")]` on row structs): an unknown
        /// spelling is an error naming the value, never the default.
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).ok_or_else(|| format!("unknown {} {:?}", $what, s))
            }
        }
        // Written by hand: utoipa's derive does not see serde renames that come through this
        // macro, and would document the Rust variant names instead of the wire spelling.
        #[cfg(feature = "ssr")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($s),+]))
                    .into()
            }
        }
        #[cfg(feature = "ssr")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}
