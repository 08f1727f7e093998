"""Signed JSON and the cross-signing key file, as the homeserver and Element check them."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from bot.matrix.signing import (
    CrossSigningKeys,
    KeysFileError,
    b64decode,
    b64encode,
    key_public,
    keys_path,
    load_keys,
    public_b64,
    save_keys,
    sign_json,
    verify_json,
)

# The spec's own example (appendices, "Signing JSON"): a seed and the signatures it makes.
SPEC_SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"
USER = "@capibot:example.org"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)
json_objects = st.dictionaries(
    st.text().filter(lambda k: k not in ("signatures", "unsigned")), json_values, max_size=5
)


def test_the_spec_example_signatures() -> None:
    key = Ed25519PrivateKey.from_private_bytes(b64decode(SPEC_SEED))
    assert sign_json({}, "domain", "ed25519:1", key)["signatures"]["domain"]["ed25519:1"] == (
        "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ"
    )
    signed = sign_json({"one": 1, "two": "Two"}, "domain", "ed25519:1", key)
    assert signed["signatures"]["domain"]["ed25519:1"] == (
        "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw"
    )
    assert verify_json(signed, "domain", "ed25519:1", public_b64(key))


@given(st.binary(max_size=80))
def test_base64_is_unpadded_and_round_trips(data: bytes) -> None:
    text = b64encode(data)
    assert "=" not in text
    assert b64decode(text) == data


@given(json_objects)
def test_a_signature_survives_unsigned_data_and_other_signatures(obj: dict[str, Any]) -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    signed = sign_json(obj, USER, "ed25519:A", key)
    signed = sign_json(signed, USER, "ed25519:B", other)
    signed["unsigned"] = {"device_display_name": "anything"}
    assert verify_json(signed, USER, "ed25519:A", public_b64(key))
    assert verify_json(signed, USER, "ed25519:B", public_b64(other))
    assert "signatures" not in obj  # the input is left alone


@given(json_objects, st.text(min_size=1), json_values)
def test_a_tampered_object_is_refused(obj: dict[str, Any], field: str, value: Any) -> None:
    key = Ed25519PrivateKey.generate()
    signed = sign_json(obj, USER, "ed25519:A", key)
    if field in ("signatures", "unsigned") or obj.get(field) == value:
        return
    signed[field] = value
    assert not verify_json(signed, USER, "ed25519:A", public_b64(key))


def test_a_signature_by_another_key_or_for_another_user_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    signed = sign_json({"a": 1}, USER, "ed25519:A", key)
    assert not verify_json(signed, USER, "ed25519:A", public_b64(Ed25519PrivateKey.generate()))
    assert not verify_json(signed, "@mallory:example.org", "ed25519:A", public_b64(key))
    assert not verify_json(signed, USER, "ed25519:B", public_b64(key))


@given(st.text(), st.text())
def test_malformed_signatures_and_keys_are_refused_not_raised(signature: str, public: str) -> None:
    obj = {"a": 1, "signatures": {USER: {"ed25519:A": signature}}}
    assert not verify_json(obj, USER, "ed25519:A", public)


@given(st.dictionaries(st.text(), json_values, max_size=4), json_values)
def test_any_shape_from_the_homeserver_is_refused_not_raised(
    obj: dict[str, Any], signatures: Any
) -> None:
    public = public_b64(Ed25519PrivateKey.generate())
    assert not verify_json({**obj, "signatures": signatures}, USER, "ed25519:A", public)
    assert not verify_json({**obj, "signatures": {USER: signatures}}, USER, "ed25519:A", public)


def test_the_upload_body_chains_to_the_master_key() -> None:
    keys = CrossSigningKeys.generate()
    body = keys.upload_body(USER)
    master = body["master_key"]
    assert master["usage"] == ["master"] and master["user_id"] == USER
    assert key_public(master) == keys.public("master")
    for name, usage in (("self_signing_key", "self_signing"), ("user_signing_key", "user_signing")):
        assert body[name]["usage"] == [usage]
        assert key_public(body[name]) == keys.public(usage)
        assert verify_json(body[name], USER, keys.key_id("master"), keys.public("master"))
    assert len({keys.public(u) for u in ("master", "self_signing", "user_signing")}) == 3


def test_keys_file_round_trips_with_mode_0600(tmp_path: Path) -> None:
    keys = CrossSigningKeys.generate()
    path = save_keys(tmp_path / "store", USER, keys)
    assert path == keys_path(tmp_path / "store")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "store").stat().st_mode) == 0o700
    loaded = load_keys(tmp_path / "store", USER)
    assert loaded is not None and loaded.seeds() == keys.seeds()
    assert load_keys(tmp_path / "elsewhere", USER) is None


def test_repr_shows_no_private_key() -> None:
    keys = CrossSigningKeys.generate()
    text = repr(keys)
    assert keys.public("master") in text
    assert not any(seed in text for seed in keys.seeds().values())


def test_a_keys_file_of_another_account_or_garbled_is_an_error(tmp_path: Path) -> None:
    save_keys(tmp_path, "@other:example.org", CrossSigningKeys.generate())
    with pytest.raises(KeysFileError, match=re.escape("@other:example.org")):
        load_keys(tmp_path, USER)
    keys_path(tmp_path).write_text('{"user_id": "@capibot:example.org", "seeds": {}}')
    with pytest.raises(KeysFileError):
        load_keys(tmp_path, USER)
    keys_path(tmp_path).write_text("not json")
    with pytest.raises(KeysFileError):
        load_keys(tmp_path, USER)
