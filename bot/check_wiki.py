"""`capibot check`, the wiki's side of setup: the ParserFunctions extension the fiche
template needs, and the template itself (setup has run, or the centre's own template
exists and uses the mapped parameters).

Kept apart from `bot.check` (which checks that the wiki answers and the account may
write): these verdicts are about what the pages will look like.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import replace

from bot.check import Failure, Verdict
from bot.settings import Settings
from bot.wiki import wiki_config
from wiki_sync.client import WikiClient
from wiki_sync.errors import WikiError
from wiki_sync.mapping import PARAMETER_KEYS, WikiMapping

PARSER_FUNCTIONS = "ParserFunctions"
_ARGUMENT = re.compile(r"\{\{\{\s*([^|{}]+?)\s*[|}]")


def extension_verdict(extensions: Collection[str], template: str, text: str | None) -> Verdict:
    """FAIL when ParserFunctions is missing and the fiche template needs it: the one
    `capibot wiki setup` writes does (``{{#if:}}``), a centre's own may not."""
    subject = "wiki extensions"
    if PARSER_FUNCTIONS in extensions:
        return Verdict(subject, Failure.OK, f"{PARSER_FUNCTIONS} installed")
    if text is not None and "{{#" not in text:
        return Verdict(
            subject,
            Failure.OK,
            f"{PARSER_FUNCTIONS} not installed, and {template} uses no parser function",
        )
    return Verdict(
        subject,
        Failure.CONFIG,
        f"the {PARSER_FUNCTIONS} extension is not installed, and the fiche template needs "
        "it ({{#if:…}} would show as text on every page): add "
        f"wfLoadExtension( '{PARSER_FUNCTIONS}' ); to the wiki's LocalSettings.php",
    )


def template_verdict(
    template: str, text: str | None, mapping: WikiMapping, setup: str = "capibot wiki setup"
) -> Verdict:
    """WARN when the template is missing (setup has not run: pages show a red link
    until it exists) or ignores mapped parameters (their values are not shown)."""
    subject = "wiki template"
    if text is None:
        return Verdict(
            subject,
            Failure.OK,
            f"{template} does not exist: run `{setup}` (or set the template setting "
            "to your own template)",
            warning=True,
        )
    used = set(_ARGUMENT.findall(text))
    unused = [mapping.param(key) for key in PARAMETER_KEYS if mapping.param(key) not in used]
    if unused:
        return Verdict(
            subject,
            Failure.OK,
            f"{template} does not use the parameter(s) {', '.join(unused)}: their values "
            "are on the pages but not shown (see [wiki.template_parameters])",
            warning=True,
        )
    return Verdict(subject, Failure.OK, f"{template} exists and uses every parameter")


def check_wiki_setup(
    settings: Settings,
    make: Callable[[Settings], WikiClient] | None = None,
    *,
    network: bool = False,
) -> list[Verdict]:
    """The extension and template verdicts, read from the wiki (siteinfo, one page);
    `network`: of the network's shared wiki, with its own template and mapping."""
    target = settings.network_wiki if network else settings.wiki
    prefix = "network " if network else ""
    client = make(settings) if make else WikiClient(wiki_config(settings, target, max_retries=0))
    mapping = target.mapping(settings.bot.language)
    try:
        extensions = client.extensions()
        page = client.read(f"Template:{mapping.template_name}")
    except WikiError as exc:
        return [
            Verdict(f"{prefix}wiki extensions", Failure.UNREACHABLE, f"siteinfo unreadable ({exc})")
        ]
    text = (page.text or "") if page.exists else None
    verdicts = [
        extension_verdict(extensions, page.title, text),
        template_verdict(
            page.title,
            text,
            mapping,
            setup="capibot wiki setup --network" if network else "capibot wiki setup",
        ),
    ]
    return [replace(v, subject=prefix + v.subject) for v in verdicts]


def with_wiki_setup(
    settings: Settings,
    verdicts: list[Verdict],
    make: Callable[[Settings], WikiClient] | None = None,
) -> list[Verdict]:
    """``verdicts`` (of `bot.check.run_checks`) with these after the wiki's own, when the
    wiki answered and let the bot in (otherwise there is nothing to look at)."""
    out: list[Verdict] = []
    for verdict in verdicts:
        out.append(verdict)
        if verdict.subject == "wiki" and verdict.ok:
            out += check_wiki_setup(settings, make)
        if verdict.subject == "network wiki" and verdict.ok:
            out += check_wiki_setup(settings, network=True)
    return out
