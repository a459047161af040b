// Drives the real @medusajs/medusa-js client against a running stockroom server.
//
// Env: BASE_URL (e.g. http://127.0.0.1:8000), EMAIL, PASSWORD of an active staff user.
// Exits 0 and prints one summary line on success; exits 1 naming the failed step otherwise.
import assert from "node:assert/strict";

import Medusa from "@medusajs/medusa-js";

const { BASE_URL, EMAIL, PASSWORD } = process.env;
if (!BASE_URL || !EMAIL || !PASSWORD) {
  console.error("smoke: BASE_URL, EMAIL and PASSWORD must be set");
  process.exit(2);
}

const ID = /^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// SKUs are unique: tag them per run so the script can run twice against one database.
const RUN = Date.now().toString(36).toUpperCase();
let step = "start";
let steps = 0;

/** Runs one named step, so a failure says where it happened. */
async function check(name, fn) {
  step = name;
  const result = await fn();
  steps += 1;
  return result;
}

/** Drops the axios `response` the client adds to every resolved body. */
function body(result) {
  const { response, ...rest } = result;
  assert.equal(response.status, 200, "status");
  return rest;
}

/** Runs a call expected to fail; returns the HTTP status and JSON body. */
async function failure(promise) {
  try {
    await promise;
  } catch (error) {
    if (!error.response) throw error;
    return { status: error.response.status, data: error.response.data };
  }
  assert.fail("the call succeeded; it should have failed");
}

async function main() {
  const anonymous = new Medusa({ baseUrl: BASE_URL, maxRetries: 0 });
  const { access_token: token } = await check("admin.auth.getToken", async () => {
    const result = body(await anonymous.admin.auth.getToken({ email: EMAIL, password: PASSWORD }));
    assert.deepEqual(Object.keys(result), ["access_token"]);
    assert.equal(result.access_token.split(".").length, 3, "a JWT");
    return result;
  });

  // In Node the client does not keep the token (its store needs `window`): send it ourselves.
  const medusa = new Medusa({
    baseUrl: BASE_URL,
    maxRetries: 0,
    customHeaders: { Authorization: `Bearer ${token}` },
  });

  const user = await check("admin.auth.getSession (bearer, no cookie)", async () => {
    const { user } = body(await medusa.admin.auth.getSession());
    assert.equal(user.email, EMAIL.toLowerCase());
    assert.match(user.id, /^usr_/);
    assert.equal(typeof user.api_token, "string", "the test user has an api_token");
    return user;
  });

  await check("apiKey option (x-medusa-access-token)", async () => {
    const keyed = new Medusa({ baseUrl: BASE_URL, maxRetries: 0, apiKey: user.api_token });
    const { user: same } = body(await keyed.admin.auth.getSession());
    assert.equal(same.id, user.id);
    const wrong = new Medusa({ baseUrl: BASE_URL, maxRetries: 0, apiKey: "not-a-token" });
    const { status, data } = await failure(wrong.admin.stockLocations.list());
    assert.equal(status, 401);
    assert.equal(data.type, "unauthorized");
  });

  await check("no credentials give 401 JSON", async () => {
    const { status, data } = await failure(anonymous.admin.auth.getSession());
    assert.equal(status, 401);
    assert.equal(data.type, "unauthorized");
  });

  const location = await check("admin.stockLocations.create", async () => {
    const { stock_location } = body(
      await medusa.admin.stockLocations.create({
        name: "JS warehouse",
        address: { address_1: "1 Dock Road", country_code: "DK", city: "Aarhus" },
        metadata: { source: "medusa-js" },
      }),
    );
    assert.match(stock_location.id, /^sloc_/);
    assert.match(stock_location.id, ID);
    assert.equal(stock_location.name, "JS warehouse");
    assert.match(stock_location.address_id, /^laddr_/);
    assert.deepEqual(stock_location.metadata, { source: "medusa-js" });
    assert.match(stock_location.created_at, TIMESTAMP);
    return stock_location;
  });

  await check("admin.stockLocations.list", async () => {
    const result = body(
      await medusa.admin.stockLocations.list({ id: [location.id], expand: "address" }),
    );
    assert.equal(result.count, 1);
    assert.equal(result.offset, 0);
    assert.equal(result.limit, 20);
    assert.equal(result.stock_locations[0].id, location.id);
    assert.equal(result.stock_locations[0].address.address_1, "1 Dock Road");
    assert.equal(result.stock_locations[0].address.city, "Aarhus");
  });

  await check("admin.salesChannels.create + addLocation", async () => {
    const { sales_channel: channel } = body(
      await medusa.admin.salesChannels.create({ name: "JS channel", description: "smoke" }),
    );
    assert.match(channel.id, /^sc_/);
    const { sales_channel } = body(
      await medusa.admin.salesChannels.addLocation(channel.id, { location_id: location.id }),
    );
    assert.equal(sales_channel.id, channel.id);
    const linked = body(
      await medusa.admin.stockLocations.list({ sales_channel_id: [channel.id] }),
    );
    assert.deepEqual(
      linked.stock_locations.map((l) => l.id),
      [location.id],
    );
  });

  await check("admin.products.create (POST /admin/products/)", async () => {
    const { product } = body(
      await medusa.admin.products.create({
        title: "JS shirt",
        options: [{ title: "Size" }],
        variants: [
          {
            title: "M",
            sku: `JS-SHIRT-M-${RUN}`,
            prices: [{ currency_code: "usd", amount: 1500 }],
            options: [{ value: "M" }],
          },
        ],
      }),
    );
    assert.match(product.id, /^prod_/);
    assert.equal(product.title, "JS shirt");
    assert.equal(product.variants.length, 1);
    assert.equal(product.variants[0].sku, `JS-SHIRT-M-${RUN}`);
  });

  const item = await check("admin.inventoryItems.create", async () => {
    const { inventory_item } = body(
      await medusa.admin.inventoryItems.create({
        sku: `JS-ITEM-${RUN}`,
        title: "JS item",
        description: "made by medusa-js",
        metadata: { colour: "blue" },
      }),
    );
    assert.match(inventory_item.id, /^iitem_/);
    assert.equal(inventory_item.sku, `JS-ITEM-${RUN}`);
    assert.equal(inventory_item.title, "JS item");
    assert.equal(inventory_item.description, "made by medusa-js");
    assert.deepEqual(inventory_item.metadata, { colour: "blue" });
    return inventory_item;
  });

  await check("admin.inventoryItems.createLocationLevel", async () => {
    const { inventory_item } = body(
      await medusa.admin.inventoryItems.createLocationLevel(item.id, {
        location_id: location.id,
        stocked_quantity: 10,
      }),
    );
    assert.equal(inventory_item.id, item.id);
    assert.equal(inventory_item.location_levels.length, 1);
    const level = inventory_item.location_levels[0];
    assert.match(level.id, /^ilev_/);
    assert.equal(level.location_id, location.id);
    assert.equal(level.stocked_quantity, 10);
    assert.equal(level.reserved_quantity, 0);
  });

  const reservation = await check("admin.reservations.create", async () => {
    const { reservation } = body(
      await medusa.admin.reservations.create({
        location_id: location.id,
        inventory_item_id: item.id,
        quantity: 3,
        description: "held for a customer",
        metadata: { ticket: 42 },
      }),
    );
    assert.match(reservation.id, /^resitem_/);
    assert.equal(reservation.location_id, location.id);
    assert.equal(reservation.inventory_item_id, item.id);
    assert.equal(reservation.quantity, 3);
    assert.equal(reservation.line_item_id, null);
    assert.equal(reservation.created_by, user.id);
    assert.deepEqual(reservation.metadata, { ticket: 42 });
    return reservation;
  });

  await check("insufficient inventory gives 400 not_allowed", async () => {
    const { status, data } = await failure(
      medusa.admin.reservations.create({
        location_id: location.id,
        inventory_item_id: item.id,
        quantity: 8,
      }),
    );
    assert.equal(status, 400);
    assert.deepEqual(Object.keys(data).sort(), ["code", "message", "type"]);
    assert.equal(data.type, "not_allowed");
    assert.equal(data.code, "insufficient_inventory");
    assert.match(data.message, /requested 8, available 7/);
  });

  await check("admin.reservations.list with qs-encoded filters", async () => {
    const result = body(
      await medusa.admin.reservations.list({
        location_id: [location.id],
        inventory_item_id: [item.id],
        quantity: { gt: 0 },
        expand: "inventory_item",
      }),
    );
    assert.equal(result.count, 1);
    assert.equal(result.offset, 0);
    assert.equal(result.limit, 20);
    assert.equal(result.reservations[0].id, reservation.id);
    assert.equal(result.reservations[0].inventory_item.id, item.id);
    assert.equal(result.reservations[0].inventory_item.sku, `JS-ITEM-${RUN}`);

    const none = body(
      await medusa.admin.reservations.list({ location_id: [location.id], quantity: { gt: 3 } }),
    );
    assert.equal(none.count, 0);
    assert.deepEqual(none.reservations, []);
  });

  await check("admin.reservations.update", async () => {
    const result = body(
      await medusa.admin.reservations.update(reservation.id, {
        quantity: 5,
        description: "customer wants two more",
      }),
    );
    assert.deepEqual(Object.keys(result), ["reservation"]);
    assert.equal(result.reservation.id, reservation.id);
    assert.equal(result.reservation.quantity, 5);
    assert.equal(result.reservation.description, "customer wants two more");
  });

  await check("admin.reservations.retrieve", async () => {
    const { reservation: fetched } = body(await medusa.admin.reservations.retrieve(reservation.id));
    assert.equal(fetched.quantity, 5);
    assert.equal(fetched.description, "customer wants two more");
    assert.deepEqual(fetched.metadata, { ticket: 42 });
  });

  await check("reserved quantity follows the reservation", async () => {
    const { inventory_item } = body(await medusa.admin.inventoryItems.retrieve(item.id));
    assert.equal(inventory_item.location_levels[0].reserved_quantity, 5);
    assert.equal(inventory_item.location_levels[0].available_quantity, 5);
  });

  await check("admin.reservations.delete", async () => {
    assert.deepEqual(body(await medusa.admin.reservations.delete(reservation.id)), {
      id: reservation.id,
      object: "reservation",
      deleted: true,
    });
    const { status, data } = await failure(medusa.admin.reservations.retrieve(reservation.id));
    assert.equal(status, 404);
    assert.equal(data.type, "not_found");
  });

  await check("reserved quantity back to 0", async () => {
    const { inventory_item } = body(await medusa.admin.inventoryItems.retrieve(item.id));
    assert.equal(inventory_item.location_levels.length, 1);
    assert.equal(inventory_item.location_levels[0].stocked_quantity, 10);
    assert.equal(inventory_item.location_levels[0].reserved_quantity, 0);
    assert.equal(inventory_item.reserved_quantity, 0);
    assert.equal(inventory_item.stocked_quantity, 10);
  });
}

try {
  await main();
  console.log(`medusa-js smoke: ${steps} steps passed against ${BASE_URL}`);
} catch (error) {
  const detail = error.response
    ? `HTTP ${error.response.status} ${error.config?.method?.toUpperCase()} ${error.config?.url}: ` +
      JSON.stringify(error.response.data)
    : error.stack || String(error);
  console.error(`medusa-js smoke FAILED at step "${step}": ${detail}`);
  process.exit(1);
}
