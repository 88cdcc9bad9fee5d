#!/usr/bin/env bash
# Runs a command with a real Secret Service: a throwaway, unlocked gnome-keyring in its own
# folder, inside the D-Bus session that `dbus-run-session` made. Tests then require it to answer.
set -euo pipefail
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home"
# Its control socket too: a second run at the same time (another `make` in another folder) must
# not reach this keyring, nor this run that one.
mkdir -m 700 "$keyring_home/run"
export XDG_RUNTIME_DIR="$keyring_home/run"
# The password only guards this throwaway keyring.
eval "$(printf 'test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
export VISIT_DIARY_REQUIRE_KEYSTORE=1
export E2E_KEY_STORE="Secret Service"
"$@"
