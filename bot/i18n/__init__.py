"""Message catalogues (French first, English) and the lookup used by every module.

Strings live in `fr.py` and `en.py` as `key → str.format template`, with identical keys
and placeholders (a unit test checks it). A missing key or placeholder falls back
gracefully in production (French, then the key itself) but raises under pytest, so a
forgotten string is caught by the tests instead of reaching users.

Grammar is Babel's, not hand-written, so no message needs « (s) »:

- **Plurals.** A message about a quantity has no plain `key`; it has one entry per CLDR
  plural category, `key.one` and `key.other` (French puts 0 and 1 in `one`, English only
  1), plus an optional `key.zero` used for 0 whatever the language ("aucun message").
  `t(lang, key, count=n)` picks the form with Babel's plural rules for `lang`.
- **Values are formatted by type**, in the catalogue's language: a `datetime` becomes a
  local date and time in the configured timezone (« lundi 3 mars 2025 à 9 h 00 »), a
  `date` a long date (« 3 mars 2025 »), a `Period` the catalogue's `period` message with
  what both ends share said once (« du 3 au 10 mars 2025 »), a list or tuple a list
  (« a, b et c »), and an `int` given as one of the quantity params (`QUANTITIES`:
  count, length…) a number (« 1 234 »). Identifiers (case numbers, versions) stay as they are.
- **Templates are Markdown** (`bot/i18n/markdown.py`): `tr.rich(key, …)` gives a `Rich`
  (Markdown with every value escaped, for HTML, and the plain text); `tr(key, …)` is the
  plain text alone, so a `**` never reaches a plain message.
- `format_datetime`, `format_date`, `format_list`, `format_number` and `period_ends` are
  exported for text built outside a catalogue. The catalogues are checked by
  tests/unit/i18n/test_golden_messages.py against golden files a reader has read:
  `CAPIBOT_UPDATE_GOLDEN=1` rewrites them after a deliberate change of wording.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_skeleton as _babel_skeleton
from babel.dates import format_time as _babel_time
from babel.lists import format_list as _babel_list
from babel.numbers import format_decimal

from bot.i18n.en import MESSAGES as EN
from bot.i18n.fr import MESSAGES as FR
from bot.i18n.markdown import Rich, escape, plain_template

DEFAULT_LANGUAGE = "fr"
DEFAULT_TIMEZONE = "Europe/Paris"  # `schedule.timezone`'s default
CATALOGUES: Mapping[str, Mapping[str, str]] = {"fr": FR, "en": EN}
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(CATALOGUES)
PLURAL_FORMS: tuple[str, ...] = ("zero", "one", "other")
#: int params that are quantities (formatted « 1 234 »); other ints are identifiers
QUANTITIES = frozenset({"count", "length", "max", "pages"})

# How each language writes a time of day: French typography wants « 9 h 00 ».
_TIME_PATTERN = {"fr": "H 'h' mm", "en": "h:mm a"}
_AT = {"fr": "{date} à {time}", "en": "{date} at {time}"}
_FIRST_OF_MONTH = re.compile(r"\b1 (?=[a-zéû]+\b)")


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


def plural_keys(catalogue: Mapping[str, str], key: str) -> dict[str, str]:
    """The plural forms of `key` in `catalogue` (category → key), empty if it has none."""
    return {form: f"{key}.{form}" for form in PLURAL_FORMS if f"{key}.{form}" in catalogue}


def plural_messages(catalogue: Mapping[str, str]) -> frozenset[str]:
    """The base keys that are chosen by count (`key.other` exists)."""
    return frozenset(k[: -len(".other")] for k in catalogue if k.endswith(".other"))


# --- formatting helpers ------------------------------------------------------------------


def _local(moment: datetime, tz: str) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(tz))


def format_date(lang: str, day: date | datetime, tz: str = DEFAULT_TIMEZONE) -> str:
    """A long date: « 3 mars 2025 », « 1er mars 2025 », "March 3, 2025"."""
    lang = normalise_language(lang)
    if isinstance(day, datetime):
        day = _local(day, tz).date()
    text = _babel_date(day, "long", locale=lang)
    return _FIRST_OF_MONTH.sub("1er ", text) if lang == "fr" else text


def format_datetime(lang: str, moment: datetime, tz: str = DEFAULT_TIMEZONE) -> str:
    """Day and local time: « lundi 3 mars 2025 à 9 h 00 », "Monday, March 3, 2025 at
    9:00 AM" (naive datetimes are taken as UTC, as the database stores them)."""
    lang = normalise_language(lang)
    local = _local(moment, tz)
    day = _babel_date(local.date(), "full", locale=lang)
    if lang == "fr":
        day = _FIRST_OF_MONTH.sub("1er ", day)
    time = _babel_time(local.time(), _TIME_PATTERN[lang], locale=lang)
    return _AT[lang].format(date=day, time=time)


@dataclass(frozen=True, slots=True)
class Period:
    """Two days (inclusive), written through the `period` message (« du … au … »)."""

    start: date
    end: date


def period_ends(lang: str, period: Period) -> tuple[str, str]:
    """The two ends of `period`, the first without what the second already says:
    (« 3 », « 10 mars 2025 »), ("March 3", "March 10, 2025"); years differ → both long."""
    lang = normalise_language(lang)
    start, end = period.start, period.end
    if start.year != end.year:
        first = format_date(lang, start)
    elif start.month == end.month and lang == "fr":
        first = _babel_skeleton("d", start, locale=lang)
        first = "1er" if first == "1" else first
    else:
        first = _FIRST_OF_MONTH.sub("1er ", _babel_skeleton("MMMMd", start, locale=lang))
    return first, format_date(lang, end)


def format_list(lang: str, items: list[str] | tuple[str, ...]) -> str:
    """« a, b et c », "a, b, and c"."""
    return _babel_list([str(item) for item in items], locale=normalise_language(lang))


def format_number(lang: str, number: int | float) -> str:
    """« 1 234 » (narrow no-break space in French), "1,234"."""
    return format_decimal(number, locale=normalise_language(lang))


def plural_form(lang: str, count: int) -> str:
    """The CLDR plural category of `count` in `lang` ("one", "other"…)."""
    return str(Locale.parse(normalise_language(lang)).plural_form(abs(count)))


# --- lookup ------------------------------------------------------------------------------


def _count(value: object) -> int | None:
    """The count a plural form is chosen by: an int, or digits (domain errors carry str)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _strict_default() -> bool:
    # pytest sets PYTEST_CURRENT_TEST while a test runs; CAPIBOT_I18N_STRICT forces it.
    return "PYTEST_CURRENT_TEST" in os.environ or os.environ.get("CAPIBOT_I18N_STRICT") == "1"


class Translator:
    """Looks keys up in one language, falling back to French; dates in `tz`."""

    def __init__(
        self, lang: str = DEFAULT_LANGUAGE, *, strict: bool | None = None, tz: str | None = None
    ) -> None:
        self.lang = normalise_language(lang)
        self.tz = tz or DEFAULT_TIMEZONE
        self._strict = strict

    @property
    def strict(self) -> bool:
        return _strict_default() if self._strict is None else self._strict

    def has(self, key: str) -> bool:
        return any(
            key in catalogue or f"{key}.other" in catalogue
            for catalogue in (CATALOGUES[self.lang], FR)
        )

    def _template(self, key: str, params: Mapping[str, object]) -> str | None:
        for catalogue in (CATALOGUES[self.lang], FR):
            if key in catalogue:
                return catalogue[key]
            forms = plural_keys(catalogue, key)
            if forms:
                count = _count(params.get("count"))
                if count is None:
                    if self.strict:
                        raise MissingTranslation(f"message {key!r} needs an int count")
                    return catalogue[forms["other"]]
                lang = self.lang if catalogue is CATALOGUES[self.lang] else DEFAULT_LANGUAGE
                if count == 0 and "zero" in forms:
                    return catalogue[forms["zero"]]
                category = plural_form(lang, count)
                return catalogue[forms.get(category, forms["other"])]
        return None

    def value(self, name: str, value: object) -> object:
        """A param as a reader of this language writes it (see the module docstring)."""
        if isinstance(value, Period):
            first, last = period_ends(self.lang, value)
            return self("period", start=first, end=last)
        if isinstance(value, datetime):
            return format_datetime(self.lang, value, self.tz)
        if isinstance(value, date):
            return format_date(self.lang, value, self.tz)
        if isinstance(value, list | tuple):
            return format_list(self.lang, value)
        if isinstance(value, int) and not isinstance(value, bool) and name in QUANTITIES:
            return format_number(self.lang, value)
        return value

    def __call__(self, key: str, /, **params: object) -> str:
        """The message as plain text (its Markdown rendered as people read it)."""
        template = self._template(key, params)
        if template is None:
            return self._missing(key).plain
        values = {n: _plain(self.value(n, v)) for n, v in params.items()}
        return self._format(key, plain_template(template), values, plain_template(template))

    def rich(self, key: str, /, **params: object) -> Rich:
        """The message as Markdown (values escaped, `Rich` values kept) and plain text."""
        template = self._template(key, params)
        if template is None:
            return self._missing(key)
        values = {name: self.value(name, v) for name, v in params.items()}
        return Rich(
            self._format(key, template, {n: _markdown(v) for n, v in values.items()}, template),
            self._format(
                key,
                plain_template(template),
                {n: _plain(v) for n, v in values.items()},
                plain_template(template),
            ),
        )

    def _missing(self, key: str) -> Rich:
        if self.strict:
            raise MissingTranslation(f"no message {key!r} in {self.lang!r}")
        return Rich.text(key)

    def _format(self, key: str, template: str, values: Mapping[str, object], fallback: str) -> str:
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError) as err:
            if self.strict:
                raise MissingTranslation(f"message {key!r}: bad params ({err})") from err
            return fallback


def _markdown(value: object) -> object:
    if isinstance(value, Rich):
        return value.markdown
    return escape(value) if isinstance(value, str) else value


def _plain(value: object) -> object:
    return value.plain if isinstance(value, Rich) else value


def t(lang: str, key: str, /, **params: object) -> str:
    """One-shot lookup: `t("fr", "help.header")`."""
    return Translator(lang)(key, **params)
