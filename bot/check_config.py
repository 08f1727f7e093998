"""The settings a bot runs with but should not: empty rooms and secrets, placeholders.

None of these stops the bot, so none is a failure; each is a WARN line of `capibot check`
saying what goes wrong with it, so that a copied example does not pass as configured.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, SecretStr

from bot.settings import Settings
from bot.verdict import Failure, Verdict

#: The example file's placeholders all use the domains reserved for examples (RFC 2606):
#: no real account, room or mailbox can be there.
PLACEHOLDER = re.compile(r"\bexample\.(?:org|com|net)\b", re.IGNORECASE)

#: Settings left empty in the example, and what the bot does without them.
EMPTY_MEANS = {
    "matrix.moderation_room": (
        "no review cards and no moderation notices are posted, and only bot.moderators can curate"
    ),
    "matrix.research_room": "only the ids in bot.researchers are researchers",
    "privacy.pseudonym_secret": "`capibot export` refuses to run (research exports)",
    "privacy.notice_url": (
        "the bot's introduction in each room links no privacy notice (it tells people to "
        "ask the facilitators for it)"
    ),
}


def config_verdicts(settings: Settings, source: Path | None) -> list[Verdict]:
    """One OK line naming where the settings came from, then a WARN per doubtful value."""
    origin = f"loaded from {source}" if source else "from the environment (no file)"
    warnings = [
        Verdict("config", Failure.OK, f"{key} is empty: {effect}", warning=True)
        for key, effect in EMPTY_MEANS.items()
        if not _plain(_value(settings, key))
    ]
    warnings += [
        Verdict(
            "config",
            Failure.OK,
            f"{key} = {value!r} is the example's placeholder: put your own",
            warning=True,
        )
        for key, value in placeholders(settings)
    ]
    return [Verdict("config", Failure.OK, origin), *warnings]


def placeholders(settings: Settings) -> list[tuple[str, object]]:
    """(key, value) of every non-secret setting that still names an example domain."""
    found = []
    for section, group in settings:
        assert isinstance(group, BaseModel)
        if section == "network_wiki" and not settings.network_wiki.enabled:
            continue  # not used: its defaults name nothing real
        for name in type(group).model_fields:
            value = getattr(group, name)
            texts = value if isinstance(value, list) else [value]
            if any(isinstance(text, str) and PLACEHOLDER.search(text) for text in texts):
                found.append((f"{section}.{name}", value))
    return found


def _value(settings: Settings, key: str) -> object:
    section, name = key.split(".")
    return getattr(getattr(settings, section), name)


def _plain(value: object) -> str:
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return str(text).strip()
