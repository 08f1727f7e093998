"""Three-way merge of a fiche page: the bot's update versus human edits on the wiki.

The bot owns the template parameters and the ``capibot:begin/end`` blocks; humans own
everything else. For each owned part: unchanged by the bot -> keep the human's version;
unchanged by the human -> take the bot's; changed by both differently -> conflict, and
then nothing is written at all (a half-applied update would be worse than none).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import mwparserfromhell
from mwparserfromhell.nodes import Template
from mwparserfromhell.wikicode import Wikicode

from wiki_sync.render import begin_marker, end_marker

TEMPLATE_CONFLICT = "template"
SECTION_PREFIX = "section:"

_BLOCK = re.compile(
    r"<!-- capibot:begin ([a-z0-9_-]+) -->(.*?)<!-- capibot:end \1 -->\n?", re.DOTALL
)
_TEMPLATE_NS = re.compile(r"^(template|modèle)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class MergeResult:
    """``text`` to write (``None`` on conflict) and the conflicting part names.

    Parameter names are bare (``contexte``), blocks are ``section:<name>``, and
    ``template`` means the template call itself is gone or duplicated.
    """

    text: str | None
    conflicts: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """What MediaWiki stores for ``text``: NFC, ``\\n`` newlines, no trailing blanks."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n")).rstrip()


def _name_key(name: str) -> str:
    name = " ".join(_TEMPLATE_NS.sub("", name.strip()).replace("_", " ").split())
    return name[:1].upper() + name[1:]


def _find_template(code: Wikicode, template: str) -> list[Template]:
    key = _name_key(template)
    return [t for t in code.filter_templates(recursive=False) if _name_key(str(t.name)) == key]


def _params(text: str, template: str) -> dict[str, str] | None:
    found = _find_template(mwparserfromhell.parse(text), template)
    if len(found) != 1:
        return None
    return _param_values(found[0])


def _param_values(template: Template) -> dict[str, str]:
    return {str(p.name).strip(): str(p.value).strip() for p in template.params}


def _blocks(text: str) -> dict[str, str | None]:
    """name -> content; ``None`` for a name whose markers are duplicated."""
    out: dict[str, str | None] = {}
    for m in _BLOCK.finditer(text):
        out[m.group(1)] = None if m.group(1) in out else m.group(2)
    return out


def _decide(cur: str | None, last: str | None, new: str | None) -> tuple[bool, bool]:
    """(apply the bot's value, conflict) for one owned part; compared stripped."""

    def norm(value: str | None) -> str | None:
        return None if value is None else value.strip()

    cur, last, new = norm(cur), norm(last), norm(new)
    if new == last or cur == new:
        return False, False
    if cur == last:
        return True, False
    return False, True


def _set_param(tpl: Template, name: str, value: str | None) -> None:
    if value is None:
        tpl.remove(name)
    elif tpl.has(name):
        param = tpl.get(name)
        old = str(param.value)
        if old.strip():
            lead, trail = old[: len(old) - len(old.lstrip())], old[len(old.rstrip()) :]
        else:  # "| name =\n": the space goes before the value, the newline after
            lead, trail = " ", old.lstrip(" \t")
        param.value = f"{lead}{value}{trail}" if value else f"{lead.rstrip(' ')}{trail}"
    else:
        tpl.add(name, f" {value}\n" if value else "\n")


def _set_block(text: str, name: str, content: str | None) -> str:
    begin, end = begin_marker(name), end_marker(name)
    block = re.compile(re.escape(begin) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if content is None:
        return block.sub("", text, count=1)
    whole = f"{begin}{content}{end}"
    if block.search(text):
        return block.sub(lambda m: whole + ("\n" if m.group(0).endswith("\n") else ""), text, 1)
    anchor = text.find(begin_marker("categories"))
    if anchor == -1:
        return f"{text.rstrip()}\n\n{whole}"
    return f"{text[:anchor]}{whole}\n\n{text[anchor:]}"


def merge_page(current: str, last_written: str, new: str, template: str) -> MergeResult:
    """Merge the bot's ``new`` text into ``current`` given what the bot ``last_written``.

    ``text`` may equal ``current`` (nothing to do). ``new`` must hold the template once
    (a withdrawal notice replaces the page directly, without merging).
    """
    if normalise(current) == normalise(last_written):
        return MergeResult(new)
    new_params = _params(new, template)
    if new_params is None:
        raise ValueError("the new text must contain the template exactly once")
    code = mwparserfromhell.parse(current)
    found = _find_template(code, template)
    if len(found) != 1:
        return MergeResult(None, (TEMPLATE_CONFLICT,))
    cur_params = _param_values(found[0])
    last_params = _params(last_written, template) or {}

    conflicts: list[str] = []
    param_updates: dict[str, str | None] = {}
    for name in dict.fromkeys([*last_params, *new_params]):
        apply, clash = _decide(cur_params.get(name), last_params.get(name), new_params.get(name))
        if clash:
            conflicts.append(name)
        elif apply:
            param_updates[name] = new_params.get(name)

    cur_blocks, last_blocks, new_blocks = _blocks(current), _blocks(last_written), _blocks(new)
    block_updates: dict[str, str | None] = {}
    for name in dict.fromkeys([*last_blocks, *new_blocks]):
        cur = cur_blocks.get(name)
        broken = name in cur_blocks and cur is None
        removed = name not in cur_blocks and name in last_blocks and name in new_blocks
        apply, clash = _decide(cur, last_blocks.get(name), new_blocks.get(name))
        if broken or removed or clash:
            conflicts.append(SECTION_PREFIX + name)
        elif apply:
            block_updates[name] = new_blocks.get(name)

    if conflicts:
        return MergeResult(None, tuple(conflicts))
    for name, value in param_updates.items():
        _set_param(found[0], name, value)
    text = str(code)
    for name, content in block_updates.items():
        text = _set_block(text, name, content)
    return MergeResult(text)
