/**
 * The HTTP API against a real PostgreSQL over TCP: browse and buy, idempotency (sequential and concurrent),
 * refusals that write nothing, and the start-up migration under concurrent starts.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { Database } from "../backend/database";
import { loadConfig } from "../backend/config";
import { migrate, SEED_CATALOGUE } from "../backend/schema";
import type { Backend } from "../backend/main";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../local/embedded-postgres";
import { http, inProcessBackend, postOrder, sql } from "./harness";

let pg: EmbeddedPostgres;
let backend: Backend;
let base: string;

before(async () => {
    pg = await startEmbeddedPostgres();
    backend = await inProcessBackend({ DATABASE_URL: pg.url });
    base = backend.url;
});
after(async () => {
    await backend?.close();
    await pg?.destroy();
});

const orderCount = async () => Number((await sql<{ n: string }>(pg.url, "SELECT count(*) AS n FROM orders"))[0].n);

describe("browse and buy", () => {
    test("health and ready are 200 with the database up", async () => {
        assert.deepEqual((await http(`${base}/api/health`)).body, { status: "ok" });
        const ready = await http(`${base}/api/ready`);
        assert.equal(ready.status, 200);
        assert.deepEqual(ready.body, { status: "ready" });
    });

    test("the catalogue comes from the database, prices in integer cents and exact decimals", async () => {
        const res = await http(`${base}/api/products`);
        assert.equal(res.status, 200);
        const rows = await sql<{ id: string; name: string; price_cents: number }>(pg.url, "SELECT id, name, price_cents FROM products ORDER BY name, id");
        assert.equal(rows.length, SEED_CATALOGUE.length);
        assert.deepEqual(
            res.body.map((p: { id: string; name: string; priceCents: number }) => [p.id, p.name, p.priceCents]),
            rows.map((r) => [r.id, r.name, r.price_cents]),
        );
        const cup = res.body.find((p: { id: string }) => p.id === "espresso-cup");
        assert.deepEqual([cup.price, cup.priceCents, cup.currency], ["12.00", 1200, "USD"]);
        // A product added in the database shows up (no cache in this backend).
        await sql(pg.url, "INSERT INTO products (id, name, description, price_cents, colour) VALUES ('tamper', 'Tamper', '58 mm', 2999, '#333')");
        const again = await http(`${base}/api/products`);
        assert.equal(again.body.find((p: { id: string }) => p.id === "tamper").price, "29.99");
        await sql(pg.url, "DELETE FROM products WHERE id = 'tamper'");
    });

    test("an order written through the API is in the database and read back", async () => {
        const key = randomUUID();
        const res = await postOrder(base, key, [
            { productId: "burr-grinder", quantity: 1 },
            { productId: "paper-filters", quantity: 3 },
        ]);
        assert.equal(res.status, 201);
        assert.equal(res.headers.get("location"), `/api/orders/${res.body.id}`);
        assert.equal(res.headers.get("idempotent-replayed"), null);
        assert.equal(res.body.totalCents, 12900 + 3 * 650);
        assert.equal(res.body.total, "148.50");
        const [row] = await sql<{ total_cents: string; idempotency_key: string }>(pg.url, "SELECT total_cents, idempotency_key FROM orders WHERE id = $1", [res.body.id]);
        assert.deepEqual([Number(row.total_cents), row.idempotency_key], [14850, key]);
        const items = await sql(pg.url, "SELECT product_id, quantity, unit_price_cents FROM order_items WHERE order_id = $1 ORDER BY line", [res.body.id]);
        assert.deepEqual(items, [
            { product_id: "burr-grinder", quantity: 1, unit_price_cents: 12900 },
            { product_id: "paper-filters", quantity: 3, unit_price_cents: 650 },
        ]);
        const read = await http(`${base}/api/orders/${res.body.id}`);
        assert.equal(read.status, 200);
        assert.deepEqual(read.body, res.body);
    });

    test("unknown order ids are 404", async () => {
        assert.equal((await http(`${base}/api/orders/${randomUUID()}`)).status, 404);
        const bad = await http(`${base}/api/orders/not-a-uuid`);
        assert.equal(bad.status, 404);
        assert.equal(bad.body.error.code, "order_not_found");
    });
});

describe("idempotency", () => {
    test("the same key twice gives one order, the second answer replayed", async () => {
        const key = randomUUID();
        const items = [{ productId: "milk-jug", quantity: 2 }];
        const before = await orderCount();
        const first = await postOrder(base, key, items);
        const second = await postOrder(base, key, items);
        assert.equal(first.status, 201);
        assert.equal(second.status, 201);
        assert.deepEqual(second.body, first.body);
        assert.equal(second.headers.get("idempotent-replayed"), "true");
        assert.equal(await orderCount(), before + 1);
    });

    test("the same basket in another line order is the same request", async () => {
        const key = randomUUID();
        const a = await postOrder(base, key, [{ productId: "milk-jug", quantity: 1 }, { productId: "espresso-cup", quantity: 2 }]);
        const b = await postOrder(base, key, [{ productId: "espresso-cup", quantity: 2 }, { productId: "milk-jug", quantity: 1 }]);
        assert.equal(b.status, 201);
        assert.equal(b.body.id, a.body.id);
    });

    test("20 concurrent requests with one key create exactly one order", async () => {
        const key = randomUUID();
        const items = [{ productId: "coffee-beans", quantity: 4 }];
        const results = await Promise.all(Array.from({ length: 20 }, () => postOrder(base, key, items)));
        assert.deepEqual(new Set(results.map((r) => r.status)), new Set([201]));
        assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
        assert.equal(results.filter((r) => r.headers.get("idempotent-replayed") !== "true").length, 1);
        const rows = await sql(pg.url, "SELECT id FROM orders WHERE idempotency_key = $1", [key]);
        assert.equal(rows.length, 1);
    });

    test("the same key with a different body is 422 and writes nothing", async () => {
        const key = randomUUID();
        const first = await postOrder(base, key, [{ productId: "milk-jug", quantity: 1 }]);
        const count = await orderCount();
        const other = await postOrder(base, key, [{ productId: "milk-jug", quantity: 2 }]);
        assert.equal(other.status, 422);
        assert.equal(other.body.error.code, "idempotency_key_reused");
        assert.equal(await orderCount(), count);
        assert.equal((await postOrder(base, key, [{ productId: "milk-jug", quantity: 1 }])).body.id, first.body.id);
    });
});

describe("refusals write nothing", () => {
    const key = () => randomUUID();
    const cases: { name: string; key?: string | null; body: unknown; status: number; code: string; message: RegExp }[] = [
        { name: "unknown product", body: { items: [{ productId: "unicorn", quantity: 1 }] }, status: 422, code: "unknown_product", message: /unknown product: unicorn/ },
        {
            name: "unknown products among known ones",
            body: { items: [{ productId: "milk-jug", quantity: 1 }, { productId: "a", quantity: 1 }, { productId: "b", quantity: 1 }] },
            status: 422,
            code: "unknown_product",
            message: /unknown products: a, b/,
        },
        { name: "quantity 0", body: { items: [{ productId: "milk-jug", quantity: 0 }] }, status: 400, code: "invalid_request", message: /quantity must be >= 1/ },
        { name: "quantity 100", body: { items: [{ productId: "milk-jug", quantity: 100 }] }, status: 400, code: "invalid_request", message: /quantity must be <= 99/ },
        { name: "fractional quantity", body: { items: [{ productId: "milk-jug", quantity: 1.5 }] }, status: 400, code: "invalid_request", message: /quantity must be integer/ },
        { name: "quantity as a string", body: { items: [{ productId: "milk-jug", quantity: "2" }] }, status: 400, code: "invalid_request", message: /quantity must be integer/ },
        { name: "no items", body: { items: [] }, status: 400, code: "invalid_request", message: /must NOT have fewer than 1 items/ },
        { name: "missing items", body: {}, status: 400, code: "invalid_request", message: /must have required property 'items'/ },
        { name: "unknown field", body: { items: [{ productId: "milk-jug", quantity: 1 }], coupon: "FREE" }, status: 400, code: "invalid_request", message: /must NOT have additional properties/ },
        { name: "duplicate product lines", body: { items: [{ productId: "milk-jug", quantity: 1 }, { productId: "milk-jug", quantity: 2 }] }, status: 400, code: "invalid_items", message: /appears more than once/ },
        { name: "too many lines", body: { items: Array.from({ length: 51 }, (_, n) => ({ productId: `p${n}`, quantity: 1 })) }, status: 400, code: "invalid_request", message: /must NOT have more than 50 items/ },
        { name: "malformed JSON", body: '{"items": [', status: 400, code: "bad_request", message: /not valid JSON/ },
        { name: "too large", body: JSON.stringify({ items: [{ productId: "milk-jug", quantity: 1 }], pad: "x".repeat(20_000) }), status: 413, code: "body_too_large", message: /larger than 16384 bytes/ },
        { name: "no Idempotency-Key", key: null, body: { items: [{ productId: "milk-jug", quantity: 1 }] }, status: 400, code: "idempotency_key_required", message: /Idempotency-Key/ },
        { name: "Idempotency-Key too long", key: "k".repeat(256), body: { items: [{ productId: "milk-jug", quantity: 1 }] }, status: 400, code: "invalid_idempotency_key", message: /1 to 255/ },
    ];
    for (const c of cases) {
        test(c.name, async () => {
            const count = await orderCount();
            const body = typeof c.body === "string" ? c.body : JSON.stringify(c.body);
            const res = await postOrder(base, c.key === null ? undefined : (c.key ?? key()), body);
            assert.equal(res.status, c.status, JSON.stringify(res.body));
            assert.equal(res.body.error.code, c.code);
            assert.match(res.body.error.message, c.message);
            assert.equal(await orderCount(), count);
        });
    }

    test("a body that is not JSON is 415", async () => {
        const res = await http(`${base}/api/orders`, { method: "POST", headers: { "content-type": "text/plain", "idempotency-key": key() }, body: "items" });
        assert.equal(res.status, 415);
        assert.equal(res.body.error.code, "unsupported_media_type");
    });

    test("unknown API paths are JSON 404", async () => {
        const res = await http(`${base}/api/nope`);
        assert.equal(res.status, 404);
        assert.equal(res.body.error.code, "not_found");
    });
});

test("the migration is idempotent and safe under 6 concurrent starts (advisory lock)", async () => {
    await sql(pg.adminUrl, "CREATE DATABASE fresh OWNER shop");
    const url = pg.url.replace(/\/shop$/, "/fresh");
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const config = loadConfig({ env: { DATABASE_URL: url } });
    if (config.database.kind !== "ready") throw new Error("DATABASE_URL gives a ready target");
    const { target } = config.database;
    const dbs = Array.from({ length: 6 }, () => new Database({ target, log, poolSize: 2 }));
    try {
        await Promise.all(dbs.map((d) => d.start()));
        await Promise.all(dbs.map((d) => d.transaction(migrate)));
        await dbs[0].transaction(migrate);
        const rows = await sql<{ id: string }>(url, "SELECT id FROM products ORDER BY id");
        assert.deepEqual(
            rows.map((r) => r.id),
            SEED_CATALOGUE.map((p) => p.id).sort(),
        );
    } finally {
        await Promise.all(dbs.map((d) => d.close()));
    }
});

test("before the boot script has written db.env: health 200, ready 503 naming the file, orders 503", async () => {
    const file = `/tmp/ecomm-missing-${randomUUID()}/db.env`;
    const waiting = await inProcessBackend({ ECOMM_DB_ENV_FILE: file });
    try {
        assert.equal((await http(`${waiting.url}/api/health`)).status, 200);
        const ready = await http(`${waiting.url}/api/ready`);
        assert.equal(ready.status, 503);
        assert.match(ready.body.error.message, new RegExp(`waiting for ${file}`));
        const order = await postOrder(waiting.url, randomUUID(), [{ productId: "milk-jug", quantity: 1 }]);
        assert.equal(order.status, 503);
        assert.equal(order.headers.get("retry-after"), "1");
    } finally {
        await waiting.close();
    }
});
