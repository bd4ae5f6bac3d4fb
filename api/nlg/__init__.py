"""Natural-language generation: every text a person reads, rendered from the gettext catalogs in locales/."""
