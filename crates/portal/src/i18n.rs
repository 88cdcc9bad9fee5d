//! The portal's words in Vietnamese (the default) and English, from Fluent files in `locales/`.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(text: &str) -> Option<Lang> {
        match text {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
}

pub const VI: &str = include_str!("../locales/vi.ftl");
pub const EN: &str = include_str!("../locales/en.ftl");

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static BUNDLES: OnceLock<[FluentBundle<FluentResource>; 2]> = OnceLock::new();
    let bundles = BUNDLES.get_or_init(|| {
        let make = |code: &str, text: &str| {
            let mut bundle = FluentBundle::new_concurrent(vec![code.parse().expect("a language")]);
            // Pages are HTML: no Unicode isolation marks around arguments.
            bundle.set_use_isolating(false);
            let resource = FluentResource::try_new(text.to_owned())
                .unwrap_or_else(|(_, errors)| panic!("locales/{code}.ftl: {errors:?}"));
            bundle
                .add_resource(resource)
                .unwrap_or_else(|errors| panic!("locales/{code}.ftl: {errors:?}"));
            bundle
        };
        [make("vi", VI), make("en", EN)]
    });
    match lang {
        Lang::Vi => &bundles[0],
        Lang::En => &bundles[1],
    }
}

/// Translates for one language.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// With named arguments, e.g. `tr.ta("rows", &[("count", 3.into())])`.
    pub fn ta(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, value.clone());
        }
        self.format(id, Some(&fluent))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let bundle = bundle(self.lang);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            // A missing message shows its id (tests make sure none is missing).
            return id.to_owned();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }
}

/// The message ids a Fluent file defines.
pub fn ids(text: &str) -> Vec<String> {
    let resource = FluentResource::try_new(text.to_owned()).expect("parses");
    resource
        .entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_define_the_same_messages() {
        let mut vi = ids(VI);
        let mut en = ids(EN);
        vi.sort();
        en.sort();
        assert!(!vi.is_empty());
        assert_eq!(vi, en);
    }

    #[test]
    fn vietnamese_and_english_differ_and_take_arguments() {
        let vi = Tr::new(Lang::Vi);
        let en = Tr::new(Lang::En);
        assert_eq!(vi.t("login-title"), "Đăng nhập");
        assert_eq!(en.t("login-title"), "Sign in");
        assert!(vi
            .ta(
                "import-row-error",
                &[("row", 7.into()), ("message", "x".into())]
            )
            .contains('7'));
    }
}
