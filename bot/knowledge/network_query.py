"""The network wiki, as `!chercher réseau` reads it: a question turned into plain
MediaWiki search strings, and a page's wikitext turned back into a fiche.

Search strings. MediaWiki's own search (no CirrusSearch: the database backends of a
plain install, SQLite or MySQL) wants every word of a query and knows no word forms, so
a question sent as typed finds next to nothing. The question becomes its content words
(stop words out, as the local index does), each as a prefix of its French stem
(« mobiliser » → ``mobilis*``, which finds « mobilisé », « mobilisation »): first all
of them at once (the pages that have every word), then each alone, longest first (the
pages that have some); the bot ranks what they find itself. Only letters, digits, one
space between words and a final ``*`` reach the wiki: a question cannot send search
operators (``-mot``, ``"…"``, ``intitle:``) or markup.

Fiches. A page is a fiche when its wikitext calls the fiche template (the network
wiki's `WikiMapping`): read from the page itself, not from the wiki's link tables,
which a wiki updates later through its job queue. Parameter values are escaped wikitext
(`wiki_sync.escape`); they are read back as plain text.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

import mwparserfromhell
import Stemmer

from bot.domain.text import fold
from bot.knowledge.analysis import STOP_WORDS
from wiki_sync.mapping import FIELD_KEYS, WikiMapping

#: at most this many words in the all-words query, and this many one-word queries
MAX_WORDS = 6
MAX_SINGLE = 4
#: a stem shorter than this is a too-wide prefix (« pai* »): the word itself is sent
MIN_PREFIX = 4
MAX_CENTRE = 32  # a centre code, as shown (`network.centre` is at most 32 long)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TEMPLATE_NS = re.compile(r"^\s*(template|modèle)\s*:", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_STEMMER = Stemmer.Stemmer("french")
_STEMMER_LOCK = threading.Lock()  # PyStemmer objects are not for several threads


def _stem(word: str) -> str:
    with _STEMMER_LOCK:
        return str(_STEMMER.stemWord(word))


def query_words(question: str) -> list[str]:
    """The question's content words, lower case, accents kept (the wiki's index keeps
    them), each once, in order."""
    seen: dict[str, None] = {}
    for match in _WORD.finditer(unicodedata.normalize("NFC", question).lower()):
        word = match.group()
        if fold(word) in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        seen.setdefault(word, None)
    return list(seen)


def search_term(word: str) -> str:
    """``stem*`` when the stem is a long enough prefix of the word, else the word."""
    stem = _stem(word)
    common = 0
    for a, b in zip(stem, word, strict=False):
        if a != b:
            break
        common += 1
    if common >= MIN_PREFIX:
        return word[:common] + "*"
    return word


def search_strings(question: str) -> list[str]:
    """What to ask the wiki, in order: all the words at once, then each alone (longest
    first); none for a question with no content word."""
    words = query_words(question)[:MAX_WORDS]
    terms = list(dict.fromkeys(search_term(w) for w in words))
    if not terms:
        return []
    singles = sorted(terms, key=lambda t: -len(t.rstrip("*")))[:MAX_SINGLE]
    strings = [" ".join(terms)] if len(terms) > 1 else []
    return strings + singles


@dataclass(frozen=True, slots=True)
class NetworkFiche:
    """A fiche page of the network wiki, as plain text."""

    page_title: str
    centre: str  # the centre whose case it is ("" when the page does not say)
    case: str  # that centre's case number, as the page says it
    fields: dict[str, str]  # field key (`FIELD_KEYS`) -> plain text


def _name_key(name: str) -> str:
    name = " ".join(_TEMPLATE_NS.sub("", name.strip()).replace("_", " ").split())
    return name[:1].upper() + name[1:]


def plain(value: str) -> str:
    """A parameter's wikitext as one line of plain text (entities decoded, links to
    their label, tags and templates gone)."""
    text = mwparserfromhell.parse(value).strip_code(normalize=True, collapse=True)
    return _SPACES.sub(" ", text).strip()


def one_line(value: str, limit: int) -> str:
    """A short label (a centre) from untrusted text: one line, at most `limit` long."""
    flat = _SPACES.sub(" ", value).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def parse_fiche(page_title: str, text: str, mapping: WikiMapping) -> NetworkFiche | None:
    """The fiche on this page, or None when the page calls no fiche template (a
    withdrawal notice, an index, any other page the search found)."""
    key = _name_key(mapping.template_name)
    try:
        code = mwparserfromhell.parse(text)
    except Exception:  # a parser failure on a page someone wrote: not a fiche of ours
        return None
    for template in code.filter_templates(recursive=False):
        if _name_key(str(template.name)) != key:
            continue
        values = {str(p.name).strip(): str(p.value) for p in template.params}
        fields = {k: plain(values.get(mapping.param(k), "")) for k in FIELD_KEYS}
        centre = one_line(plain(values.get(mapping.param("centre"), "")), MAX_CENTRE)
        case = one_line(plain(values.get(mapping.param("case"), "")), 12)
        return NetworkFiche(page_title, centre, case, fields)
    return None


def same_centre(a: str, b: str) -> bool:
    """Centre codes compare without case or accents (« CRPV-A » is « crpv-a »)."""
    return bool(a) and fold(a) == fold(b)
