"""The plain values `wiki_sync` needs; the bot builds this from its own settings."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class WikiConfig:
    api_url: str
    username: str = ""
    password: str = ""
    consumer_token: str = ""
    consumer_secret: str = ""
    access_token: str = ""
    access_secret: str = ""
    contact: str = ""
    version: str = "0"
    edit_interval: float = 2.0
    max_retries: int = 5
    timeout: float = 30.0
    max_lag: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0

    def __repr__(self) -> str:  # never show secrets, even in a traceback
        return f"WikiConfig(api_url={self.api_url!r}, username={self.username!r})"

    @property
    def user_agent(self) -> str:
        return f"capibot/{self.version} ({self.contact})"

    @property
    def host(self) -> str:
        return urlsplit(self.api_url).netloc

    @property
    def scheme(self) -> str:
        return urlsplit(self.api_url).scheme

    @property
    def script_path(self) -> str:
        """The folder of api.php, with slashes on both ends, as mwclient wants it."""
        path = urlsplit(self.api_url).path
        folder = path.rsplit("/", 1)[0]
        return folder + "/" if folder.startswith("/") else "/" + folder + "/"

    @property
    def uses_oauth(self) -> bool:
        return bool(self.consumer_token)
