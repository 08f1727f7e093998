"""Property tests: the parser is total (issue 3: never an exception, always a result)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.model import UnknownCommand, UsageError
from bot.commands.parser import parse
from bot.commands.registry import COMMANDS, lookup

#: what a parse may give: a declared command's arguments, or one of the two refusals
RESULT_TYPES = (*(spec.args for spec in COMMANDS), UsageError, UnknownCommand)

NAMES = sorted({name for spec in COMMANDS for name in spec.all_names()})
# Pieces that exercise the argument grammar: ids, quotes, keys, switches, separators.
PIECES = [
    "#",
    "#3",
    "12",
    "0",
    '"',
    "'",
    "«",
    "»",
    "“",
    "”",
    "‘",
    "’",
    "=",
    "fonction=",
    "expertises=",
    "territory=",
    ",",
    ";",
    ":",
    "Titre: ",
    "Résultats:",
    "\n",
    "\r\n",
    " ",
    "\t",
    "type",
    "nom",
    "categories",
    "capture",
    "lettre",
    "digest",
    "oui",
    "non",
    "on",
    "confirmer",
    "supprimer",
    "thème",
    "[[",
    "|",
    "{{",
    "> <@a:b> x\n\n",
    "9" * 12,
    "٣",
    "\x00",
    "\u200b",
]

arguments = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=12).map(
    "".join
)


def _check(result: object) -> None:
    assert result is None or isinstance(result, RESULT_TYPES)


@settings(max_examples=1000, deadline=None)
@given(st.text())
def test_any_text_gives_a_result(text: str) -> None:
    _check(parse(text))


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(["!", "!", "!", "?", "capi: "]),
    name=st.sampled_from(NAMES),
    upper=st.booleans(),
    sep=st.sampled_from([" ", "\n", "  ", "\t", ""]),
    args=arguments,
)
def test_any_arguments_to_a_known_command(
    prefix: str, name: str, upper: bool, sep: str, args: str
) -> None:
    word = name.upper() if upper else name
    result = parse(f"{prefix}{word}{sep}{args}", prefix=prefix)
    _check(result)
    if sep.strip() == "" and sep:
        # A known name followed by whitespace is always ours: a command or a usage error.
        assert result is not None
        assert not isinstance(result, UnknownCommand)
        spec = lookup(name)
        assert spec is not None
        if isinstance(result, UsageError):
            assert result.command == spec.name
            assert result.reason.startswith("usage.")
        else:
            assert getattr(result, "name", None) == spec.name


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1))
def test_prefix_free_text_is_never_ours(text: str) -> None:
    if not text.lstrip().startswith("!") and not text.startswith("> <"):
        assert parse(text) is None
