"""Hostile user text, one attack per entry, for every field and title of a fiche.

Unit tests check the escaped wikitext; integration tests push each one to a real
MediaWiki and check through action=parse that it shows as plain text and adds no
category, template, link, external link or page property.
"""

from __future__ import annotations

HOSTILE_INPUTS: list[tuple[str, str]] = [
    # templates, parser functions, magic words
    ("template", "{{Supprimer}}"),
    ("subst", "{{subst:PAGENAME}} et {{safesubst:Bienvenue}}"),
    ("template_with_args", "{{Fiche d'expérience|titre=Pirate|contexte=x}}"),
    ("parser_function", "{{#if:1|{{#tag:ref|x}}}}"),
    ("invoke", "{{#invoke:String|rep|x|999999}}"),
    ("magic_variable", "{{PAGENAME}} {{CURRENTYEAR}} {{SITENAME}}"),
    ("displaytitle", "{{DISPLAYTITLE:Page piratée}}{{DEFAULTSORT:zzz}}"),
    ("template_param", "{{{1|défaut}}} {{{titre}}}"),
    ("unbalanced_braces", "}}{{ }}} {{{ ]]"),
    ("raw_pipe_equals", "a|b=c||d=e"),
    # links and categories
    ("category", "[[Category:Spam]]"),
    ("category_fr", "[[Catégorie:Spam]] [[:Catégorie:Lien]]"),
    ("internal_link", "[[Accueil|cliquez ici]]"),
    ("file", "[[File:Example.jpg|thumb|200px|légende]]"),
    ("interwiki", "[[wikipedia:Paris]] [[fr:Paris]] [[en:London]]"),
    ("external_link", "[http://evil.example/ x] [//evil.example y]"),
    ("free_url", "voir https://evil.example/path?q=1 ou ftp://evil.example"),
    ("mailto", "écrire à mailto:attacker@evil.example ou news:comp.lang"),
    ("redirect", "#REDIRECT [[Accueil]]"),
    ("redirect_fr", "#REDIRECTION [[Accueil]]"),
    # magic links
    ("isbn", "ISBN 978-2-07-036822-8"),
    ("isbn_nbsp", "ISBN\u00a0978-2-07-036822-8"),
    ("isbn_entity", "ISBN&nbsp;9782070368228"),
    ("rfc", "RFC 1234"),
    ("pmid", "PMID 1\nPMID\t22"),
    ("magic_link_newline", "lire ISBN\n9782070368228"),
    # behaviour switches, signatures
    ("notoc", "__NOTOC__ __NOINDEX__ __HIDDENCAT__"),
    ("notoc_fr", "__AUCUNSOMMAIRE__ __SANSLIENMODIFSECTION__"),
    ("underscores_run", "___NOEDITSECTION___"),
    ("signature", "~~~~ et ~~~ et ~~~~~"),
    # HTML and extension tags
    ("script", "<script>alert(document.cookie)</script>"),
    ("style_attr", '<span style="background:url(javascript:alert(1))" onclick="x">t</span>'),
    ("nowiki_breakout", "</nowiki>{{x}}<nowiki>"),
    ("pre_breakout", "</pre>[[Category:Spam]]<pre>"),
    ("comment", "<!-- capibot:end excerpt -->[[Category:Spam]]<!--"),
    ("marker_forgery", "<!-- capibot:begin categories -->\n[[Category:Spam]]"),
    ("ref", "<ref>source</ref><references />"),
    ("includeonly", "<includeonly>[[Category:Spam]]</includeonly><onlyinclude>x</onlyinclude>"),
    ("noinclude", "<noinclude>x</noinclude>"),
    ("gallery", "<gallery>File:A.jpg</gallery>"),
    ("html_entities", "&lt;script&gt; &amp;amp; &#91;&#91;Category:Spam&#93;&#93; &nbsp;"),
    ("strip_marker", "\x7f'\"`UNIQ--nowiki-00000000-QINU`\"'\x7f"),
    # block-level syntax
    ("heading", "== Titre injecté ==\n= H1 ="),
    ("list_lines", "* puce\n# numéro\n: indent\n; terme : définition"),
    ("preformatted", " espace en début\n\tet tabulation"),
    ("horizontal_rule", "----\n-----"),
    ("table", '{| class="wikitable"\n|-\n! a !! b\n| c || d\n|}'),
    ("table_cell_breakout", "x\n|}\n{|\n|[[Category:Spam]]"),
    ("bold_italic", "'''gras''' ''italique'' '''''les deux'''''"),
    ("language_converter", "-{zh-hans:简;zh-hant:繁}- -{R|x}-"),
    # Unicode tricks
    ("bidi_override", "admin\u202etxt.exe\u202c \u2066isolé\u2069"),
    ("zero_width", "{\u200b{PAGENAME}\u200b}"),
    ("greek_question_mark", "a\u037e b"),  # NFC turns it into ';'
    ("combining_overlay", "a >\u0338 b =\u0338 c"),
    ("leading_combining", "\u0338 barré \u0301"),  # would fuse with a tag's ">" (≯)
    ("control_chars", "a\x00b\x08c\x1bd\x85e"),
    ("crlf_and_separators", "a\r\nb\rc\u2028d\u2029e"),
    ("lone_surrogate", "a\ud800b"),
    ("noncharacters", "a\ufffeb\uffffc"),
    ("fullwidth_lookalikes", "｛｛PAGENAME｝｝ ［［Category:X］］"),
]
