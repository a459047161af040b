// Closed-loop HTTP load generator: N clients, each sends its next request when the last answers.
//
// Usage: node bench/loadgen.mjs '<json spec>'
//   spec = {url, method, headers, body, clients, duration_s, max_requests, timeout_ms,
//           unique_key}
// With `unique_key`, every request carries its own `Idempotency-Key` (as a retrying client's).
// Prints one JSON line: requests, ok, errors, statuses, elapsed_s, rps, p50_ms, p90_ms,
// p99_ms, max_ms. A request that does not answer within timeout_ms counts as an error
// ("timeout"), so a server that hangs shows up as errors instead of stalling the run.
// No npm dependencies: node:http with a keep-alive agent (one socket per client).

import http from "node:http";

const spec = JSON.parse(process.argv[2]);
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

const latencies = []; // ms, answered requests only
const statuses = {};
let issued = 0;
let ok = 0;
let errors = 0;

function once(path, n) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    let settled = false;
    const finish = (status) => {
      if (settled) return;
      settled = true;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (typeof status === "number") latencies.push(ms);
      if (typeof status === "number" && status >= 200 && status < 300) ok += 1;
      else errors += 1;
      resolve();
    };
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: path ?? url.pathname + url.search,
        method: spec.method ?? "GET",
        headers: keyPrefix ? { ...headers, "idempotency-key": `${keyPrefix}-${n}` } : headers,
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
const elapsed = (Date.now() - start) / 1000;
agent.destroy();

latencies.sort((a, b) => a - b);
const pct = (p) =>
  latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : null;
const round = (x) => (x === null ? null : Math.round(x * 100) / 100);
console.log(
  JSON.stringify({
    requests: issued,
    ok,
    errors,
    statuses,
    elapsed_s: round(elapsed),
    rps: round(issued / elapsed),
    p50_ms: round(pct(50)),
    p90_ms: round(pct(90)),
    p99_ms: round(pct(99)),
    max_ms: round(latencies.length ? latencies[latencies.length - 1] : null),
  }),
);
