#!/usr/bin/env bash
# The newcomer's "run a workflow" command (npm start):
#
#   npm start                              build, pack, install the package into a local n8n
#                                          (2.40.5, installed once into ~/.cache), import the
#                                          examples, open http://127.0.0.1:5678
#   npm start -- --execute wavespeed-lynx  run examples/wavespeed-lynx.json headless and print its output
#   npm start -- --reset                   throw away .n8n-local/ first
#
# Providers are emulated locally (no network, no cost) unless WAVESPEED_API_KEY and/or FAL_KEY
# are set; then that provider's credential points at the real API and real jobs are billed.
# Ctrl-C stops n8n and the emulator. The work happens in test/e2e/local.ts (it shares the
# e2e suite's driver, test/e2e/n8n.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/tsx ]; then
	echo "run npm install first" >&2
	exit 1
fi
# node itself (not the tsx CLI, which relays signals through a second process) so Ctrl-C
# reaches one process that stops n8n and the emulator before exiting.
exec node --import tsx test/e2e/local.ts "$@"
