#!/usr/bin/env bash
# The new user's first hour, scripted against the binary as a user installs it (issue 28):
# install into a temporary root, try it with the built-in emulator (no Matomo, no configuration
# file) with the official MCP Python client over stdio and Streamable HTTP (tools listed, five
# tools called, no client warning), the state files a first start leaves (owner-only), and
# `check` with a state directory that cannot be used (fails, naming the key to change).
#
#   bash matomo-privacy-mcp/tests/new-user/run.sh
#
# Needs the Python client (`bash matomo-privacy-mcp-server/tests/interop/setup.sh`); without it,
# one SKIPPED line, unless CI is set. `.ci/run` runs it. The install reuses the workspace's
# target directory (a debug build), as CI's other install does.
set -euo pipefail
cd "$(dirname "$0")/../../.."

if ! python3 -c 'import mcp, httpx2' > /dev/null 2>&1; then
    if [ -n "${CI:-}" ]; then
        echo "new user: the official MCP Python client is missing; run matomo-privacy-mcp-server/tests/interop/setup.sh" >&2
        exit 1
    fi
    echo "SKIPPED new user's first hour: install the MCP Python client with bash matomo-privacy-mcp-server/tests/interop/setup.sh"
    exit 0
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
fail() { echo "new user: FAILED: $*" >&2; exit 1; }

echo "== cargo install --path matomo-privacy-mcp --root $root/install --debug"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}" cargo install --path matomo-privacy-mcp --root "$root/install" --locked --debug --quiet
bin="$root/install/bin/matomo-privacy-mcp"
"$bin" --version
"$bin" tools > "$root/tools.json"
python3 -c 'import json,sys; tools=json.load(open(sys.argv[1])); assert len(tools) >= 27, len(tools); print(len(tools), "tools listed by the installed binary")' "$root/tools.json"

# A user with a home of their own and nothing configured.
home="$root/home"
mkdir -p "$home"
clean_env=(env -i "PATH=$PATH" "HOME=$home")

echo "== serve --emulator, with the official Python client"
python3 matomo-privacy-mcp/tests/new-user/client.py "$bin" "$home"

echo "== the state a first start leaves: owner-only, in ~/.local/state/matomo-privacy-mcp"
state="$home/.local/state/matomo-privacy-mcp"
for path in "$state" "$state/privacy-budget.json" "$state/privacy-budget.json.key"; do
    [ -e "$path" ] || fail "$path was not created"
    mode=$(stat -c %a "$path")
    case "$mode" in
        700 | 600) echo "  ok: $path ($mode)" ;;
        *) fail "$path is readable by others ($mode)" ;;
    esac
done

echo "== check with a state directory that cannot be used"
touch "$root/not-a-directory"
if "${clean_env[@]}" "XDG_STATE_HOME=$root/not-a-directory" "$bin" --emulator check > "$root/check.out" 2> "$root/check.err"; then
    fail "check succeeded with an unusable state directory: $(cat "$root/check.out")"
fi
cat "$root/check.err"
grep -qF 'configuration `privacy.noise.budget_file (MATOMO_PRIVACY_MCP_NOISE_BUDGET_FILE)`: the privacy budget file' "$root/check.err" \
    || fail "check does not name the key to change"
grep -qF 'make that directory writable by this user, or set the key to a writable path' "$root/check.err" \
    || fail "check does not say how to fix it"
if grep -qF 'configuration: ok' "$root/check.out"; then fail "check said 'configuration: ok' first"; fi
echo "  ok: check fails before 'configuration: ok', naming privacy.noise.budget_file and the fix"

echo "new user: passed"
