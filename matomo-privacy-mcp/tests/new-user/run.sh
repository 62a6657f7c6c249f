#!/usr/bin/env bash
# The new user's first hour, scripted against the binary as a user installs it (issue 28):
# install into a temporary root, try it with the built-in emulator (no Matomo, no configuration
# file) with the official MCP Python client over stdio and Streamable HTTP (tools listed, five
# tools called, no client warning), the state files a first start leaves (owner-only),
# `check` with a state directory that cannot be used (fails, naming the key to change), and the
# MCP Inspector's command line as docs/clients.md gives it (stdio and HTTP; Node.js 22 from npm).
#
#   bash matomo-privacy-mcp/tests/new-user/run.sh
#
# Needs the Python client (`bash matomo-privacy-mcp-server/tests/interop/setup.sh`; client.py imports
# its checks from that directory, put on PYTHONPATH below); without it,
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
PYTHONPATH=matomo-privacy-mcp-server/tests/interop python3 matomo-privacy-mcp/tests/new-user/client.py "$bin" "$home"

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

echo "== the MCP Inspector's command line, as docs/clients.md shows it (Node.js 22 from npm, no root)"
inspector="$root/inspector"
if command -v npm > /dev/null 2>&1 \
    && npm install --prefix "$inspector" --no-audit --no-fund --loglevel=error \
        node@22 @modelcontextprotocol/inspector@2.12.0 > "$root/inspector-install.log" 2>&1; then
    insp=(env "PATH=$inspector/node_modules/.bin:$PATH" mcp-inspector --cli)
    node_version=$(env "PATH=$inspector/node_modules/.bin:$PATH" node --version)
    echo "  Node.js $node_version, MCP Inspector 2.12.0"
    listed=$("${insp[@]}" -e MATOMO_PRIVACY_MCP_EMULATOR=true -e "XDG_STATE_HOME=$root/inspector-state" \
        --method tools/list -- "$bin" serve 2> "$root/inspector.err") || fail "inspector tools/list: $(tail -3 "$root/inspector.err")"
    count=$(printf '%s' "$listed" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["tools"]))')
    [ "$count" -ge 26 ] || fail "inspector tools/list gave $count tools"
    echo "  ok: stdio tools/list gives $count tools"
    called=$("${insp[@]}" -e MATOMO_PRIVACY_MCP_EMULATOR=true -e "XDG_STATE_HOME=$root/inspector-state" \
        --method tools/call --tool-name visits_summary \
        --tool-arg site=1 --tool-arg period=week --tool-arg date=yesterday -- "$bin" serve 2> "$root/inspector.err") \
        || fail "inspector tools/call: $(tail -3 "$root/inspector.err")"
    printf '%s' "$called" | python3 -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if r.get("isError") is not True and "nb_visits" in r["content"][0]["text"] else 1)' \
        || fail "inspector tools/call visits_summary failed: $called"
    echo "  ok: stdio tools/call visits_summary answers"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    token=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
    "${clean_env[@]}" "MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS=$token" "MATOMO_PRIVACY_MCP_HTTP_BIND=127.0.0.1:$port" \
        "$bin" serve --emulator --http > /dev/null 2> "$root/http.err" &
    server=$!
    for _ in $(seq 1 120); do grep -q 'serving MCP at' "$root/http.err" && break; sleep 0.5; done
    listed=$("${insp[@]}" "http://127.0.0.1:$port/mcp" --transport http --header "Authorization: Bearer $token" \
        --method tools/list 2> "$root/inspector.err") || { kill "$server"; fail "inspector over HTTP: $(tail -3 "$root/inspector.err")"; }
    kill "$server"
    count=$(printf '%s' "$listed" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["tools"]))')
    [ "$count" -ge 26 ] || fail "inspector tools/list over HTTP gave $count tools"
    echo "  ok: Streamable HTTP tools/list gives $count tools"
elif [ -n "${CI:-}" ]; then
    fail "the MCP Inspector could not be installed with npm: $(tail -3 "$root/inspector-install.log" 2> /dev/null)"
else
    echo "SKIPPED the MCP Inspector's command line: needs npm and network access to install node@22 and @modelcontextprotocol/inspector"
fi

echo "new user: passed"
