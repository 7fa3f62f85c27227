/**
 * The storefront's schema and seed catalogue, created at start-up. Idempotent (IF NOT EXISTS, ON CONFLICT DO
 * NOTHING) and safe when several instances start at once: everything runs in one transaction holding a
 * transaction-scoped advisory lock, so concurrent starts run one after the other (CREATE TABLE IF NOT EXISTS
 * alone races on the catalog and can fail with a unique violation).
 *
 * Money is integer cents (`price_cents`, `total_cents`); the API also renders exact decimal strings.
 */
import type pg from "pg";

/** Arbitrary but fixed: the advisory lock every storefront instance takes while migrating. */
export const SCHEMA_LOCK_KEY = 7_461_000_016;

export interface SeedProduct {
    readonly id: string;
    readonly name: string;
    readonly description: string;
    readonly priceCents: number;
    /** A CSS colour used for the product's swatch (the app ships no images). */
    readonly colour: string;
}

export const SEED_CATALOGUE: readonly SeedProduct[] = [
    { id: "espresso-cup", name: "Espresso cup", description: "Thick-walled porcelain, 90 ml.", priceCents: 1200, colour: "#8d6e63" },
    { id: "pour-over-kettle", name: "Pour-over kettle", description: "Gooseneck spout, 1 l, stovetop.", priceCents: 4900, colour: "#90a4ae" },
    { id: "burr-grinder", name: "Burr grinder", description: "Conical steel burrs, 40 settings.", priceCents: 12900, colour: "#546e7a" },
    { id: "paper-filters", name: "Paper filters", description: "100 unbleached filters, size 02.", priceCents: 650, colour: "#d7ccc8" },
    { id: "coffee-beans", name: "House beans", description: "Medium roast, 500 g, whole bean.", priceCents: 1895, colour: "#5d4037" },
    { id: "milk-jug", name: "Milk jug", description: "Stainless steel, 350 ml, for latte art.", priceCents: 2250, colour: "#b0bec5" },
];

const DDL = `
CREATE TABLE IF NOT EXISTS products (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,64}$'),
    name        text NOT NULL,
    description text NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    colour      text NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    idempotency_key text NOT NULL UNIQUE,
    request_hash    text NOT NULL,
    total_cents     bigint NOT NULL CHECK (total_cents >= 0),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS order_items (
    order_id         uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line             integer NOT NULL,
    product_id       text NOT NULL REFERENCES products (id),
    product_name     text NOT NULL,
    quantity         integer NOT NULL CHECK (quantity > 0),
    unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, line)
);
`;

/** Creates what is missing and inserts the seed products that are missing (existing rows are left alone). */
export async function migrate(client: pg.ClientBase): Promise<void> {
    await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK_KEY]);
    await client.query(DDL);
    await client.query(
        `INSERT INTO products (id, name, description, price_cents, colour)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::text[])
         ON CONFLICT (id) DO NOTHING`,
        [
            SEED_CATALOGUE.map((p) => p.id),
            SEED_CATALOGUE.map((p) => p.name),
            SEED_CATALOGUE.map((p) => p.description),
            SEED_CATALOGUE.map((p) => p.priceCents),
            SEED_CATALOGUE.map((p) => p.colour),
        ],
    );
}
