"""Cross-signing keys and signed JSON, without any network: what the homeserver checks.

Matrix signs "the canonical JSON of the object without `signatures` and `unsigned`" with
Ed25519 and writes unpadded base64 (spec: Signing JSON). The crypto is `cryptography`'s and
the canonical form is `canonicaljson`'s (the one Synapse uses): nothing hand-rolled.
The three private keys live in one file of the store directory, mode 0600: whoever holds
it can vouch for any device of the bot's account.
"""

from __future__ import annotations

import base64
import copy
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import canonicaljson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

KEYS_FILE = "cross_signing.json"
Usage = Literal["master", "self_signing", "user_signing"]
USAGES: tuple[Usage, ...] = ("master", "self_signing", "user_signing")


def b64encode(data: bytes) -> str:
    """Matrix's unpadded standard base64."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def b64decode(text: str) -> bytes:
    """Unpadded (or padded) standard base64; ValueError on anything else."""
    text = text.strip()
    if text.endswith("="):
        text = text.rstrip("=")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def signable_bytes(obj: dict[str, Any]) -> bytes:
    """What a signature covers: the object without `signatures` and `unsigned`."""
    stripped = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    return canonicaljson.encode_canonical_json(stripped)


def public_b64(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return b64encode(raw)


def sign_json(
    obj: dict[str, Any], user_id: str, key_id: str, private: Ed25519PrivateKey
) -> dict[str, Any]:
    """A copy of `obj` with one more signature, `signatures[user_id][key_id]`; the
    signatures already there are kept (they do not cover each other)."""
    signature = b64encode(private.sign(signable_bytes(obj)))
    signed = copy.deepcopy(obj)
    signed.setdefault("signatures", {}).setdefault(user_id, {})[key_id] = signature
    return signed


def verify_json(obj: dict[str, Any], user_id: str, key_id: str, public: str) -> bool:
    """Whether `obj` carries a valid signature `signatures[user_id][key_id]` made by the
    Ed25519 key `public` (unpadded base64); False for a missing or malformed one (the
    object comes from the homeserver: any shape)."""
    signatures = obj.get("signatures")
    by_user = signatures.get(user_id) if isinstance(signatures, dict) else None
    signature = by_user.get(key_id) if isinstance(by_user, dict) else None
    if not isinstance(signature, str):
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(b64decode(public))
        key.verify(b64decode(signature), signable_bytes(obj))
    except (InvalidSignature, ValueError):
        return False
    return True


def key_object(user_id: str, usage: Usage, public: str) -> dict[str, Any]:
    """The unsigned CrossSigningKey object of the spec for one key."""
    return {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{public}": public}}


def key_public(obj: dict[str, Any]) -> str | None:
    """The public key of a CrossSigningKey object (its one `ed25519:` entry)."""
    keys = obj.get("keys")
    if not isinstance(keys, dict) or len(keys) != 1:
        return None
    (key_id, value), *_ = keys.items()
    if not key_id.startswith("ed25519:") or not isinstance(value, str):
        return None
    return value


@dataclass(frozen=True)
class CrossSigningKeys:
    """The bot's three private keys; `repr` never shows them."""

    master: Ed25519PrivateKey
    self_signing: Ed25519PrivateKey
    user_signing: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> CrossSigningKeys:
        return cls(
            Ed25519PrivateKey.generate(),
            Ed25519PrivateKey.generate(),
            Ed25519PrivateKey.generate(),
        )

    def private(self, usage: Usage) -> Ed25519PrivateKey:
        key: Ed25519PrivateKey = getattr(self, usage)
        return key

    def public(self, usage: Usage) -> str:
        return public_b64(self.private(usage))

    def key_id(self, usage: Usage) -> str:
        return f"ed25519:{self.public(usage)}"

    def seeds(self) -> dict[str, str]:
        """The 32-byte seeds in unpadded base64: the recovery material."""
        return {usage: b64encode(self.private(usage).private_bytes_raw()) for usage in USAGES}

    @classmethod
    def from_seeds(cls, seeds: dict[str, str]) -> CrossSigningKeys:
        """ValueError (or KeyError) on a missing or malformed seed."""
        keys = [Ed25519PrivateKey.from_private_bytes(b64decode(seeds[u])) for u in USAGES]
        return cls(*keys)

    def upload_body(self, user_id: str) -> dict[str, Any]:
        """The body of `/keys/device_signing/upload` (without `auth`): the self-signing
        and user-signing keys signed by the master key."""
        master_id = self.key_id("master")
        return {
            "master_key": key_object(user_id, "master", self.public("master")),
            "self_signing_key": sign_json(
                key_object(user_id, "self_signing", self.public("self_signing")),
                user_id,
                master_id,
                self.master,
            ),
            "user_signing_key": sign_json(
                key_object(user_id, "user_signing", self.public("user_signing")),
                user_id,
                master_id,
                self.master,
            ),
        }

    def __repr__(self) -> str:
        return f"CrossSigningKeys(master={self.key_id('master')!r})"


def keys_path(store_path: Path) -> Path:
    return store_path / KEYS_FILE


def save_keys(store_path: Path, user_id: str, keys: CrossSigningKeys) -> Path:
    """Written atomically, created with mode 0600 (never readable by others, even for an
    instant), in a directory of mode 0700."""
    store_path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = keys_path(store_path)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"user_id": user_id, "seeds": keys.seeds()}, handle)
    os.replace(tmp, path)
    path.chmod(0o600)
    return path


class KeysFileError(Exception):
    """The keys file exists but cannot be used: never overwritten silently."""


def load_keys(store_path: Path, user_id: str) -> CrossSigningKeys | None:
    """The stored keys of `user_id`; None if there is no file."""
    path = keys_path(store_path)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        owner = data["user_id"]
        keys = CrossSigningKeys.from_seeds(data["seeds"])
    except (ValueError, KeyError, TypeError) as exc:
        raise KeysFileError(f"{path} is unreadable ({type(exc).__name__})") from None
    if owner != user_id:
        raise KeysFileError(f"{path} holds the keys of {owner}, not of {user_id}")
    return keys
