// Closed-loop HTTP load generator: N clients, each sends its next request when the last answers.
//
// Usage: node bench/loadgen.mjs '<json spec>'   (or the spec on stdin)
//   spec = {url, method, headers, body, clients, duration_s, max_requests, timeout_ms,
//           unique_key, alternate_s}
// With `unique_key`, every request carries its own `Idempotency-Key` (as a retrying client's).
// With `alternate_s` too, only requests started in odd slices of that many seconds carry one:
// keyed and plain requests take turns on the same machine, minute and data.
// Prints one JSON line: requests, ok, errors, statuses, elapsed_s, rps, p50_ms, p90_ms,
// p99_ms, max_ms; with `alternate_s`, the same for each half under `plain` and `keyed`. A request that does not answer within timeout_ms counts as an error
// ("timeout"), so a server that hangs shows up as errors instead of stalling the run.
// No npm dependencies: node:http with a keep-alive agent (one socket per client).

import { readFileSync } from "node:fs";
import http from "node:http";

const spec = JSON.parse(process.argv[2] ?? readFileSync(0, "utf8"));
const url = new URL(spec.url);
const clients = spec.clients ?? 1;
const durationMs = (spec.duration_s ?? 5) * 1000;
const maxRequests = spec.max_requests ?? 100000;
const timeoutMs = spec.timeout_ms ?? 15000;
const body = spec.body === undefined ? null : Buffer.from(JSON.stringify(spec.body));
const headers = { ...(spec.headers ?? {}) };
if (body) {
  headers["content-type"] = "application/json";
  headers["content-length"] = body.length;
}
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
// `paths`: one request per path, in order (e.g. each draft order paid once).
const paths = spec.paths ?? null;
const limit = paths ? Math.min(maxRequests, paths.length) : maxRequests;
const keyPrefix = spec.unique_key ? `bench-${process.pid}-${Date.now()}` : null;
const sliceMs = (spec.alternate_s ?? 0) * 1000;

// One tally per kind of request: "all", or "plain" and "keyed" when they alternate.
const tallies = {};
const tally = (kind) =>
  (tallies[kind] ??= { issued: 0, ok: 0, errors: 0, statuses: {}, latencies: [] });
let issued = 0;

function kindAt(now) {
  if (!keyPrefix || !sliceMs) return "all";
  return Math.floor((now - start) / sliceMs) % 2 ? "keyed" : "plain";
}

function once(path, n) {
  const kind = kindAt(Date.now());
  const t = tally(kind);
  t.issued += 1;
  const keyed = keyPrefix && kind !== "plain";
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    let settled = false;
    const finish = (status) => {
      if (settled) return;
      settled = true;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      t.statuses[status] = (t.statuses[status] ?? 0) + 1;
      if (typeof status === "number") t.latencies.push(ms);
      if (typeof status === "number" && status >= 200 && status < 300) t.ok += 1;
      else t.errors += 1;
      resolve();
    };
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: path ?? url.pathname + url.search,
        method: spec.method ?? "GET",
        headers: keyed ? { ...headers, "idempotency-key": `${keyPrefix}-${n}` } : headers,
        agent,
      },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => finish(res.statusCode));
        res.on("error", () => finish("response_error"));
      },
    );
    req.setTimeout(timeoutMs, () => {
      finish("timeout");
      req.destroy();
    });
    req.on("error", (err) => finish(err.code ?? "request_error"));
    req.end(body);
  });
}

const start = Date.now();
const deadline = start + durationMs;

async function client() {
  while (Date.now() < deadline && issued < limit) {
    issued += 1;
    await once(paths ? paths[issued - 1] : null, issued);
  }
}

await Promise.all(Array.from({ length: clients }, client));
const elapsedMs = Date.now() - start;
agent.destroy();

const round = (x) => (x === null ? null : Math.round(x * 100) / 100);

// The milliseconds of [0, elapsedMs) in odd (keyed) slices.
function keyedMs() {
  const full = Math.floor(elapsedMs / sliceMs);
  return Math.floor(full / 2) * sliceMs + (full % 2 ? elapsedMs - full * sliceMs : 0);
}

function summary(t, ms) {
  const latencies = t.latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : null;
  return {
    requests: t.issued,
    ok: t.ok,
    errors: t.errors,
    statuses: t.statuses,
    elapsed_s: round(ms / 1000),
    rps: round(t.issued / (ms / 1000)),
    p50_ms: round(pct(50)),
    p90_ms: round(pct(90)),
    p99_ms: round(pct(99)),
    max_ms: round(latencies.length ? latencies[latencies.length - 1] : null),
  };
}

if (tallies.all || !Object.keys(tallies).length) {
  console.log(JSON.stringify(summary(tally("all"), elapsedMs)));
} else {
  const keyed = keyedMs();
  const halves = {
    plain: summary(tally("plain"), elapsedMs - keyed),
    keyed: summary(tally("keyed"), keyed),
  };
  const both = ["requests", "ok", "errors"].map((f) => halves.plain[f] + halves.keyed[f]);
  const statuses = { ...halves.plain.statuses };
  for (const [s, n] of Object.entries(halves.keyed.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  console.log(
    JSON.stringify({
      requests: both[0],
      ok: both[1],
      errors: both[2],
      statuses,
      elapsed_s: round(elapsedMs / 1000),
      rps: round(both[0] / (elapsedMs / 1000)),
      ...halves,
    }),
  );
}
