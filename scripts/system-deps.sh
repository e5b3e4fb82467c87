#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those that are missing.
# Usage: scripts/system-deps.sh run|test
set -euo pipefail
want=(ffmpeg espeak-ng gettext fonts-noto-core fonts-noto-cjk python3-venv)
if [ "${1:-run}" = "test" ]; then
  # nginx with nchan: the push channel to stations (deploy/nginx/cms.conf), tested through
  # the production configuration; `make run` (runserver, no push) does not need it.
  want+=(postgresql chromium chromium-driver nginx libnginx-mod-nchan)
  # npm installs axe-core for the accessibility tests; Node.js from elsewhere (with its own
  # npm) is fine as it is.
  command -v npm >/dev/null || want+=(nodejs npm)
fi
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing OS packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Cần quyền root để cài: ${missing[*]} (need root to install these Debian packages)." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "apt-get not found: install ${missing[*]} with your system's package manager." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
