"""The stack: Synapse + MediaWiki in one state directory, up/down/status, idempotent."""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import asdict, dataclass, field
from pathlib import Path

from scripts.devstack import mediawiki, synapse
from scripts.devstack.procs import free_port, pid_alive, stop_group

DEFAULT_STATE = Path(__file__).resolve().parents[2] / ".stack"
WIKI_BOT_USER = "Capibot"
WIKI_BOT_APP = "capibot"


@dataclass
class StackUser:
    localpart: str
    displayname: str
    password: str
    role: str

    def user_id(self) -> str:
        return f"@{self.localpart}:{synapse.SERVER_NAME}"


@dataclass
class StackInfo:
    """Everything a client of the stack needs; persisted as state/stack.json."""

    state_dir: str
    synapse_port: int
    wiki_port: int
    registration_secret: str
    wiki_admin_password: str
    wiki_bot_password: str  # the account's own password
    wiki_botpassword: str  # the BotPassword secret (32 characters)
    users: list[StackUser] = field(default_factory=list)
    synapse_pid: int | None = None
    wiki_pid: int | None = None

    @property
    def homeserver(self) -> str:
        return f"http://127.0.0.1:{self.synapse_port}"

    @property
    def wiki_url(self) -> str:
        return f"http://127.0.0.1:{self.wiki_port}"

    @property
    def wiki_api(self) -> str:
        return f"{self.wiki_url}/api.php"

    @property
    def wiki_username(self) -> str:
        return f"{WIKI_BOT_USER}@{WIKI_BOT_APP}"

    @property
    def config_path(self) -> Path:
        return Path(self.state_dir) / "capibot.toml"

    @property
    def local_settings(self) -> Path:
        return Path(self.state_dir) / "wiki" / "LocalSettings.php"

    def user(self, role_or_localpart: str) -> StackUser:
        for user in self.users:
            if role_or_localpart in (user.role, user.localpart):
                return user
        raise KeyError(role_or_localpart)


def _secret(length: int = 32, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _bot_password_secret() -> str:
    """MediaWiki only treats a login as a BotPassword one when the secret matches
    `[0-9a-w]{32,}` (ApiLogin canonicalizeLoginData): lowercase base32, like its own."""
    return _secret(32, "0123456789abcdefghijklmnopqrstuv")


DEMO_USERS = [
    ("capibot", "Capibot", "bot"),
    ("alice", "Alice Martin", "practitioner"),
    ("bruno", "Bruno Leroy", "practitioner2"),
    ("mona", "Mona Dupont", "moderator"),
    ("claire", "Claire Petit", "researcher"),
]


class Stack:
    def __init__(
        self,
        state_dir: Path = DEFAULT_STATE,
        *,
        synapse_port: int | None = None,
        wiki_port: int | None = None,
    ) -> None:
        self.state_dir = state_dir.resolve()
        self._preferred = (synapse_port, wiki_port)

    @property
    def info_path(self) -> Path:
        return self.state_dir / "stack.json"

    def load(self) -> StackInfo | None:
        if not self.info_path.exists():
            return None
        data = json.loads(self.info_path.read_text())
        data["users"] = [StackUser(**u) for u in data.get("users", [])]
        return StackInfo(**data)

    def _save(self, info: StackInfo) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.info_path.write_text(json.dumps(asdict(info), indent=1))
        self.info_path.chmod(0o600)

    def _new_info(self) -> StackInfo:
        return StackInfo(
            state_dir=str(self.state_dir),
            synapse_port=free_port(self._preferred[0]),
            wiki_port=free_port(self._preferred[1]),
            registration_secret=_secret(),
            wiki_admin_password=_secret(24),
            wiki_bot_password=_secret(24),
            wiki_botpassword=_bot_password_secret(),
            users=[StackUser(lp, name, _secret(20), role) for lp, name, role in DEMO_USERS],
        )

    def status(self) -> dict[str, bool]:
        info = self.load()
        marker = str(self.state_dir)
        return {
            "synapse": bool(info and pid_alive(info.synapse_pid, marker)),
            "mediawiki": bool(info and pid_alive(info.wiki_pid, marker)),
        }

    def up(self) -> StackInfo:
        """Install what is missing, start what is not running, register what is absent."""
        info = self.load() or self._new_info()
        self._save(info)
        marker = str(self.state_dir)
        synapse_state = self.state_dir / "synapse"
        wiki_state = self.state_dir / "wiki"
        if not pid_alive(info.synapse_pid, marker):
            files = synapse.configure(synapse_state, info.synapse_port, info.registration_secret)
            info.synapse_pid = synapse.start(synapse_state, info.synapse_port, files).pid
            self._save(info)
        for user in info.users:
            synapse.register_user(
                info.homeserver,
                info.registration_secret,
                user.localpart,
                user.password,
                user.displayname,
            )
        if not pid_alive(info.wiki_pid, marker):
            local_settings = mediawiki.install(wiki_state, info.wiki_port, info.wiki_admin_password)
            mediawiki.create_bot(
                local_settings,
                WIKI_BOT_USER,
                info.wiki_bot_password,
                WIKI_BOT_APP,
                info.wiki_botpassword,
            )
            info.wiki_pid = mediawiki.start(wiki_state, info.wiki_port, local_settings).pid
            self._save(info)
        write_bot_config(info)
        return info

    def down(self) -> None:
        info = self.load()
        if info is None:
            return
        marker = str(self.state_dir)
        stop_group(info.synapse_pid, marker)
        stop_group(info.wiki_pid, marker)
        info.synapse_pid = info.wiki_pid = None
        self._save(info)


def write_bot_config(info: StackInfo, *, edit_interval: float = 0.5) -> Path:
    """A ready capibot config for this stack (secrets inside: mode 0600)."""
    state = Path(info.state_dir)
    bot = info.user("bot")
    moderators = [u.user_id() for u in info.users if u.role == "moderator"]
    researchers = [u.user_id() for u in info.users if u.role == "researcher"]
    text = f"""# Written by scripts/stack for the local stack in {state}. Do not commit.
[matrix]
homeserver = "{info.homeserver}"
user_id = "{bot.user_id()}"
password = "{bot.password}"
store_path = "{state / "bot" / "matrix"}"
allowed_inviters = ["@*:{synapse.SERVER_NAME}"]

[wiki]
api_url = "{info.wiki_api}"
username = "{info.wiki_username}"
password = "{info.wiki_botpassword}"
contact = "capibot-demo@localhost"
edit_interval = {edit_interval}

[database]
url = "sqlite:///{state / "bot" / "capibot.db"}"

[privacy]
notice_url = "{info.wiki_url}/index.php?title=Capibot:Confidentialit%C3%A9"
pseudonym_secret = "{_secret()}"

[bot]
language = "fr"
moderators = {json.dumps(moderators)}
researchers = {json.dumps(researchers)}
"""
    path = info.config_path
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text().splitlines()[1:] != text.splitlines()[1:]:
        path.write_text(text)
    path.chmod(0o600)
    return path
