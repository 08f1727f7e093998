"""The README's configuration reference is the one generated from the settings model,
and config/capibot.example.toml shows every key of the model (and no other)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from scripts import config_reference as ref


def test_readme_reference_is_the_generated_one() -> None:
    readme = ref.README.read_text(encoding="utf-8")
    assert ref.readme_section(readme) == ref.render(), (
        "README.md's configuration reference is stale: run "
        "`.venv/bin/python -m scripts.config_reference --write`"
    )


def test_example_config_has_exactly_the_settings_keys() -> None:
    example = tomllib.loads(ref.EXAMPLE.read_text(encoding="utf-8"))
    in_example = {f"{section}.{key}" for section, keys in example.items() for key in keys}
    assert in_example == set(ref.settings_keys())


def test_every_key_is_described() -> None:
    comments = ref.example_comments()
    undescribed = [key for key in ref.settings_keys() if not comments.get(key)]
    assert undescribed == []


def test_comment_blocks_attach_to_the_keys_below_them(tmp_path: Path) -> None:
    example = tmp_path / "example.toml"
    example.write_text(
        "# header, not a key's\n\n[a]\n# One.\n# Still one.\nx = 1\ny = 2\n"
        "# Two.\nz = 3\n\nw = 4\n",
        encoding="utf-8",
    )
    assert ref.example_comments(example) == {
        "a.x": "One. Still one.",
        "a.y": "One. Still one.",
        "a.z": "Two.",
        "a.w": "",
    }


def test_types_and_defaults_read_like_the_toml() -> None:
    text = ref.render()
    assert '| `summary_after` | duration | `"24h"` |' in text
    assert '| `reminders` | list of durations | `["3d", "7d"]` |' in text
    assert '| `password` | secret string | `""` |' in text
    assert '| `language` | `"fr"` or `"en"` | `"fr"` |' in text
    assert "| `edit_interval` | number (≥ 0) | `2.0` |" in text
