"""Dates on wiki pages as readers write them (« lundi 3 mars 2025 à 9 h 00 »), in the
network's timezone (`schedule.timezone`), never ISO: the same conventions as the bot's
chat messages (`bot.i18n`), kept here because `wiki_sync` imports nothing from the bot.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time

DEFAULT_TIMEZONE = "Europe/Paris"
_TIME = {"fr": "H 'h' mm", "en": "h:mm a"}
_AT = {"fr": "{date} à {time}", "en": "{date} at {time}"}
_FIRST_OF_MONTH = re.compile(r"\b1 (?=[a-zéû]+\b)")


def _language(language: str) -> str:
    return language if language in _TIME else "fr"


def _local(moment: datetime, tz: str) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(tz))


def _first(language: str, text: str) -> str:
    return _FIRST_OF_MONTH.sub("1er ", text) if language == "fr" else text


def long_date(language: str, moment: datetime | date, tz: str = DEFAULT_TIMEZONE) -> str:
    """« 3 mars 2025 », « 1er mars 2025 », "March 3, 2025" (a datetime: its local day)."""
    lang = _language(language)
    day = _local(moment, tz).date() if isinstance(moment, datetime) else moment
    return _first(lang, _babel_date(day, "long", locale=lang))


def date_and_time(language: str, moment: datetime, tz: str = DEFAULT_TIMEZONE) -> str:
    """« lundi 3 mars 2025 à 9 h 00 », "Monday, March 3, 2025 at 9:00 AM"."""
    lang = _language(language)
    local = _local(moment, tz)
    day = _first(lang, _babel_date(local.date(), "full", locale=lang))
    time = _babel_time(local.time(), _TIME[lang], locale=lang)
    return _AT[lang].format(date=day, time=time)


def period_ends(
    language: str, start: datetime | date, end: datetime | date, tz: str = DEFAULT_TIMEZONE
) -> tuple[str, str]:
    """The two days of a period with their weekday, the year said once when shared:
    (« lundi 3 mars », « lundi 10 mars 2025 »), ("Monday, March 3", "Monday, March 10, 2025")."""
    lang = _language(language)
    first = _local(start, tz).date() if isinstance(start, datetime) else start
    last = _local(end, tz).date() if isinstance(end, datetime) else end
    full_last = _first(lang, _babel_date(last, "full", locale=lang))
    if first.year != last.year:
        return _first(lang, _babel_date(first, "full", locale=lang)), full_last
    pattern = "EEEE d MMMM" if lang == "fr" else "EEEE, MMMM d"
    return _first(lang, _babel_date(first, pattern, locale=lang)), full_last
