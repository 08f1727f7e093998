"""Message catalogues (French first, English) and the lookup used by every module.

Strings live in `fr.py` and `en.py` as `key → str.format template`, with identical keys
and placeholders (a unit test checks it). A missing key or placeholder falls back
gracefully in production (French, then the key itself) but raises under pytest, so a
forgotten string is caught by the tests instead of reaching users.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping

from bot.i18n.en import MESSAGES as EN
from bot.i18n.fr import MESSAGES as FR

DEFAULT_LANGUAGE = "fr"
CATALOGUES: Mapping[str, Mapping[str, str]] = {"fr": FR, "en": EN}
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(CATALOGUES)


class MissingTranslation(KeyError):
    """A key (or a placeholder's value) is missing: raised only in strict mode."""


def normalise_language(lang: str | None) -> str:
    """`fr-FR`, `EN`, `en_GB` → a supported code; anything else → French."""
    code = (lang or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in CATALOGUES else DEFAULT_LANGUAGE


def placeholders(template: str) -> frozenset[str]:
    """Names of the `{placeholders}` of a format template."""
    return frozenset(
        name for _, name, _, _ in string.Formatter().parse(template) if name is not None
    )


def _strict_default() -> bool:
    # pytest sets PYTEST_CURRENT_TEST while a test runs; CAPIBOT_I18N_STRICT forces it.
    return "PYTEST_CURRENT_TEST" in os.environ or os.environ.get("CAPIBOT_I18N_STRICT") == "1"


class Translator:
    """Looks keys up in one language, falling back to French."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE, *, strict: bool | None = None) -> None:
        self.lang = normalise_language(lang)
        self._strict = strict

    @property
    def strict(self) -> bool:
        return _strict_default() if self._strict is None else self._strict

    def has(self, key: str) -> bool:
        return key in CATALOGUES[self.lang] or key in FR

    def __call__(self, key: str, /, **params: object) -> str:
        template = CATALOGUES[self.lang].get(key)
        if template is None:
            template = FR.get(key)
        if template is None:
            if self.strict:
                raise MissingTranslation(f"no message {key!r} in {self.lang!r}")
            return key
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError) as err:
            if self.strict:
                raise MissingTranslation(f"message {key!r}: bad params ({err})") from err
            return template


def t(lang: str, key: str, /, **params: object) -> str:
    """One-shot lookup: `t("fr", "help.header")`."""
    return Translator(lang)(key, **params)
