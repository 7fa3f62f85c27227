// ecomm storefront: plain JavaScript, no framework. The cart lives in localStorage; the backend is /api/*.
"use strict";

const CART_KEY = "ecomm-cart";

/** 1234 -> "$12.34", from integer cents (money is never a float here). */
function money(cents) {
  return `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

/** {lines: {productId: quantity}, checkoutKey?: string} */
function readCart() {
  try {
    const cart = JSON.parse(localStorage.getItem(CART_KEY) || "{}");
    return { lines: cart.lines && typeof cart.lines === "object" ? cart.lines : {}, checkoutKey: cart.checkoutKey };
  } catch {
    return { lines: {} };
  }
}

function writeCart(cart) {
  localStorage.setItem(CART_KEY, JSON.stringify(cart));
  showCount();
}

/** Changing the basket makes it a different order: forget the idempotency key of the last attempt. */
function setQuantity(productId, quantity) {
  const cart = readCart();
  if (quantity > 0) cart.lines[productId] = Math.min(99, quantity);
  else delete cart.lines[productId];
  delete cart.checkoutKey;
  writeCart(cart);
}

function showCount() {
  const count = Object.values(readCart().lines).reduce((a, b) => a + b, 0);
  const el = document.getElementById("cart-count");
  if (el) el.textContent = String(count);
}

/** A v4 UUID from getRandomValues (randomUUID needs a secure context, and the ALB may serve plain HTTP). */
function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function api(path, init) {
  const res = await fetch(path, init);
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const message = body && body.error ? body.error.message : `HTTP ${res.status}`;
    const err = new Error(message);
    err.status = res.status;
    throw err;
  }
  return body;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "style") node.style.cssText = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function status(text) {
  document.getElementById("status").textContent = text;
}

async function pageGrid() {
  const products = await api("/api/products");
  const grid = document.getElementById("grid");
  for (const p of products) {
    const href = `/product.html?id=${encodeURIComponent(p.id)}`;
    const add = el("button", { type: "button", "data-product": p.id, onclick: () => {
      setQuantity(p.id, (readCart().lines[p.id] || 0) + 1);
      add.textContent = "Added ✓";
      setTimeout(() => (add.textContent = "Add to cart"), 1200);
    } }, "Add to cart");
    grid.append(el("li", { class: "card", "data-product": p.id },
      el("a", { href }, el("div", { class: "swatch", style: `background:${p.colour}` })),
      el("h2", {}, el("a", { href }, p.name)),
      el("p", {}, p.description),
      el("span", { class: "price" }, money(p.priceCents)),
      add));
  }
  status(products.length === 0 ? "The catalogue is empty." : "");
}

async function pageProduct() {
  const id = new URLSearchParams(location.search).get("id");
  const p = (await api("/api/products")).find((x) => x.id === id);
  if (!p) return status(`No product "${id}".`);
  document.getElementById("swatch").style.background = p.colour;
  document.getElementById("name").textContent = p.name;
  document.title = `${p.name} · ecomm coffee`;
  document.getElementById("description").textContent = p.description;
  document.getElementById("price").textContent = money(p.priceCents);
  document.getElementById("add").addEventListener("click", () => {
    const q = Math.max(1, Math.min(99, Number.parseInt(document.getElementById("quantity").value, 10) || 1));
    setQuantity(p.id, (readCart().lines[p.id] || 0) + q);
    document.getElementById("added").textContent = `Added ${q} to your cart.`;
  });
  document.getElementById("product").hidden = false;
  status("");
}

async function pageCart() {
  const products = new Map((await api("/api/products")).map((p) => [p.id, p]));
  const render = () => {
    const { lines } = readCart();
    const ids = Object.keys(lines).filter((id) => products.has(id));
    const tbody = document.querySelector("#lines tbody");
    tbody.replaceChildren();
    let total = 0;
    for (const id of ids) {
      const p = products.get(id);
      const q = lines[id];
      total += p.priceCents * q;
      const input = el("input", { type: "number", min: "1", max: "99", value: String(q), "aria-label": `Quantity of ${p.name}`,
        onchange: (e) => { setQuantity(id, Number.parseInt(e.target.value, 10) || 0); render(); } });
      tbody.append(el("tr", { "data-product": id }, el("td", {}, p.name), el("td", {}, money(p.priceCents)), el("td", {}, input),
        el("td", {}, money(p.priceCents * q)), el("td", {}, el("button", { type: "button", class: "link", onclick: () => { setQuantity(id, 0); render(); } }, "Remove"))));
    }
    document.getElementById("total").textContent = money(total);
    document.getElementById("lines").hidden = ids.length === 0;
    document.getElementById("checkout").hidden = ids.length === 0;
    status(ids.length === 0 ? "Your cart is empty." : "");
  };
  render();
  const button = document.getElementById("checkout");
  button.addEventListener("click", async () => {
    const cart = readCart();
    const items = Object.entries(cart.lines).filter(([id]) => products.has(id)).map(([productId, quantity]) => ({ productId, quantity }));
    // One key per basket: a retry after a timeout or a double click cannot order twice.
    cart.checkoutKey = cart.checkoutKey || newKey();
    writeCart(cart);
    button.disabled = true;
    document.getElementById("error").textContent = "";
    try {
      const order = await api("/api/orders", {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": cart.checkoutKey },
        body: JSON.stringify({ items }),
      });
      writeCart({ lines: {} });
      location.assign(`/order.html?id=${encodeURIComponent(order.id)}`);
    } catch (err) {
      document.getElementById("error").textContent = `The order was not placed: ${err.message}. Your cart is kept; try again.`;
      button.disabled = false;
    }
  });
}

async function pageOrder() {
  const id = new URLSearchParams(location.search).get("id");
  const order = await api(`/api/orders/${encodeURIComponent(id || "")}`);
  document.getElementById("order-id").textContent = order.id;
  document.getElementById("placed").textContent = new Date(order.createdAt).toLocaleString();
  const tbody = document.getElementById("order-lines");
  for (const i of order.items) {
    tbody.append(el("tr", {}, el("td", {}, i.name), el("td", {}, money(i.unitPriceCents)), el("td", {}, String(i.quantity)), el("td", {}, money(i.lineTotalCents))));
  }
  document.getElementById("order-total").textContent = money(order.totalCents);
  document.getElementById("confirmation").hidden = false;
  status("");
}

const PAGES = { grid: pageGrid, product: pageProduct, cart: pageCart, order: pageOrder };

document.addEventListener("DOMContentLoaded", () => {
  showCount();
  const run = PAGES[document.body.dataset.page];
  if (run) run().catch((err) => status(`Sorry, something went wrong: ${err.message}`));
});
