#!/usr/bin/env bash
# Installs Debian's chromium for the browser end-to-end test (test/browser.test.ts), which drives it through
# playwright-core with `executablePath`, since Playwright's own browser download is not reachable everywhere.
# Idempotent: does nothing when the browser is already there. Needs root (CI) or sudo.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  echo "setup:browser chromium already in place at $CHROMIUM"
  exit 0
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_root apt-get update
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
echo "setup:browser chromium installed at $CHROMIUM"
