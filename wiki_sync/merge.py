"""Three-way merge of a fiche page: the bot's update versus human edits on the wiki.

The bot owns the template parameters and the ``capibot:begin/end`` blocks; humans own
everything else. For each owned part: unchanged by the bot -> keep the human's version;
unchanged by the human -> take the bot's; changed by both differently -> conflict, and
then nothing is written at all (a half-applied update would be worse than none).

Privacy (DESIGN §7): a rebuild that erases quotes or names (redaction, ``!oublier``,
consent withdrawn) passes ``bot_wins``, the blocks holding quotes and names
(``PRIVACY_BLOCKS``). Those take the bot's text whatever humans did to them (a block a
human removed stays removed: its content is gone anyway), and the other parts that
conflict keep the human's version instead of stopping the write; they are reported in
``kept`` and left conflicting in ``base`` so the next ordinary update still sees them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

import mwparserfromhell
from mwparserfromhell.nodes import Template
from mwparserfromhell.wikicode import Wikicode

from wiki_sync.render import begin_marker, end_marker

TEMPLATE_CONFLICT = "template"
SECTION_PREFIX = "section:"
#: Bot-owned blocks holding quotes and names: the bot's text wins in a privacy rebuild.
PRIVACY_BLOCKS: frozenset[str] = frozenset({"excerpt", "contributors"})

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
    #: privacy rebuild only: conflicting parts left as humans wrote them (not written).
    kept: tuple[str, ...] = ()
    #: the merge base to remember for ``text`` (``None``: the bot's ``new`` text).
    base: str | None = None


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
        text = block.sub(lambda m: whole + ("\n" if m.group(0).endswith("\n") else ""), text, 1)
        first = text.find(whole) + len(whole)  # duplicated markers: drop the other copies
        return text[:first] + block.sub("", text[first:])
    anchor = text.find(begin_marker("categories"))
    if anchor == -1:
        return f"{text.rstrip()}\n\n{whole}"
    return f"{text[:anchor]}{whole}\n\n{text[anchor:]}"


def blank_blocks(text: str, names: Collection[str]) -> str:
    """A merge base without what these blocks held (`!oublier`: the stored base must not
    keep the person's words while the page waits for its rebuild). Against an empty
    block the page's version is a human edit and the bot's a change: a privacy rebuild
    (``bot_wins``) writes the bot's, any other update stops on a conflict; neither keeps
    the old content silently."""
    found = _blocks(text)
    for name in names:
        if name in found:
            text = _set_block(text, name, "\n")
    return text


def merge_page(
    current: str,
    last_written: str,
    new: str,
    template: str,
    *,
    bot_wins: Collection[str] = (),
) -> MergeResult:
    """Merge the bot's ``new`` text into ``current`` given what the bot ``last_written``.

    ``text`` may equal ``current`` (nothing to do). ``new`` must hold the template once
    (a withdrawal notice replaces the page directly, without merging). ``bot_wins``
    (block names) makes a privacy rebuild: see the module docstring.
    """
    if normalise(current) == normalise(last_written):
        return MergeResult(new)
    new_params = _params(new, template)
    if new_params is None:
        raise ValueError("the new text must contain the template exactly once")
    code = mwparserfromhell.parse(current)
    found = _find_template(code, template)
    if len(found) != 1 and not bot_wins:
        return MergeResult(None, (TEMPLATE_CONFLICT,))
    cur_params = _param_values(found[0]) if len(found) == 1 else {}
    last_params = _params(last_written, template) or {}

    conflicts: list[str] = []
    param_updates: dict[str, str | None] = {}
    if len(found) != 1:  # privacy rebuild of a page whose template humans broke
        conflicts.append(TEMPLATE_CONFLICT)
    for name in dict.fromkeys([*last_params, *new_params] if len(found) == 1 else []):
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
        if name in bot_wins:
            wanted = new_blocks.get(name)
            if name in cur_blocks and (broken or (cur or "").strip() != (wanted or "").strip()):
                block_updates[name] = wanted
            continue
        apply, clash = _decide(cur, last_blocks.get(name), new_blocks.get(name))
        if broken or removed or clash:
            conflicts.append(SECTION_PREFIX + name)
        elif apply:
            block_updates[name] = new_blocks.get(name)

    if conflicts and not bot_wins:
        return MergeResult(None, tuple(conflicts))
    for name, value in param_updates.items():
        _set_param(found[0], name, value)
    text = str(code)
    for name, content in block_updates.items():
        text = _set_block(text, name, content)
    if not conflicts:
        return MergeResult(text)
    return MergeResult(
        text, kept=tuple(conflicts), base=_keep_conflicts(new, last_written, conflicts, template)
    )


def _keep_conflicts(new: str, last: str, conflicts: list[str], template: str) -> str:
    """``new`` with the conflicting parts as they were in ``last``: remembered as the
    merge base, the conflicts the privacy rebuild left alone are seen again next time."""
    code = mwparserfromhell.parse(new)
    (tpl,) = _find_template(code, template)
    last_params = _params(last, template) or {}
    for name in conflicts:
        if not name.startswith(SECTION_PREFIX) and name != TEMPLATE_CONFLICT:
            _set_param(tpl, name, last_params.get(name))
    text = str(code)
    last_blocks = _blocks(last)
    for name in conflicts:
        if name.startswith(SECTION_PREFIX):
            block = name.removeprefix(SECTION_PREFIX)
            text = _set_block(text, block, last_blocks.get(block))
    return text
