// The real @medusajs/medusa-js client retries a write whose answer was lost, and the server
// answers the retry from its Idempotency-Key instead of reserving twice.
//
// A proxy in front of the server (127.0.0.1, a free port) passes every request on, and drops
// the first answer to `POST /admin/reservations`: the server has reserved, the client sees the
// connection close without an answer. The client (maxRetries: 2) sends a key with every POST
// and retries with the same key.
//
// Env: BASE_URL, API_TOKEN, ITEM_ID, LOCATION_ID. Prints one JSON line: {reservation, seen},
// `seen` listing each request the proxy passed on (method, path, key, status, replayed,
// dropped).
import http from "node:http";

import Medusa from "@medusajs/medusa-js";

const { BASE_URL, API_TOKEN, ITEM_ID, LOCATION_ID } = process.env;
const upstream = new URL(BASE_URL);
const seen = [];

function pass(request, body, answer) {
  const onward = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: request.method,
      path: request.url,
      headers: { ...request.headers, host: upstream.host },
    },
    (response) => {
      const parts = [];
      response.on("data", (part) => parts.push(part));
      response.on("end", () => {
        const entry = {
          method: request.method,
          path: request.url,
          key: request.headers["idempotency-key"] ?? null,
          status: response.statusCode,
          replayed: response.headers["idempotent-replayed"] ?? null,
          dropped: false,
        };
        seen.push(entry);
        const creates = seen.filter((e) => e.method === "POST" && e.path === "/admin/reservations");
        if (creates.length === 1 && creates[0] === entry) {
          entry.dropped = true; // the server did the work; its answer never arrives
          request.socket.destroy();
          return;
        }
        answer.writeHead(response.statusCode, response.headers);
        answer.end(Buffer.concat(parts));
      });
    },
  );
  onward.on("error", (error) => {
    answer.writeHead(502);
    answer.end(String(error));
  });
  onward.end(body);
}

const proxy = http.createServer((request, answer) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => pass(request, Buffer.concat(chunks), answer));
});
await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));

try {
  const medusa = new Medusa({
    baseUrl: `http://127.0.0.1:${proxy.address().port}`,
    maxRetries: 2,
    apiKey: API_TOKEN,
  });
  const { reservation } = await medusa.admin.reservations.create({
    inventory_item_id: ITEM_ID,
    location_id: LOCATION_ID,
    quantity: 2,
  });
  console.log(JSON.stringify({ reservation, seen }));
} finally {
  proxy.close();
  proxy.closeAllConnections();
}
