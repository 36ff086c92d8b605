#!/usr/bin/env bash
# Gradescope autograder setup (runs once, as root, when the autograder image is built).
# Upload this directory's files plus a checkout of ipcspec as /autograder/source/ipcspec
# (or let this script clone it: set IPCSPEC_REPO to your fork's URL).
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends ca-certificates curl git build-essential
# Node.js 20 or newer (ipcspec runs TypeScript through tsx)
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y nodejs
fi
SRC=/autograder/source/ipcspec
if [ ! -d "$SRC" ]; then git clone --depth 1 "${IPCSPEC_REPO:?set IPCSPEC_REPO or upload the checkout}" "$SRC"; fi
cd "$SRC"
npm ci
