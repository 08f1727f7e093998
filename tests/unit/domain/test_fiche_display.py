"""The review card's « what changed » section: fields added, removed, changed, and for a
long text only the changed words with a little context."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.fiche_display import changes, changes_rich, fields_rich, word_diff
from bot.domain.models import FicheField as F
from bot.i18n import Translator

FR = Translator("fr", strict=True)
CONTEXT = (
    "Beaucoup de parents ne pouvaient pas venir aux rendez-vous en semaine, à cause du "
    "travail ou des transports. Nous avons ouvert une permanence."
)


def test_fields_are_a_list_with_their_names_in_bold() -> None:
    rich = fields_rich(FR, {F.CONTEXT: "x *y*", F.TITLE: "Titre"})
    assert rich.plain == "• Titre : Titre\n• Contexte : x *y*"
    assert rich.html() == (
        "<ul>\n<li><strong>Titre</strong> : Titre</li>\n"
        "<li><strong>Contexte</strong> : x *y*</li>\n</ul>"
    )


def test_only_changed_fields_count_and_spacing_alone_is_no_change() -> None:
    before = {F.TITLE: "A", F.CONTEXT: "un  deux\ntrois", F.TERRITORY: "Lille"}
    after = {F.TITLE: "B", F.CONTEXT: "un deux trois", F.RESOURCES: "https://x.org"}
    assert [(c.field, c.before, c.after) for c in changes(before, after)] == [
        (F.TITLE, "A", "B"),
        (F.TERRITORY, "Lille", ""),
        (F.RESOURCES, "", "https://x.org"),
    ]


def test_a_long_text_shows_the_changed_words_before_and_after() -> None:
    after = CONTEXT.replace("du travail", "des horaires de travail")
    old, new = word_diff(CONTEXT, after)
    assert old.plain == "… en semaine, à cause du travail ou des transports. …"
    assert new.plain == "… en semaine, à cause des horaires de travail ou des transports. …"
    assert "<strong>des horaires de</strong>" in new.html()
    assert "<del>du</del>" in old.html()


def test_the_card_section_reads_in_plain_text_and_in_html() -> None:
    before = {F.TITLE: "Accueil du samedi", F.CONTEXT: CONTEXT, F.TERRITORY: "Lille"}
    after = {
        F.TITLE: "Accueil des familles le samedi",
        F.CONTEXT: CONTEXT.replace("ou des transports", "ou de la garde"),
        F.RESOURCES: "https://exemple.org/permanence",
    }
    rich = changes_rich(FR, 1, changes(before, after))
    assert rich.plain == (
        "Changements depuis la version 1 (4 champs) :\n"
        "• Titre : Accueil du samedi → Accueil des familles le samedi\n"
        "• Contexte (champ modifié) :\n"
        "  avant : … cause du travail ou des transports. Nous avons ouvert une …\n"
        "  après : … cause du travail ou de la garde. Nous avons ouvert une …\n"
        "• Territoire (champ retiré)\n"
        "• Ressources (nouveau champ) : https://exemple.org/permanence"
    )
    markup = rich.html()
    title = "<del>Accueil du samedi</del> → <strong>Accueil des familles le samedi</strong>"
    assert title in markup
    assert "ou <del>des transports.</del> Nous" in markup
    assert "ou <strong>de la garde.</strong> Nous" in markup
    assert "<a" not in markup  # the URL stays text: no link the catalogue did not write


def test_one_change_is_said_in_the_singular() -> None:
    rich = changes_rich(FR, 2, changes({F.TITLE: "A"}, {F.TITLE: "B"}))
    assert rich.plain.startswith("Changement depuis la version 2 :\n• Titre : A → B")
    assert changes_rich(FR, 2, []).plain == ""


WORDS = st.lists(
    st.one_of(st.sampled_from(["**", "~~", "[a](b)", "<i>", "&amp;", "#", "-", "1."]), st.text()),
    max_size=12,
).map(" ".join)


@given(WORDS, WORDS)
def test_a_diff_of_any_texts_makes_no_markup_but_its_own(before: str, after: str) -> None:
    rich = changes_rich(FR, 1, changes({F.CONTEXT: before}, {F.CONTEXT: after}))
    tags = set(re.findall(r"</?(\w+)", rich.html())) if rich.markdown else set()
    assert tags <= {"p", "ul", "li", "strong", "del", "br"}
    for mark in ("~~", "**"):  # the plain text shows no formatting of its own
        assert mark not in rich.plain or mark in before + after
