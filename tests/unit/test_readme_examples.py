"""README shows `!aide`, `!aide fiche`, the prompt and a review card as the bot writes
them: rendered again here through the bot's own code path, they must match word for
word (after a deliberate change: `python -m scripts.readme_examples --write`)."""

from __future__ import annotations

from scripts.readme_examples import NAMES, README, readme_blocks, render_examples, with_examples


def test_the_readme_examples_are_what_the_bot_says_today() -> None:
    shown = readme_blocks(README.read_text(encoding="utf-8"))
    assert sorted(shown) == sorted(NAMES)
    rendered = render_examples()
    for name in NAMES:
        assert shown[name] == rendered[name], f"README example {name!r} is out of date"


def test_the_examples_show_what_they_are_about() -> None:
    rendered = render_examples()
    assert rendered["aide"].startswith("Alice Martin: Les commandes utiles ici :\n• !capturer")
    assert "• Titre (obligatoire)" in rendered["aide-fiche"]
    assert "Brouillon" in rendered["prompt"] and "!fiche 1\n" in rendered["prompt"]
    card = rendered["card"]
    assert "Changements depuis la version 1 (2 champs) :" in card
    assert "  après : … ne réunissaient plus qu'une quinzaine de personnes" in card
    assert "Ont contribué : Alice Martin, Bruno Leroy" in card
    for text in rendered.values():  # plain text: no Markdown left in it
        assert "**" not in text and "~~" not in text


def test_writing_puts_each_example_between_its_markers() -> None:
    text = "a\n<!-- example: aide -->\n```text\nold\n```\nb\n<!-- example: card -->\n```text\n```\n"
    updated = with_examples(text, {"aide": "new\nlines", "card": "c"})
    assert updated == (
        "a\n<!-- example: aide -->\n```text\nnew\nlines\n```\nb\n"
        "<!-- example: card -->\n```text\nc\n```\n"
    )
    assert readme_blocks(updated) == {"aide": "new\nlines", "card": "c"}
