#!/usr/bin/env bash
# Runs a command with a real Secret Service: a throwaway, unlocked gnome-keyring in its own
# folder, inside the D-Bus session that `dbus-run-session` made. Tests then require it to answer.
set -euo pipefail
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home"
# The password only guards this throwaway keyring.
eval "$(printf 'test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
export VISIT_DIARY_REQUIRE_KEYSTORE=1
export E2E_KEY_STORE="Secret Service"
"$@"
