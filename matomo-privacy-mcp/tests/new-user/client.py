"""The new user's first hour, with the official MCP Python client (`mcp` 2.x on PyPI) against the
installed binary serving its built-in emulator: over stdio, then over Streamable HTTP.

Usage: client.py BINARY STATE_HOME

For each transport it lists the tools, calls five of them as a newcomer would (one with whole
numbers sent as strings, as the MCP Inspector's CLI sends them), and fails if a call fails or
if the client logs any warning (such as "Session termination failed: 202"). Prints one line per
check and exits non-zero on the first failure.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import subprocess
import sys
from typing import Any

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

# The shared checks, on PYTHONPATH from run.sh.
from checks import check, run_checks

# What a newcomer asks first. `top_pages` gets its site and limit as decimal strings.
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("list_sites", {}),
    ("visits_summary", {"site": 1, "period": "range", "date": "previous7"}),
    ("top_pages", {"site": "1", "period": "range", "date": "previous7", "limit": "5"}),
    ("countries", {"site": 1, "period": "range", "date": "previous7"}),
    ("metric_trend", {"site": 1, "metric": "nb_visits", "last": 7}),
]

# The tools/list size a client downloads (and some put in the model's context); None leaves it
# unchecked. Set by the size reduction of issue 28 item 4.
MAX_TOOLS_LIST_BYTES: int | None = 60 * 1024


class Warnings(logging.Handler):
    """Every warning or error any logger of the client writes."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


async def first_hour(client: Client, label: str, repeated: bool = False) -> None:
    """Lists and calls the tools; `repeated`: the same questions were answered before, by an
    earlier start of the server, and must cost nothing (the noise key and the budget persist)."""
    icons = client.server_info.icons or []
    check(len(icons) == 1 and icons[0].src.startswith("data:image/svg+xml;base64,"), f"{label}: initialize carries the server's SVG icon")
    listed = await client.list_tools()
    names = [tool.name for tool in listed.tools]
    check(len(names) >= 26 and "visit_log" not in names, f"{label}: tools/list gives the aggregate catalogue ({len(names)} tools)")
    if MAX_TOOLS_LIST_BYTES is not None:
        size = len(listed.model_dump_json(by_alias=True, exclude_none=True))
        check(size < MAX_TOOLS_LIST_BYTES, f"{label}: tools/list is {size} bytes, under {MAX_TOOLS_LIST_BYTES}")
    for name, arguments in CALLS:
        check(name in names, f"{label}: {name} is listed")
        result = await client.call_tool(name, arguments)
        texts = [block.text for block in result.content if block.type == "text"]
        first = texts[0] if texts else ""
        check(result.is_error is not True, f"{label}: {name}({arguments}) succeeds ({first[:120]!r})")
        check(bool(first), f"{label}: {name} answers with text")
    summary = (await client.call_tool("visits_summary", CALLS[1][1])).structured_content or {}
    check("nb_visits" in (summary.get("metrics") or {}), f"{label}: the last seven days have visits (the emulator's data ends at today's date)")
    if repeated:
        charged = (summary.get("noise") or {}).get("epsilon_charged")
        check(charged == 0, f"{label}: a question answered before a restart costs nothing again (ε charged: {charged})")


async def over_stdio(binary: str, env: dict[str, str]) -> None:
    print("[stdio]")
    params = StdioServerParameters(command=binary, args=["serve", "--emulator"], env=env)
    async with Client(params, mode="legacy") as client:
        await first_hour(client, "stdio")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def over_http(binary: str, env: dict[str, str]) -> None:
    print("[http]")
    port = free_port()
    server = subprocess.Popen(
        [binary, "serve", "--emulator", "--http"],
        env={**env, "MATOMO_PRIVACY_MCP_HTTP_BIND": f"127.0.0.1:{port}"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        token, url = None, None
        assert server.stderr is not None
        for line in server.stderr:
            print(f"  server: {line.rstrip()}")
            found = re.search(r"Authorization: Bearer ([0-9a-f]{64})", line)
            if found:
                token = found.group(1)
            served = re.search(r"serving MCP at (\S+)", line)
            if served:
                url = served.group(1)
                break
        check(token is not None, "http: a bearer token is drawn and printed when none is configured")
        check(url == f"http://127.0.0.1:{port}/mcp", f"http: served at the configured address ({url})")
        # The session ends with a DELETE when the client closes: the client must not warn about it.
        for mode in ("legacy", "auto"):
            http_client = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"})
            async with Client(streamable_http_client(url, http_client=http_client), mode=mode) as client:
                await first_hour(client, f"http ({mode})", repeated=True)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    binary, state_home = sys.argv[1], sys.argv[2]
    warnings = Warnings()
    logging.getLogger().addHandler(warnings)
    # A new user's environment: no configuration, state in a home of its own.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": state_home}

    def checks() -> None:
        asyncio.run(over_stdio(binary, env))
        asyncio.run(over_http(binary, env))
        check(not warnings.records, f"the client logged no warning ({warnings.records})")

    return run_checks(checks, "the new user's first hour passed")


if __name__ == "__main__":
    sys.exit(main())
