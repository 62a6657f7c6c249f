#!/usr/bin/env bash
# Installs the official MCP Python client and a JSON Schema validator for the interoperability
# test (tests/interop.rs runs interop_client.py with them), and the official TypeScript SDK with
# Ajv for the same test (which also runs tests/interop-ts/client.mjs), and the OAuth
# authorization server for tests/oauth_tokens.rs (oauth2-mock-server, run by tests/oauth-as/server.mjs).
set -euo pipefail
python3 -m pip install --quiet --disable-pip-version-check 'mcp>=2,<3' 'jsonschema>=4,<5'
python3 -c 'import importlib.metadata as m; print("mcp", m.version("mcp"), "jsonschema", m.version("jsonschema"))'
# The official TypeScript SDK and Ajv for tests/interop.rs, at the versions package-lock.json pins.
if ! command -v npm > /dev/null 2>&1; then
    apt-get update > /dev/null && apt-get install -y nodejs npm > /dev/null
fi
ts_client="$(cd "$(dirname "$0")/../interop-ts" && pwd)"
npm ci --prefix "$ts_client" --no-audit --no-fund --loglevel=error
(cd "$ts_client/node_modules/@modelcontextprotocol/sdk" && node -p '"@modelcontextprotocol/sdk " + require("./package.json").version')
# The authorization server for tests/oauth_tokens.rs, at the version its package-lock.json pins.
oauth_as="$(cd "$(dirname "$0")/../oauth-as" && pwd)"
npm ci --prefix "$oauth_as" --no-audit --no-fund --loglevel=error
(cd "$oauth_as/node_modules/oauth2-mock-server" && node -p '"oauth2-mock-server " + require("./package.json").version')
