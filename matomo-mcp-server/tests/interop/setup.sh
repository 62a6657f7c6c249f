#!/usr/bin/env bash
# Installs the official MCP Python client and a JSON Schema validator for the
# interoperability test (tests/interop.rs runs interop_client.py with them).
set -euo pipefail
python3 -m pip install --quiet --disable-pip-version-check 'mcp>=2,<3' 'jsonschema>=4,<5'
python3 -c 'import importlib.metadata as m; print("mcp", m.version("mcp"), "jsonschema", m.version("jsonschema"))'
