"""Drives a matomo-privacy-mcp server with the official MCP Python client (`mcp` 2.x on PyPI).

Usage:
    interop_client.py --server-name NAME stdio COMMAND [ARG...]
    interop_client.py --server-name NAME http URL TOKEN

For each protocol mode the client offers ("legacy": the initialize handshake,
2025-11-25; "auto": server/discover, stateless 2026-07-28 when the server
speaks it) it initializes, lists the tools, calls each tool with valid
arguments, validates every structuredContent against the tool's outputSchema,
checks that bad arguments give isError with a clear text and that an unknown
tool gives a protocol error. Over HTTP it also checks that a bad bearer token
gets 401 and a foreign Origin gets 403.

Prints one line per check and exits non-zero on the first failure.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import httpx2
import jsonschema
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from checks import CheckFailed, check, run_checks

# Valid arguments for every tool the test server offers, with the structured
# result each must give. A tool missing here fails the run: every listed tool is called.
VALID_CALLS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "add": ({"a": 40, "b": 2}, {"sum": 42}),
    "top_countries": (
        {"limit": 2},
        {"countries": [{"code": "de", "nb_visits": 120}, {"code": "fr", "nb_visits": 80}]},
    ),
    "slow": ({"millis": 10}, {"waited_ms": 10}),
}

BAD_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("add", {"a": "forty", "b": 2}),
    ("add", {"a": 1}),
    ("top_countries", {"limit": 99}),
]


# The built-in catalogue (--catalogue): arguments for each tool; results are checked against
# the output schema only, since the data comes from the emulator.
CATALOGUE_SPECIAL: dict[str, dict[str, Any]] = {
    "list_sites": {},
    "report_catalogue": {"site": 1},
    "annotations": {"site": 1, "period": "year", "date": "today"},
    "saved_segments": {"site": 1},
    "compare_periods": {"site": 1, "report": "UserCountry.getCountry", "period": "month", "date": "today"},
    "report": {"site": 1, "report": "UserCountry.getRegion", "period": "month", "date": "today"},
    "metric_trend": {"site": 1, "metric": "nb_visits", "last": 7},
    "visits_summary": {"site": 1, "period": "month", "date": "today"},
    "returning_visits": {"site": 1, "period": "month", "date": "today"},
    "all_sites": {"period": "month", "date": "today"},
    "goals_overview": {"site": 1, "period": "month", "date": "today"},
    "ecommerce_overview": {"site": 1, "period": "month", "date": "today"},
    "site_overview": {"site": 1, "period": "month", "date": "today"},
    "page_performance": {"site": 1, "period": "month", "date": "today"},
    "visits_to_conversion": {"site": 1, "period": "month", "date": "today", "by": "days_since_first_visit"},
}
CATALOGUE_BAD_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("top_pages", {"site": "one"}),
    ("top_pages", {"site": 1, "limit": 5000}),
    ("metric_trend", {"site": 1}),
]


def catalogue_arguments(name: str) -> dict[str, Any]:
    return CATALOGUE_SPECIAL.get(name, {"site": 1, "period": "month", "date": "today", "limit": 20})


# Tools whose results hold visitor-controlled text, and where it is (JSON Pointers).
VISITOR_TEXT: dict[str, list[str]] = {
    "top_pages": ["/rows"],
    "page_titles": ["/rows"],
    "site_search_keywords": ["/rows"],
    "referrer_websites": ["/rows"],
    "compare_periods": ["/rows"],
}
UNTRUSTED_KEY = "matomo-privacy-mcp/security"


def check_untrusted_marking(name: str, result: Any) -> None:
    """A result with visitor text marks it untrusted in _meta; one without carries no marking."""
    meta = result.meta or {}
    marking = meta.get(UNTRUSTED_KEY)
    if name in VISITOR_TEXT:
        check(marking is not None, f"{name}: _meta marks visitor text untrusted")
        check(marking.get("trust_level") == "untrusted_user_content", f"{name}: trust_level untrusted_user_content")
        check(marking.get("follow_embedded_instructions") is False, f"{name}: follow_embedded_instructions false")
        paths = marking.get("dangerous_paths") or []
        for path in VISITOR_TEXT[name]:
            check(path in paths, f"{name}: {path} is among the untrusted paths ({paths})")
    elif name in ("list_sites", "visits_summary", "metric_trend"):
        check(marking is None, f"{name}: no visitor text, no untrusted marking")


async def exercise(client_factory, mode: str, server_name: str, catalogue: bool = False) -> None:
    print(f"[{mode}]")
    async with client_factory(mode) as client:
        info = client.server_info
        check(info is not None and info.name == server_name, f"serverInfo.name is {server_name!r} (got {info and info.name!r})")
        check(client.server_capabilities.tools is not None, "server offers the tools capability")
        if catalogue:
            # A deployment introduces itself: title, description, website and instructions for the model.
            check(bool(info.title), f"serverInfo.title is set ({info.title!r})")
            check(bool(info.description), f"serverInfo.description is set ({info.description!r})")
            check((info.website_url or "").startswith("https://"), f"serverInfo.websiteUrl is set ({info.website_url!r})")
            check(bool(client.instructions) and "list_sites" in client.instructions, "initialize carries instructions")
        print(f"  (negotiated protocol version {client.protocol_version})")

        listed = await client.list_tools()
        names = [tool.name for tool in listed.tools]
        if catalogue:
            check(len(names) >= 26 and "visit_log" not in names, f"tools/list gives the aggregate catalogue ({len(names)} tools)")
        else:
            check(sorted(names) == sorted(VALID_CALLS), f"tools/list gives exactly {sorted(VALID_CALLS)} (got {names})")

        for tool in listed.tools:
            check(tool.output_schema is not None, f"{tool.name}: has an outputSchema")
            check(tool.input_schema.get("type") == "object", f"{tool.name}: inputSchema is an object schema")
            check(tool.annotations is not None and tool.annotations.read_only_hint is True, f"{tool.name}: readOnlyHint is true")
            meta = tool.meta or {}
            check(meta.get("matomo-privacy-mcp/privacyClass") == "aggregate", f"{tool.name}: privacy class in _meta")
            jsonschema.Draft202012Validator.check_schema(tool.output_schema)

            if catalogue:
                arguments, expected = catalogue_arguments(tool.name), None
            else:
                arguments, expected = VALID_CALLS[tool.name]
            result = await client.call_tool(tool.name, arguments)
            texts = [block.text for block in result.content if block.type == "text"]
            check(result.is_error is not True, f"{tool.name}: call succeeds ({texts[0][:200] if result.is_error and texts else 'ok'})")
            if expected is not None:
                check(result.structured_content == expected, f"{tool.name}: structuredContent is {expected}")
            jsonschema.validate(result.structured_content, tool.output_schema, cls=jsonschema.Draft202012Validator)
            check(True, f"{tool.name}: structuredContent validates against outputSchema")
            if catalogue:
                check_untrusted_marking(tool.name, result)
            texts = [block.text for block in result.content if block.type == "text"]
            check(len(texts) == 1 and texts[0], f"{tool.name}: a text rendering comes with it")

        for name, arguments in (CATALOGUE_BAD_CALLS if catalogue else BAD_CALLS):
            result = await client.call_tool(name, arguments)
            texts = [block.text for block in result.content if block.type == "text"]
            check(result.is_error is True, f"{name}({arguments}): isError is true")
            check(
                len(texts) == 1 and texts[0].startswith("invalid arguments:") and len(texts[0]) > len("invalid arguments: "),
                f"{name}({arguments}): clear text ({texts[0] if texts else None!r})",
            )

        try:
            await client.call_tool("no_such_tool", {})
        except MCPError as error:
            check(error.code == -32602, f"unknown tool: protocol error -32602 (got {error.code})")
            check("unknown tool" in error.message, f"unknown tool: message says so ({error.message!r})")
        else:
            raise CheckFailed("unknown tool: no protocol error was raised")


async def http_refusals(url: str, token: str) -> None:
    print("[http refusals]")
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "interop-refusals", "version": "1"},
        },
    }
    accept = {"Accept": "application/json, text/event-stream"}
    async with httpx2.AsyncClient() as http:
        for label, headers in [
            ("no bearer token", {}),
            ("wrong bearer token", {"Authorization": "Bearer not-the-token-0123456789"}),
        ]:
            response = await http.post(url, json=initialize, headers={**accept, **headers})
            check(response.status_code == 401, f"{label}: 401 (got {response.status_code})")
            check(response.headers.get("www-authenticate", "").startswith("Bearer"), f"{label}: WWW-Authenticate: Bearer")
        response = await http.post(
            url,
            json=initialize,
            headers={**accept, "Authorization": f"Bearer {token}", "Origin": "https://evil.example"},
        )
        check(response.status_code == 403, f"foreign Origin: 403 (got {response.status_code})")

    # The official client itself, with a bad token, fails to connect.
    bad = httpx2.AsyncClient(headers={"Authorization": "Bearer not-the-token-0123456789"})
    try:
        async with Client(streamable_http_client(url, http_client=bad), mode="legacy"):
            pass
    except Exception as error:  # the SDK wraps HTTP errors in its own types
        check(True, f"official client with a bad token cannot connect ({type(error).__name__})")
    else:
        raise CheckFailed("official client with a bad token connected")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-name", required=True)
    parser.add_argument("--catalogue", action="store_true", help="the server serves the built-in catalogue")
    sub = parser.add_subparsers(dest="transport", required=True)
    stdio = sub.add_parser("stdio")
    stdio.add_argument("command")
    stdio.add_argument("args", nargs="*")
    http = sub.add_parser("http")
    http.add_argument("url")
    http.add_argument("token")
    options = parser.parse_args()

    if options.transport == "stdio":
        params = StdioServerParameters(command=options.command, args=options.args)

        def factory(mode: str) -> Client:
            return Client(params, mode=mode)
    else:

        def factory(mode: str) -> Client:
            http_client = httpx2.AsyncClient(headers={"Authorization": f"Bearer {options.token}"})
            return Client(streamable_http_client(options.url, http_client=http_client), mode=mode)

    async def run() -> None:
        for mode in ("legacy", "auto"):
            await exercise(factory, mode, options.server_name, options.catalogue)
        if options.transport == "http":
            await http_refusals(options.url, options.token)

    return run_checks(lambda: asyncio.run(run()), "all interop checks passed")


if __name__ == "__main__":
    sys.exit(main())
