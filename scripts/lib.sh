# Shared shell helpers of scripts/demo and scripts/test (sourced, not run).

# The project's virtualenv, (re)installed when pyproject.toml changed.
ensure_venv() {
    if ! python3 -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
        echo "capibot needs Python >= 3.11 as python3" >&2
        exit 1
    fi
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    fi
    [ -x .venv/bin/python ] || python3 -m venv .venv
    local stamp=.venv/.capibot-installed
    local want
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "installing capibot and its dev tools into .venv …"
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
        echo "$want" > "$stamp"
    fi
}

# Debian packages of the wiki, the Synapse and Taguette virtualenvs (all idempotent).
ensure_servers_installed() {
    python3 -m scripts.devstack prepare
}
