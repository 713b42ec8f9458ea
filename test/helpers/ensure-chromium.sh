#!/bin/sh
# The browser tests drive Debian's Chromium at /usr/bin/chromium, never a
# downloaded browser. `npm test` and `npm run test:scale` run this first. When
# Chromium is missing, it installs Debian's package if it can (as root with
# apt-get, as on CI and on this project's fresh machines). Otherwise it stops
# with the command to run, rather than letting every browser test fail.
set -eu
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The browser tests need Debian's Chromium at /usr/bin/chromium: sudo apt-get install chromium" >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests (once; about a minute)..." >&2
log=$(mktemp)
if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "Installing chromium failed; install it with: apt-get install chromium" >&2
  exit 1
fi
rm -f "$log"
