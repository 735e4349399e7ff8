//! Config enums declared once: each variant with the one spelling the config
//! uses. Serde reads and writes that spelling, [`as_str`](Chart::as_str) gives
//! it back, `VALUES` lists them for validation, did-you-mean, completion and
//! docs, and `parse` reads one, so no list of spellings is kept anywhere else.

/// Declares a config enum from `Variant = "spelling"` pairs (see the module
/// documentation).
macro_rules! spelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $spelling:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $spelling)] $variant ),+
        }

        impl $name {
            /// Every value, as written in the config.
            pub const VALUES: &'static [&'static str] = &[$($spelling),+];

            /// The value as written in the config.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $spelling ),+
                }
            }

            /// Parses the config spelling.
            pub fn parse(value: &str) -> Option<Self> {
                match value {
                    $( $spelling => Some(Self::$variant), )+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use spelled_enum;
