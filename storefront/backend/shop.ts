/**
 * The catalogue and orders, on top of `Database`. Money is integer cents throughout; `formatCents` renders
 * the exact decimal string the API also returns (never a float).
 *
 * Idempotency (after the IETF httpapi "Idempotency-Key" draft and Stripe's behaviour): an order is stored with
 * its key and a hash of its normalised request. The same key with the same request returns the stored order;
 * the same key with a different request is refused (422) and writes nothing. Two concurrent requests with one
 * key cannot both insert: the key is UNIQUE, the second INSERT waits for the first transaction and then finds
 * its row.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { ApplicationError, type Database } from "./database";

export const MAX_ITEMS = 50;
export const MAX_QUANTITY = 99;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
export const PRODUCT_ID_PATTERN = "^[a-z0-9-]{1,64}$";

export interface Product {
    readonly id: string;
    readonly name: string;
    readonly description: string;
    /** Exact decimal, e.g. "12.00". */
    readonly price: string;
    readonly priceCents: number;
    readonly currency: "USD";
    readonly colour: string;
}

export interface OrderItem {
    readonly productId: string;
    readonly name: string;
    readonly quantity: number;
    readonly unitPrice: string;
    readonly unitPriceCents: number;
    readonly lineTotal: string;
    readonly lineTotalCents: number;
}

export interface Order {
    readonly id: string;
    readonly items: readonly OrderItem[];
    readonly total: string;
    readonly totalCents: number;
    readonly currency: "USD";
    readonly createdAt: string;
}

export interface OrderRequestItem {
    readonly productId: string;
    readonly quantity: number;
}

/** A refusal the client can fix: HTTP status, machine code, human message. Nothing was written. */
export class ShopError extends ApplicationError {
    constructor(
        readonly statusCode: number,
        readonly code: string,
        message: string,
    ) {
        super(message);
    }
}

/** 1234 → "12.34"; exact for any safe integer. */
export function formatCents(cents: number): string {
    if (!Number.isSafeInteger(cents)) throw new Error(`not an integer number of cents: ${cents}`);
    const sign = cents < 0 ? "-" : "";
    const abs = Math.abs(cents);
    return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Items sorted by product, so the same basket in another order is the same request. */
export function requestHash(items: readonly OrderRequestItem[]): string {
    const normal = [...items].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0)).map((i) => [i.productId, i.quantity]);
    return createHash("sha256").update(JSON.stringify(normal)).digest("hex");
}

/** Checks beyond the JSON schema: one line per product. */
export function orderItemsProblem(items: readonly OrderRequestItem[]): string | undefined {
    const seen = new Set<string>();
    for (const item of items) {
        if (seen.has(item.productId)) return `productId "${item.productId}" appears more than once; send one line per product with its total quantity`;
        seen.add(item.productId);
    }
    return undefined;
}

interface ProductRow {
    id: string;
    name: string;
    description: string;
    price_cents: number;
    colour: string;
}

function toProduct(r: ProductRow): Product {
    return { id: r.id, name: r.name, description: r.description, price: formatCents(r.price_cents), priceCents: r.price_cents, currency: "USD", colour: r.colour };
}

export async function listProducts(db: Database): Promise<Product[]> {
    const { rows } = await db.withClient((c) => c.query<ProductRow>("SELECT id, name, description, price_cents, colour FROM products ORDER BY name, id"));
    return rows.map(toProduct);
}

interface OrderRow {
    id: string;
    request_hash: string;
    total_cents: string;
    created_at: Date;
}

interface ItemRow {
    product_id: string;
    product_name: string;
    quantity: number;
    unit_price_cents: number;
}

async function loadOrder(c: pg.ClientBase, row: OrderRow): Promise<Order> {
    const { rows } = await c.query<ItemRow>("SELECT product_id, product_name, quantity, unit_price_cents FROM order_items WHERE order_id = $1 ORDER BY line", [row.id]);
    const totalCents = Number(row.total_cents);
    return {
        id: row.id,
        items: rows.map((i) => ({
            productId: i.product_id,
            name: i.product_name,
            quantity: i.quantity,
            unitPrice: formatCents(i.unit_price_cents),
            unitPriceCents: i.unit_price_cents,
            lineTotal: formatCents(i.unit_price_cents * i.quantity),
            lineTotalCents: i.unit_price_cents * i.quantity,
        })),
        total: formatCents(totalCents),
        totalCents,
        currency: "USD",
        createdAt: row.created_at.toISOString(),
    };
}

const ORDER_COLUMNS = "id, request_hash, total_cents, created_at";

async function existingOrder(c: pg.ClientBase, key: string, hash: string): Promise<Order | undefined> {
    const { rows } = await c.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE idempotency_key = $1`, [key]);
    if (rows.length === 0) return undefined;
    if (rows[0].request_hash !== hash) {
        throw new ShopError(422, "idempotency_key_reused", "this Idempotency-Key was already used for a different order; use a new key for a new order");
    }
    return loadOrder(c, rows[0]);
}

/** Creates the order, or returns the one already stored under `key`. `replayed` tells which. */
export async function placeOrder(db: Database, key: string, items: readonly OrderRequestItem[]): Promise<{ order: Order; replayed: boolean }> {
    const problem = orderItemsProblem(items);
    if (problem) throw new ShopError(400, "invalid_items", problem);
    const hash = requestHash(items);
    return db.transaction(async (c) => {
        const before = await existingOrder(c, key, hash);
        if (before) return { order: before, replayed: true };

        const ids = items.map((i) => i.productId);
        const { rows: products } = await c.query<{ id: string; name: string; price_cents: number }>("SELECT id, name, price_cents FROM products WHERE id = ANY($1::text[])", [ids]);
        const byId = new Map(products.map((p) => [p.id, p]));
        const unknown = ids.filter((id) => !byId.has(id));
        if (unknown.length > 0) throw new ShopError(422, "unknown_product", `unknown product${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
        const totalCents = items.reduce((sum, i) => sum + byId.get(i.productId)!.price_cents * i.quantity, 0);

        const inserted = await c.query<OrderRow>(
            `INSERT INTO orders (idempotency_key, request_hash, total_cents) VALUES ($1, $2, $3)
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING ${ORDER_COLUMNS}`,
            [key, hash, totalCents],
        );
        if (inserted.rows.length === 0) {
            // A concurrent request with this key committed first (this INSERT waited for it).
            const raced = await existingOrder(c, key, hash);
            if (!raced) throw new Error("order vanished after a key conflict");
            return { order: raced, replayed: true };
        }
        await c.query(
            `INSERT INTO order_items (order_id, line, product_id, product_name, quantity, unit_price_cents)
             SELECT $1, line, product_id, product_name, quantity, unit_price_cents
             FROM unnest($2::integer[], $3::text[], $4::text[], $5::integer[], $6::integer[])
                  AS t(line, product_id, product_name, quantity, unit_price_cents)`,
            [
                inserted.rows[0].id,
                items.map((_, n) => n + 1),
                items.map((i) => i.productId),
                items.map((i) => byId.get(i.productId)!.name),
                items.map((i) => i.quantity),
                items.map((i) => byId.get(i.productId)!.price_cents),
            ],
        );
        return { order: await loadOrder(c, inserted.rows[0]), replayed: false };
    });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getOrder(db: Database, id: string): Promise<Order | undefined> {
    if (!UUID.test(id)) return undefined;
    return db.withClient(async (c) => {
        const { rows } = await c.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [id]);
        return rows.length === 0 ? undefined : loadOrder(c, rows[0]);
    });
}
