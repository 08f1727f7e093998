"""Pseudonyms for the research export (DESIGN §7): user ids → `P-xxxxxxxx`, and texts
scrubbed of ids and known names.

Scrubbing costs the same with 100 or 5,000 known people: a text is cut into tokens once
(word runs, whitespace runs, single other characters) and each token is looked up in
dicts — a trie of whole display names (token by token, case-insensitive) and a table of
name parts — instead of one regular expression listing every name.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any
from urllib.parse import unquote

PSEUDONYM_PREFIX = "P-"
PSEUDONYM_HEX = 8
SHARED = PSEUDONYM_PREFIX + "?"  # a name part two people share: it must not tell which
MIN_NAME_LENGTH = 3  # shorter display names would scrub ordinary words

# @localpart:server — localparts per the spec's historical grammar, server names with ports.
_USER_ID = re.compile(r"@[A-Za-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(?::\d+)?(?:\[[0-9a-fA-F:.]+\])?")
_MATRIX_TO_USER = re.compile(r"https?://matrix\.to/#/(?:%40|@)[^\s)>\]\"']+")
# A word run, a whitespace run, or one other character: a name matched with the old
# `(?<!\w)name(?!\w)` regex always starts and ends on these boundaries.
_TOKENS = re.compile(r"(\w+)|(\s+)|([^\w\s])")
_END = ""  # trie key of a complete name (no token is empty)
_SPACE = " "  # trie key of any whitespace run (a name's spaces match \s+)


class ExportError(Exception):
    """The export cannot be made (e.g. no pseudonym secret): message for the operator."""


def _key(token: str) -> str:
    # casefold: "Straße" and "STRASSE" both match the name "Straße"
    return _SPACE if token[0].isspace() else token.casefold()


def name_part_forms(user_id: str, name: str) -> set[str]:
    """The forms in which a part of a person's name is scrubbed on its own: each word of
    the display name `name` (unless it is the bare Matrix id) and of the id's localpart,
    of at least MIN_NAME_LENGTH letters, as written with a capital, capitalised, and in
    capitals."""
    localpart = user_id[1:].split(":", 1)[0] if user_id.startswith("@") else ""
    words = re.split(r"[\s._\-]+", name if name != user_id else "") + re.split(
        r"[._\-]+", localpart
    )
    forms: set[str] = set()
    for word in words:
        if len(word) >= MIN_NAME_LENGTH and word.isalpha():
            forms |= {word[0].upper() + word[1:], word.capitalize(), word.upper()}
    return forms


def export_secret(network_secret: str, centre_secret: str) -> str:
    """The key of an export's pseudonyms: the network's, when its centres share one (the
    same person then has the same pseudonym in every centre's export), else the
    centre's own."""
    return network_secret or centre_secret


class Pseudonymizer:
    """User ids → stable pseudonyms; scrubs ids and known names out of texts.

    A whole display name is matched in any case. Its parts and the id's localpart are
    matched too ("Merci Bruno"), but only capitalised or in capitals, so a first name
    that is also a word ("Claire", "Pierre") is scrubbed as a name without erasing "une
    idée claire". A part two people share becomes "P-?": it must not tell which one.
    """

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ExportError(
                "privacy.pseudonym_secret (or network_pseudonym_secret) is empty: set it (keep it "
                "secret and stable) before exporting"
            )
        self._key = secret.encode()
        self._names: dict[str, Any] = {}  # trie: casefolded token → node; _END → pseudonym
        self._parts: dict[str, set[str]] = {}  # a name part, as written → pseudonyms
        self._part_of: dict[str, str] | None = None  # a name part → its replacement

    def __call__(self, user_id: str) -> str:
        digest = hmac.new(self._key, user_id.encode(), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX]

    def know(self, user_id: str, display_name: str) -> None:
        pseudonym = self(user_id)
        name = " ".join(display_name.split())
        if len(name) >= MIN_NAME_LENGTH and name != user_id:
            node = self._names
            for match in _TOKENS.finditer(name):
                node = node.setdefault(_key(match.group(0)), {})
            node[_END] = pseudonym  # the same name known twice: the last one's (as before)
        forms = name_part_forms(user_id, name)
        for form in forms:
            self._parts.setdefault(form, set()).add(pseudonym)
        if forms:
            self._part_of = None

    def _parts_table(self) -> dict[str, str]:
        if self._part_of is None:
            self._part_of = {
                part: next(iter(owners)) if len(owners) == 1 else SHARED
                for part, owners in self._parts.items()
            }
        return self._part_of

    def scrub(self, text: str) -> str:
        if "matrix.to" in text:
            text = _MATRIX_TO_USER.sub(lambda m: self(_user_of_link(m.group(0))), text)
        if "@" in text:
            text = _USER_ID.sub(lambda m: self(m.group(0)), text)
        return self._scrub_names(text)

    def _scrub_names(self, text: str) -> str:
        """Whole names first (the longest at the leftmost place), then name parts: the same
        result as the two regular expressions this replaces, at a cost per token."""
        tokens = _TOKENS.findall(text)  # (word, space, other): one of the three is set
        parts = self._parts_table()
        names = self._names
        out: list[str] = []
        i, n = 0, len(tokens)
        while i < n:
            word, space, other = tokens[i]
            if not space and (word or other).casefold() in names:
                end, pseudonym = self._name_at(tokens, i)
                if end > i:
                    out.append(pseudonym)
                    i = end
                    continue
            out.append(parts.get(word, word) if word else space or other)
            i += 1
        return "".join(out)

    def _name_at(self, tokens: list[tuple[str, str, str]], start: int) -> tuple[int, str]:
        """The longest known name starting at token `start`: (its end, its pseudonym)."""
        word, _space, other = tokens[start]
        if other and start and tokens[start - 1][0]:
            return start, ""  # (?<!\w): a name starting with a sign needs no word before it
        node = self._names.get((word or other).casefold())
        best_end, best = start, ""
        j = start + 1
        while node is not None:
            if _END in node and (tokens[j - 1][0] or j == len(tokens) or not tokens[j][0]):
                best_end, best = j, node[_END]  # (?!\w): a sign at its end, no word after
            if j == len(tokens):
                break
            node = node.get(_key("".join(tokens[j])))
            j += 1
        return best_end, best


def _user_of_link(link: str) -> str:
    return unquote(link.split("#/", 1)[1]).split("/", 1)[0].split("?", 1)[0]
