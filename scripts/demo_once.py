"""`./scripts/demo --once`: a short exchange of practice played through the real servers.

The stack's users talk in a thematic room of the local Synapse: Alice asks a question,
Bruno and Alice answer in its thread, Alice captures it (`!capturer`), both consent,
Alice submits the fiche, and Mona, the moderator, approves it in the moderation room.
The bot runs as its own process (`python -m bot run`), exactly as an operator runs it;
the scenario waits for its "published" notice and returns the wiki page's URL.

`main` brings the stack up (or reuses it), plays the scenario, prints one line
`PUBLISHED <url>`, then stops the bot and whatever of the stack it started. The tests
call `play_scenario` against the session's stack.

Runs with the project's virtualenv (it needs matrix-nio): `.venv/bin/python -m
scripts.demo_once [--state-dir DIR] [--transcript FILE]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

from nio import AsyncClient, AsyncClientConfig, LoginResponse, RoomCreateResponse, RoomSendResponse

from scripts.chat import text_content
from scripts.demo_transcript import write
from scripts.devstack import Stack, StackInfo
from scripts.devstack.procs import pid_alive
from scripts.devstack.stack import DEFAULT_STATE

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")

THEMATIC_ROOM = "Renouvellement urbain"
MODERATION_ROOM = "Modération"
TITLE = "Ateliers en pied d'immeuble"
TRANSCRIPT_TITLE = "Un échange capturé, de la question à la fiche publiée"

# (speaker role, text): the first line opens the thread, the others answer in it.
EXCHANGE: list[tuple[str, str]] = [
    (
        "practitioner",
        "Bonjour à toutes et à tous ! Dans notre quartier prioritaire, presque plus "
        "personne ne vient aux réunions publiques du projet de renouvellement urbain. "
        "Comment faites-vous pour associer les habitants ?",
    ),
    (
        "practitioner2",
        "Chez nous, on a arrêté les réunions en mairie : un mardi par mois, en fin "
        "d'après-midi, on tient un atelier en pied d'immeuble avec le bailleur et une "
        "maquette du quartier.",
    ),
    (
        "practitioner",
        "Et vous l'annoncez comment ? Nous avons essayé les affiches dans les halls, sans "
        "grand effet.",
    ),
    (
        "practitioner2",
        "Du porte-à-porte avec les adultes-relais la semaine d'avant, et un café offert "
        "sur place. On est passés d'une dizaine de personnes à une quarantaine, dont "
        "beaucoup de femmes et de jeunes qu'on ne voyait jamais.",
    ),
    (
        "practitioner",
        "Merci, c'est très concret. On va le proposer à notre bailleur pour la rentrée !",
    ),
]

FICHE = """!fiche
Titre: {title}
Contexte: Quartier prioritaire en renouvellement urbain (NPNRU) ; les réunions \
publiques en mairie ne réunissaient plus qu'une dizaine de personnes, toujours les mêmes.
Action: Un atelier mensuel au pied des immeubles, le mardi en fin d'après-midi, \
co-animé avec le bailleur autour d'une maquette du quartier ; annonce en porte-à-porte \
par les adultes-relais la semaine précédente ; café offert sur place.
Résultats: Une quarantaine de participants par atelier au lieu d'une dizaine, dont \
beaucoup de femmes et de jeunes absents des réunions en mairie.
Enseignements: Aller vers les habitants plutôt que les faire venir ; l'annonce de \
personne à personne compte plus que l'affichage ; le bailleur doit être présent pour \
répondre aux questions du quotidien.
Thèmes: participation des habitants, renouvellement urbain
Territoire: Hauts-de-France
Ressources: https://www.anru.fr/"""

URL = re.compile(r"https?://\S+/index\.php\?title=\S+")
CASE = re.compile(r"#(\d+)")


class DemoError(RuntimeError):
    """The scenario could not complete; the message says which step and why."""


_STARTED = time.monotonic()


def say(text: str) -> None:
    print(f"demo [{time.monotonic() - _STARTED:5.1f}s] {text}", file=sys.stderr, flush=True)


# -- a derived bot config ------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def dump_toml(data: dict[str, dict[str, Any]]) -> str:
    """The tiny TOML writer a capibot config needs: tables of scalars and lists."""
    lines: list[str] = []
    for section, values in data.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
        lines.append("")
    return "\n".join(lines)


def derive_config(base: Path, work: Path, *, moderation_room: str) -> Path:
    """`work/capibot.demo.toml`: the stack's config with the moderation room, the bot's
    database and Matrix store in `work` (so it never shares a running bot's), and no
    write throttling (the wiki is local)."""
    work.mkdir(parents=True, exist_ok=True)
    data = tomllib.loads(base.read_text(encoding="utf-8"))
    data.setdefault("matrix", {}).update(
        moderation_room=moderation_room, store_path=str(work / "matrix")
    )
    data.setdefault("database", {})["url"] = f"sqlite:///{work / 'capibot.db'}"
    data.setdefault("wiki", {})["edit_interval"] = 0.0  # a local wiki: no need to throttle
    path = work / "capibot.demo.toml"
    path.write_text(f"# Derived from {base} by scripts/demo_once.py.\n" + dump_toml(data))
    path.chmod(0o600)
    return path


# -- the bot as its own process ------------------------------------------------------


def _capibot(python: str, *args: str, config: Path) -> None:
    """`python -m bot ARGS --config CONFIG`, failing with its output."""
    result = subprocess.run(
        [python, "-m", "bot", *args, "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DemoError(
            f"capibot {' '.join(args)} exited with {result.returncode}:\n"
            f"{result.stdout}{result.stderr}"
        )


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 20.0) -> None:
    """SIGTERM (the bot stops cleanly), then SIGKILL its group after `timeout`."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Whatever it may have started lives in its group: nothing may survive it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def bot_process(python: str, config: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [python, "-m", "bot", "run", "--config", str(config)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop_process(process)


def _tail(log: Path, lines: int = 30) -> str:
    if not log.exists():
        return ""
    text = log.read_text(errors="replace").splitlines()[-lines:]
    return f"\n--- {log} ---\n" + "\n".join(text)


# -- the people ----------------------------------------------------------------------


async def login(stack: StackInfo, role: str) -> AsyncClient:
    user = stack.user(role)
    client = AsyncClient(
        stack.homeserver, user.user_id(), config=AsyncClientConfig(store_sync_tokens=False)
    )
    response = await client.login(user.password, device_name="capibot-demo")
    if not isinstance(response, LoginResponse):
        await client.close()
        raise DemoError(f"{user.user_id()} could not log in: {response}")
    return client


async def send(client: AsyncClient, room: str, body: str, *, thread: str | None = None) -> str:
    response = await client.room_send(room, "m.room.message", text_content(body, thread=thread))
    if not isinstance(response, RoomSendResponse):
        raise DemoError(f"{client.user_id} could not send to {room}: {response}")
    return str(response.event_id)


async def create_room(client: AsyncClient, name: str, invite: list[str]) -> str:
    created = await client.room_create(name=name, topic=f"capibot demo: {name}", invite=invite)
    if not isinstance(created, RoomCreateResponse):
        raise DemoError(f"{client.user_id} could not create the room {name!r}: {created}")
    return str(created.room_id)


class Scene:
    """The people of the scenario and the running bot, with waits that fail clearly."""

    def __init__(
        self, stack: StackInfo, people: dict[str, AsyncClient], bot: subprocess.Popen[bytes]
    ) -> None:
        self.bot_id = stack.user("bot").user_id()
        self.people = people
        self.bot = bot
        self.log: Path | None = None

    async def until(
        self, probe: Callable[[], Awaitable[T | None]], what: str, within: float = 60.0
    ) -> T:
        deadline = time.monotonic() + within
        while True:
            found = await probe()
            if found is not None and found is not False:
                return found
            if self.bot.poll() is not None:
                raise DemoError(
                    f"the bot exited ({self.bot.returncode}) while waiting for {what}"
                    + (_tail(self.log) if self.log else "")
                )
            if time.monotonic() > deadline:
                raise DemoError(
                    f"no {what} within {within:.0f}s" + (_tail(self.log) if self.log else "")
                )
            await asyncio.sleep(0.25)

    async def notices(self, viewer: str, room: str) -> list[str]:
        """Bodies of the bot's recent messages in `room`, oldest first."""
        response = await self.people[viewer].room_messages(room, start="", limit=200)
        chunk = getattr(response, "chunk", [])
        return [
            event.source["content"].get("body", "")
            for event in reversed(chunk)
            if event.source.get("sender") == self.bot_id
            and event.source.get("type") == "m.room.message"
        ]

    async def notice(self, viewer: str, room: str, pattern: re.Pattern[str], what: str) -> str:
        """The first new bot notice in `room` matching `pattern` (its match's group 0)."""

        async def probe() -> str | None:
            for body in await self.notices(viewer, room):
                match = pattern.search(body)
                if match:
                    return match.group(0)
            return None

        return await self.until(probe, what)

    async def replies(self, viewer: str, room: str, count: int, what: str) -> None:
        async def probe() -> bool:
            return len(await self.notices(viewer, room)) >= count

        await self.until(probe, what)

    async def joined(self, viewer: str, room: str) -> None:
        async def probe() -> bool:
            members = await self.people[viewer].joined_members(room)
            return self.bot_id in [m.user_id for m in getattr(members, "members", [])]

        await self.until(probe, "bot in the room", within=60)


async def play_scenario(
    stack: StackInfo,
    base_config: Path,
    work: Path,
    *,
    python: str = sys.executable,
    title: str = TITLE,
    transcript: Path | None = None,
) -> str:
    """Play the exchange against `stack` with a bot started from `base_config` (its
    database and store in `work`); returns the URL of the published wiki page. With
    `transcript`, also writes the exchange there as Markdown (scripts/demo_transcript.py)."""
    people = {
        role: await login(stack, role) for role in ("practitioner", "practitioner2", "moderator")
    }
    try:
        return await _play(stack, base_config, work, people, python, title, transcript)
    finally:
        for client in people.values():
            await client.close()


async def _play(
    stack: StackInfo,
    base_config: Path,
    work: Path,
    people: dict[str, AsyncClient],
    python: str,
    title: str,
    transcript: Path | None,
) -> str:
    alice, bruno, mona = people["practitioner"], people["practitioner2"], people["moderator"]
    bot_id = stack.user("bot").user_id()
    say(f"{mona.user_id} creates the moderation room and invites the bot")
    moderation = await create_room(mona, MODERATION_ROOM, [bot_id])
    config = await asyncio.to_thread(derive_config, base_config, work, moderation_room=moderation)
    say(f"bot config {config}; capibot migrate, capibot wiki setup")
    await asyncio.to_thread(_capibot, python, "migrate", config=config)
    await asyncio.to_thread(_capibot, python, "wiki", "setup", config=config)
    log = work / "bot.log"
    say(f"starting the bot (log {log})")
    with bot_process(python, config, log) as process:
        scene = Scene(stack, people, process)
        scene.log = log
        await scene.joined("moderator", moderation)

        say(f"{alice.user_id} opens the room « {THEMATIC_ROOM} » with {bruno.user_id} and the bot")
        room = await create_room(alice, THEMATIC_ROOM, [bot_id, bruno.user_id])
        await bruno.join(room)
        await scene.joined("practitioner", room)
        # Its introduction first (under load it may come after a quick first command),
        # then one command and its answer: the transcript reads in a stable order.
        await scene.replies("practitioner", room, 1, "the bot's introduction")
        await send(alice, room, "!salon type thème")
        await scene.replies("practitioner", room, 2, "answer to !salon type")  # intro + 1
        await send(alice, room, f"!salon nom {THEMATIC_ROOM}")
        await scene.replies("practitioner", room, 3, "answer to !salon nom")

        say("the exchange: a question, answers in its thread")
        first_role, first_text = EXCHANGE[0]
        root = await send(people[first_role], room, first_text)
        for role, text in EXCHANGE[1:]:
            await send(people[role], room, text, thread=root)

        say("alice captures it: !capturer")
        await send(alice, room, "!capturer", thread=root)
        captured = await scene.notice(
            "practitioner", room, re.compile(r"#\d+.*\(\d+ messages?\)"), "capture notice"
        )
        case = CASE.search(captured)
        assert case is not None
        number = int(case.group(1))
        say(f"case #{number}; alice and bruno consent: !consentement oui")
        before = len(await scene.notices("practitioner", room))
        await send(alice, room, "!consentement oui", thread=root)
        await scene.replies("practitioner", room, before + 1, "alice's consent answer")
        await send(bruno, room, "!consentement oui", thread=root)
        await scene.replies("practitioner", room, before + 2, "bruno's consent answer")

        say("alice submits the fiche: !fiche")
        await send(alice, room, FICHE.format(title=title), thread=root)
        await scene.notice("moderator", moderation, re.compile(rf"#{number}\b"), "review card")
        say(f"mona approves it: !valider {number}")
        await send(mona, moderation, f"!valider {number}")
        url = await scene.notice(
            "practitioner",
            room,
            re.compile(rf"#{number}\b.*?(?P<url>https?://\S+/index\.php\?title=\S+)", re.S),
            "publication notice",
        )
        found = URL.search(url)
        assert found is not None
        if transcript is not None:  # the guide's: each room as a member sees it
            names = {user.user_id(): user.displayname for user in stack.users} | {bot_id: "capibot"}
            rooms = [(THEMATIC_ROOM, alice, room), (MODERATION_ROOM, mona, moderation)]
            await write(transcript, TRANSCRIPT_TITLE, rooms, names, bot_id)
            say(f"transcript written to {transcript}")
        return found.group(0)


# -- the whole demo ------------------------------------------------------------------


@contextlib.contextmanager
def exclusive(state: Path) -> Iterator[IO[str]]:
    """One demo bot per state directory: the interactive demo holds the same lock."""
    state.mkdir(parents=True, exist_ok=True)
    with (state / "demo.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DemoError(
                f"a demo bot already runs with the state directory {state}; stop it or "
                "pass another --state-dir"
            ) from None
        yield lock


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_once(state: Path, transcript: Path | None = None) -> str:
    """Up (or reuse) the stack, play, stop what was started; returns the page URL."""
    stack = Stack(state)
    with exclusive(stack.state_dir):
        was_running = all(stack.status().values())
        try:
            info = stack.up()
            say(f"stack {'reused' if was_running else 'started'} in {stack.state_dir}")
            work = stack.state_dir / "demo-once"  # kept: the next run numbers on
            return asyncio.run(play_scenario(info, info.config_path, work, transcript=transcript))
        finally:
            if not was_running:
                stack.down()
                left = stack.load()
                marker = str(stack.state_dir)
                if left and (
                    pid_alive(left.synapse_pid, marker) or pid_alive(left.wiki_pid, marker)
                ):
                    raise DemoError("the stack did not stop")
                say("stack stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/demo --once", description=__doc__)
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE,
        help="the stack's state directory (default .stack; CI uses a temporary one)",
    )
    parser.add_argument(
        "--transcript",
        type=Path,
        help="also write the exchange and the bot's answers there as Markdown (the guide's)",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    started = time.monotonic()
    try:
        url = run_once(args.state_dir, args.transcript)
    except DemoError as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("demo interrupted", file=sys.stderr)
        return 130
    say(f"done in {time.monotonic() - started:.0f}s")
    print(f"PUBLISHED {url}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
