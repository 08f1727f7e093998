"""The meeting tag parser and the consent filter of the minutes (pure logic)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.meetings import Line, Parsed, Tag, build_minutes, parse_line


def test_tags_in_french_and_english_accents_and_case_ignored() -> None:
    assert parse_line("#décision On garde le samedi") == Parsed(Tag.DECISION, "On garde le samedi")
    assert parse_line("#DECISION x") == Parsed(Tag.DECISION, "x")
    assert parse_line("#idée planter") == Parsed(Tag.IDEA, "planter")
    assert parse_line("#idea plant") == Parsed(Tag.IDEA, "plant")
    assert parse_line("#lien https://a.example") == Parsed(Tag.LINK, "https://a.example")
    assert parse_line("#topic Budget") == Parsed(Tag.TOPIC, "Budget")
    assert parse_line("  #info dit") == Parsed(Tag.INFO, "dit")


def test_plain_lines_and_unknown_tags_are_no_item() -> None:
    for body in ("bonjour", "#infos pas un tag", "texte #info au milieu", "#", "# info", ""):
        assert parse_line(body) is None


def test_action_owner_by_matrix_id_or_name() -> None:
    assert parse_line("#action @alice:hs.example envoyer le devis") == Parsed(
        Tag.ACTION, "envoyer le devis", "@alice:hs.example"
    )
    assert parse_line("#action @Camille appeler la mairie") == Parsed(
        Tag.ACTION, "appeler la mairie", "Camille"
    )
    assert parse_line("#action relire") == Parsed(Tag.ACTION, "relire", None)


def test_a_multi_line_message_is_one_item() -> None:
    parsed = parse_line("#info Trois points :\n- un\n- deux")
    assert parsed == Parsed(Tag.INFO, "Trois points :\n- un\n- deux")


@given(st.text(), st.dictionaries(st.text(max_size=5), st.text(max_size=12), max_size=4))
def test_never_crashes_on_any_text(body: str, members: dict[str, str]) -> None:
    parsed = parse_line(body, members)
    assert parsed is None or isinstance(parsed.tag, Tag)
    assert parse_line("#action " + body, members) is not None


_WORDS = {
    Tag.INFO: "#info",
    Tag.DECISION: "#décision",
    Tag.IDEA: "#idée",
    Tag.LINK: "#lien",
    Tag.TOPIC: "#sujet",
    Tag.ACTION: "#action",
}


@given(
    st.sampled_from(sorted(_WORDS, key=str)),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1)
    .map(str.strip)
    .filter(lambda t: bool(t) and not t.startswith("@")),
)
def test_items_round_trip(tag: Tag, text: str) -> None:
    assert parse_line(f"{_WORDS[tag]} {text}") == Parsed(tag, text)


ALICE, BOB, EVE = "@alice:hs", "@bob:hs", "@eve:hs"


def test_minutes_name_only_consenting_people_and_hide_the_others_words() -> None:
    lines = [
        Line("$1", ALICE, "#sujet Budget", Tag.TOPIC, "Budget"),
        Line("$2", ALICE, "#décision On vote", Tag.DECISION, "On vote"),
        Line("$3", EVE, "#info secret d'Eve", Tag.INFO, "secret d'Eve"),
        Line("$4", BOB, "bonjour"),
        Line("$5", ALICE, "#action @eve:hs x", Tag.ACTION, "x", EVE),
        Line("$6", EVE, "#sujet Sujet d'Eve", Tag.TOPIC, "Sujet d'Eve"),
        Line("$7", ALICE, "#action @Zoé y", Tag.ACTION, "y", "Zoé"),
    ]
    minutes = build_minutes("GT", lines, {ALICE: "Alice"}, {})
    assert minutes.named == ("Alice",)
    assert minutes.others == 2
    budget, eve_topic = minutes.topics
    assert budget.title == "Budget"
    assert [i.text for i in budget.items] == ["On vote", None, "x"]
    assert budget.items[2].owner is None and budget.items[2].owner_hidden
    assert eve_topic.title is None and eve_topic.hidden
    assert eve_topic.items[0].owner == "Zoé"
    assert "Eve" not in repr(minutes).replace("eve:hs", "")


def test_action_owner_by_a_members_display_name_with_spaces() -> None:
    members = {"@a:hs": "Alice", "@am:hs": "Alice Martin", "@z:hs": "Zoé"}
    assert parse_line("#action @alice martin réserver", members) == Parsed(
        Tag.ACTION, "réserver", "@am:hs"
    )
    assert parse_line("#action @Alice: relire", members) == Parsed(Tag.ACTION, "relire", "@a:hs")
    assert parse_line("#action @Alicette relire", members) == Parsed(
        Tag.ACTION, "relire", "Alicette"
    )
