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

  await orderFlow(medusa, user);
}

/** The whole order flow: draft, pay, reservations, fulfill, ship, return, reserve, cancel. */
async function orderFlow(medusa, user) {
  const EMAIL_TO = "buyer@example.com";

  /** The order's reservations, through the route the client has no method for. */
  async function reservationsOf(orderId) {
    const result = body(await medusa.admin.custom.get(`/admin/orders/${orderId}/reservations`));
    assert.equal(result.count, result.reservations.length);
    return result.reservations;
  }

  /** (stocked, reserved, available) of the item at the location. */
  async function levelOf(itemId, locationId) {
    const { inventory_item } = body(await medusa.admin.inventoryItems.retrieve(itemId));
    const level = inventory_item.location_levels.find((l) => l.location_id === locationId);
    assert.ok(level, "a level at the location");
    return [level.stocked_quantity, level.reserved_quantity, level.available_quantity];
  }

  /** Creates a draft with the variant and pays it; answers the placed order. */
  async function placeOrder(variantId, regionId, quantity) {
    const { draft_order } = body(
      await medusa.admin.draftOrders.create({
        email: EMAIL_TO,
        region_id: regionId,
        items: [{ variant_id: variantId, quantity }],
      }),
    );
    const { order } = body(await medusa.admin.draftOrders.markPaid(draft_order.id));
    return order;
  }

  const region = await check("admin.regions.create", async () => {
    const { region } = body(
      await medusa.admin.regions.create({
        name: `JS region ${RUN}`,
        currency_code: "eur",
        tax_rate: 25,
        countries: ["dk"],
        payment_providers: ["manual"],
        fulfillment_providers: ["manual"],
      }),
    );
    assert.match(region.id, /^reg_/);
    assert.match(region.id, ID);
    assert.equal(region.currency_code, "eur");
    assert.equal(region.tax_rate, 25);
    assert.deepEqual(region.countries, ["dk"]);
    return region;
  });

  const option = await check("admin.shippingOptions.create", async () => {
    const { shipping_option } = body(
      await medusa.admin.shippingOptions.create({
        name: "JS post",
        region_id: region.id,
        provider_id: "manual",
        price_type: "flat_rate",
        amount: 500,
        data: {},
      }),
    );
    assert.match(shipping_option.id, /^so_/);
    assert.equal(shipping_option.region_id, region.id);
    assert.equal(shipping_option.amount, 500);
    return shipping_option;
  });

  const { channel, location } = await check(
    "default channel + admin.salesChannels.addLocation",
    async () => {
      const { sales_channels } = body(await medusa.admin.salesChannels.list({ limit: 1000 }));
      const channel = sales_channels.find((c) => c.is_default);
      assert.ok(channel, "the store has a default sales channel");
      const { stock_location: location } = body(
        await medusa.admin.stockLocations.create({ name: `JS order warehouse ${RUN}` }),
      );
      const { sales_channel } = body(
        await medusa.admin.salesChannels.addLocation(channel.id, { location_id: location.id }),
      );
      assert.equal(sales_channel.id, channel.id);
      const linked = body(
        await medusa.admin.stockLocations.list({
          sales_channel_id: [channel.id],
          id: [location.id],
        }),
      );
      assert.equal(linked.count, 1);
      return { channel, location };
    },
  );

  const { variant, item } = await check(
    "product with a variant; its inventory item stocked at the location",
    async () => {
      const { product } = body(
        await medusa.admin.products.create({
          title: "JS mug",
          options: [{ title: "Colour" }],
          variants: [
            {
              title: "Red",
              sku: `JS-MUG-RED-${RUN}`,
              prices: [{ currency_code: "eur", amount: 1200 }],
              options: [{ value: "Red" }],
            },
          ],
        }),
      );
      const variant = product.variants[0];
      assert.match(variant.id, /^variant_/);
      const inventory = body(await medusa.admin.variants.getInventory(variant.id));
      assert.equal(inventory.variant.inventory.length, 1);
      const item = inventory.variant.inventory[0];
      assert.equal(item.sku, `JS-MUG-RED-${RUN}`);
      const { inventory_item } = body(
        await medusa.admin.inventoryItems.createLocationLevel(item.id, {
          location_id: location.id,
          stocked_quantity: 10,
        }),
      );
      assert.equal(inventory_item.location_levels[0].stocked_quantity, 10);
      const after = body(await medusa.admin.variants.getInventory(variant.id));
      const there = after.variant.sales_channel_availability.find(
        (a) => a.channel_id === channel.id,
      );
      assert.equal(there.available_quantity, 10);
      return { variant, item };
    },
  );

  const draft = await check("admin.draftOrders.create", async () => {
    const { draft_order } = body(
      await medusa.admin.draftOrders.create({
        email: EMAIL_TO,
        region_id: region.id,
        items: [{ variant_id: variant.id, quantity: 2 }],
        shipping_methods: [{ option_id: option.id }],
      }),
    );
    assert.match(draft_order.id, /^dorder_/);
    assert.equal(draft_order.status, "open");
    assert.equal(draft_order.order_id, null);
    assert.equal(draft_order.cart.region_id, region.id);
    assert.equal(draft_order.cart.sales_channel_id, channel.id);
    assert.equal(draft_order.cart.items.length, 1);
    assert.equal(draft_order.cart.items[0].unit_price, 1200, "the variant's eur price");
    assert.equal(draft_order.cart.items[0].quantity, 2);
    assert.deepEqual(await levelOf(item.id, location.id), [10, 0, 10], "a draft reserves nothing");
    return draft_order;
  });

  await check("admin.draftOrders.addLineItem", async () => {
    body(
      await medusa.admin.draftOrders.addLineItem(draft.id, { variant_id: variant.id, quantity: 1 }),
    );
    const { draft_order } = body(
      await medusa.admin.draftOrders.addLineItem(draft.id, {
        title: "Gift wrap",
        unit_price: 300,
        quantity: 1,
      }),
    );
    const lines = draft_order.cart.items;
    assert.equal(lines.length, 2);
    const mug = lines.find((l) => l.variant_id === variant.id);
    assert.equal(mug.quantity, 3, "the same variant again merges into its line");
    const wrap = lines.find((l) => l.variant_id === null);
    assert.equal(wrap.title, "Gift wrap");
    assert.equal(draft_order.cart.subtotal, 3 * 1200 + 300);
    assert.equal(draft_order.cart.shipping_total, 500);
    assert.equal(draft_order.cart.tax_total, 1100);
    assert.equal(draft_order.cart.total, 3900 + 500 + 1100);
  });

  const order = await check("admin.draftOrders.markPaid places the order", async () => {
    const result = body(await medusa.admin.draftOrders.markPaid(draft.id));
    assert.deepEqual(Object.keys(result), ["order"]);
    const { order } = result;
    assert.match(order.id, /^order_/);
    assert.equal(order.status, "pending");
    assert.equal(order.payment_status, "captured");
    assert.equal(order.fulfillment_status, "not_fulfilled");
    assert.equal(order.draft_order_id, draft.id);
    assert.equal(order.sales_channel_id, channel.id);
    assert.equal(order.region_id, region.id);
    assert.equal(order.currency_code, "eur");
    assert.equal(order.total, 5500);
    assert.equal(order.items.length, 2);
    const wrap = order.items.find((l) => l.variant_id === null);
    assert.deepEqual([wrap.title, wrap.unit_price, wrap.quantity], ["Gift wrap", 300, 1]);
    const { draft_order } = body(await medusa.admin.draftOrders.retrieve(draft.id));
    assert.equal(draft_order.status, "completed");
    assert.equal(draft_order.order_id, order.id);
    const { status, data } = await failure(medusa.admin.draftOrders.markPaid(draft.id));
    assert.equal(status, 400);
    assert.equal(data.type, "not_allowed");
    return order;
  });
  const mugLine = order.items.find((l) => l.variant_id === variant.id);

  await check("the order's reservations (admin.custom.get)", async () => {
    const reservations = await reservationsOf(order.id);
    assert.equal(reservations.length, 1, "the custom line reserves nothing");
    const [reservation] = reservations;
    assert.match(reservation.id, /^resitem_/);
    assert.equal(reservation.line_item_id, mugLine.id);
    assert.equal(reservation.inventory_item_id, item.id);
    assert.equal(reservation.location_id, location.id);
    assert.equal(reservation.quantity, 3);
    assert.deepEqual(await levelOf(item.id, location.id), [10, 3, 7]);
  });

  await check("paying past the stock gives 400 insufficient_inventory", async () => {
    const { draft_order } = body(
      await medusa.admin.draftOrders.create({
        email: EMAIL_TO,
        region_id: region.id,
        items: [{ variant_id: variant.id, quantity: 8 }],
      }),
    );
    const { status, data } = await failure(medusa.admin.draftOrders.markPaid(draft_order.id));
    assert.equal(status, 400);
    assert.equal(data.type, "not_allowed");
    assert.equal(data.code, "insufficient_inventory");
    const again = body(await medusa.admin.draftOrders.retrieve(draft_order.id));
    assert.equal(again.draft_order.status, "open", "nothing was placed");
    assert.deepEqual(await levelOf(item.id, location.id), [10, 3, 7]);
    body(await medusa.admin.draftOrders.delete(draft_order.id));
  });

  const fulfilled = await check("admin.orders.createFulfillment from the location", async () => {
    const { order: after } = body(
      await medusa.admin.orders.createFulfillment(order.id, {
        items: [{ item_id: mugLine.id, quantity: 2 }],
        location_id: location.id,
      }),
    );
    assert.equal(after.fulfillment_status, "partially_fulfilled");
    assert.equal(after.fulfillments.length, 1);
    const fulfillment = after.fulfillments[0];
    assert.match(fulfillment.id, /^ful_/);
    assert.equal(fulfillment.location_id, location.id);
    assert.deepEqual(
      fulfillment.items.map((i) => [i.item_id, i.quantity]),
      [[mugLine.id, 2]],
    );
    assert.equal(after.items.find((l) => l.id === mugLine.id).fulfilled_quantity, 2);
    assert.deepEqual(await levelOf(item.id, location.id), [8, 1, 7], "stock dropped by 2");
    const reservations = await reservationsOf(order.id);
    assert.deepEqual(
      reservations.map((r) => [r.line_item_id, r.location_id, r.quantity]),
      [[mugLine.id, location.id, 1]],
      "2 of the 3 reserved units consumed",
    );
    return fulfillment;
  });

  await check("fulfilling more than was bought gives 400", async () => {
    const { status, data } = await failure(
      medusa.admin.orders.createFulfillment(order.id, {
        items: [{ item_id: mugLine.id, quantity: 2 }],
        location_id: location.id,
      }),
    );
    assert.equal(status, 400);
    assert.equal(data.type, "not_allowed");
    assert.deepEqual(await levelOf(item.id, location.id), [8, 1, 7]);
  });

  await check("admin.orders.createShipment", async () => {
    const { order: after } = body(
      await medusa.admin.orders.createShipment(order.id, {
        fulfillment_id: fulfilled.id,
        tracking_numbers: ["TRACK-1"],
      }),
    );
    assert.equal(after.fulfillment_status, "partially_shipped");
    const fulfillment = after.fulfillments[0];
    assert.match(fulfillment.shipped_at, TIMESTAMP);
    assert.deepEqual(fulfillment.tracking_numbers, ["TRACK-1"]);
    assert.equal(after.items.find((l) => l.id === mugLine.id).shipped_quantity, 2);
  });

  const returned = await check("admin.orders.requestReturn", async () => {
    const { order: after } = body(
      await medusa.admin.orders.requestReturn(order.id, {
        items: [{ item_id: mugLine.id, quantity: 1 }],
        location_id: location.id,
      }),
    );
    assert.equal(after.returns.length, 1);
    const ret = after.returns[0];
    assert.match(ret.id, /^ret_/);
    assert.equal(ret.status, "requested");
    assert.equal(ret.location_id, location.id);
    assert.deepEqual(
      ret.items.map((i) => [i.item_id, i.quantity]),
      [[mugLine.id, 1]],
    );
    assert.deepEqual(await levelOf(item.id, location.id), [8, 1, 7], "nothing back yet");
    return ret;
  });

  await check("admin.returns.receive puts the unit back", async () => {
    const result = body(
      await medusa.admin.returns.receive(returned.id, {
        items: [{ item_id: mugLine.id, quantity: 1 }],
      }),
    );
    assert.deepEqual(Object.keys(result), ["return"]);
    assert.equal(result.return.id, returned.id);
    assert.equal(result.return.status, "received");
    assert.match(result.return.received_at, TIMESTAMP);
    assert.deepEqual(await levelOf(item.id, location.id), [9, 1, 8], "stock rose by 1");
    const { order: after } = body(await medusa.admin.orders.retrieve(order.id));
    assert.equal(after.fulfillment_status, "partially_returned");
    assert.equal(after.items.find((l) => l.id === mugLine.id).returned_quantity, 1);
  });

  await check("canceling an order with a live fulfillment gives 400", async () => {
    const { status, data } = await failure(medusa.admin.orders.cancel(order.id));
    assert.equal(status, 400);
    assert.equal(data.type, "not_allowed");
    assert.equal((await reservationsOf(order.id)).length, 1);
  });

  const second = await check("a second order; its reservation deleted", async () => {
    const second = await placeOrder(variant.id, region.id, 2);
    const [reservation] = await reservationsOf(second.id);
    assert.equal(reservation.quantity, 2);
    assert.equal(reservation.location_id, location.id);
    assert.deepEqual(await levelOf(item.id, location.id), [9, 3, 6]);
    body(await medusa.admin.reservations.delete(reservation.id));
    assert.deepEqual(await reservationsOf(second.id), []);
    assert.deepEqual(await levelOf(item.id, location.id), [9, 1, 8]);
    return second;
  });

  await check("line-items/{id}/reserve (admin.custom.post) reserves it again", async () => {
    const line = second.items[0];
    const path = `/admin/orders/${second.id}/line-items/${line.id}/reserve`;
    const { reservation } = body(
      await medusa.admin.custom.post(path, { location_id: location.id }),
    );
    assert.match(reservation.id, /^resitem_/);
    assert.equal(reservation.line_item_id, line.id);
    assert.equal(reservation.inventory_item_id, item.id);
    assert.equal(reservation.location_id, location.id);
    assert.equal(reservation.quantity, 2, "the line's whole unreserved remainder");
    assert.equal(reservation.created_by, user.id);
    assert.deepEqual(
      (await reservationsOf(second.id)).map((r) => r.id),
      [reservation.id],
    );
    assert.deepEqual(await levelOf(item.id, location.id), [9, 3, 6]);
    const { status, data } = await failure(
      medusa.admin.custom.post(path, { location_id: location.id }),
    );
    assert.equal(status, 400);
    assert.equal(data.type, "invalid_data");
    const wrong = await failure(
      medusa.admin.custom.post(`/admin/orders/${order.id}/line-items/${line.id}/reserve`, {
        location_id: location.id,
      }),
    );
    assert.equal(wrong.status, 404, "the line belongs to another order");
    assert.equal(wrong.data.type, "not_found");
  });

  await check("admin.orders.cancel releases another order's reservations", async () => {
    const third = await placeOrder(variant.id, region.id, 4);
    assert.equal((await reservationsOf(third.id))[0].quantity, 4);
    assert.deepEqual(await levelOf(item.id, location.id), [9, 7, 2]);
    const { order: canceled } = body(await medusa.admin.orders.cancel(third.id));
    assert.equal(canceled.id, third.id);
    assert.equal(canceled.status, "canceled");
    assert.equal(canceled.fulfillment_status, "canceled");
    assert.equal(canceled.payment_status, "canceled");
    assert.match(canceled.canceled_at, TIMESTAMP);
    assert.deepEqual(await reservationsOf(third.id), []);
    assert.deepEqual(await levelOf(item.id, location.id), [9, 3, 6], "4 units released");
  });

  await check("the other orders kept their reservations", async () => {
    const held = [...(await reservationsOf(order.id)), ...(await reservationsOf(second.id))];
    assert.deepEqual(held.map((r) => r.quantity).sort(), [1, 2]);
    const all = body(
      await medusa.admin.reservations.list({
        inventory_item_id: [item.id],
        location_id: [location.id],
      }),
    );
    assert.equal(all.count, 2);
    assert.deepEqual(await levelOf(item.id, location.id), [9, 3, 6]);
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
