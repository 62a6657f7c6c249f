// The official TypeScript MCP SDK against the built-in catalogue: initialize, list, call every
// tool, and validate every structuredContent against its outputSchema with Ajv in strict
// JSON Schema 2020-12 mode. Any schema warning (the SDK and Ajv print "unknown format" and the
// like) is a failure. Run by tests/interop.rs:
//   node client.mjs stdio <server binary>
//   node client.mjs http <url> <bearer token>
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import Ajv2020 from "ajv/dist/2020.js";

const warnings = [];
for (const level of ["warn", "error", "log", "info", "debug"]) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    const text = args.map(String).join(" ");
    if (/format|schema|strict/i.test(text)) warnings.push(`${level}: ${text}`);
    original(...args);
  };
}

let failures = 0;
function check(condition, what) {
  if (condition) {
    process.stdout.write(`  ok: ${what}\n`);
  } else {
    failures += 1;
    process.stdout.write(`  FAILED: ${what}\n`);
  }
}

const SPECIAL = {
  list_sites: {},
  report_catalogue: { site: 1 },
  annotations: { site: 1, period: "year", date: "today" },
  saved_segments: { site: 1 },
  compare_periods: { site: 1, report: "UserCountry.getCountry", period: "month", date: "today" },
  report: { site: 1, report: "UserCountry.getRegion", period: "month", date: "today" },
  metric_trend: { site: 1, metric: "nb_visits", last: 7 },
  visits_summary: { site: 1, period: "month", date: "today" },
  returning_visits: { site: 1, period: "month", date: "today" },
  all_sites: { period: "month", date: "today" },
  goals_overview: { site: 1, period: "month", date: "today" },
  ecommerce_overview: { site: 1, period: "month", date: "today" },
  site_overview: { site: 1, period: "month", date: "today" },
  page_performance: { site: 1, period: "month", date: "today" },
  visits_to_conversion: { site: 1, period: "month", date: "today", by: "days_since_first_visit" },
};
const argumentsFor = (name) =>
  SPECIAL[name] ?? { site: 1, period: "month", date: "today", limit: 20 };

const [mode, target, token] = process.argv.slice(2);
const transport =
  mode === "stdio"
    ? new StdioClientTransport({ command: target, args: [], stderr: "ignore" })
    : new StreamableHTTPClientTransport(new URL(target), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      });
const client = new Client({ name: "ts-interop", version: "1.0.0" });
await client.connect(transport);
check(client.getServerVersion()?.name === "matomo-privacy-mcp-catalogue", "serverInfo names the catalogue server");

const { tools } = await client.listTools();
check(tools.length >= 26, `tools/list gives the catalogue (${tools.length} tools)`);
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
for (const tool of tools) {
  let validate;
  try {
    validate = ajv.compile(tool.outputSchema);
    check(true, `${tool.name}: outputSchema compiles in strict mode`);
  } catch (error) {
    check(false, `${tool.name}: outputSchema compiles in strict mode (${error.message})`);
    continue;
  }
  try {
    ajv.compile(tool.inputSchema);
    check(true, `${tool.name}: inputSchema compiles in strict mode`);
  } catch (error) {
    check(false, `${tool.name}: inputSchema compiles in strict mode (${error.message})`);
  }
  const result = await client.callTool({ name: tool.name, arguments: argumentsFor(tool.name) });
  const text = result.content?.[0]?.text ?? "";
  check(result.isError !== true, `${tool.name}: call succeeds${result.isError ? ` (${text.slice(0, 200)})` : ""}`);
  if (result.isError) continue;
  const valid = validate(result.structuredContent);
  check(valid, `${tool.name}: structuredContent validates${valid ? "" : ` (${ajv.errorsText(validate.errors)})`}`);
}
await client.close();

check(warnings.length === 0, `no schema warnings (${warnings.length}: ${warnings.slice(0, 3).join(" | ")})`);
if (failures > 0) {
  process.stdout.write(`${failures} ts interop checks failed\n`);
  process.exit(1);
}
process.stdout.write("all ts interop checks passed\n");
process.exit(0);
