/** Cart arithmetic, pure: adding, removing, pricing. The cart itself lives in the session. */
import type { Product } from './catalog.ts';

export type Cart = Readonly<Record<string, number>>;

export const MAX_QTY = 99;
export const MAX_LINES = 50;

export interface CartLine {
  readonly sku: string;
  readonly name: string;
  readonly qty: number;
  readonly priceCents: number;
  readonly lineCents: number;
}

export interface PricedCart {
  readonly items: readonly CartLine[];
  readonly count: number;
  readonly totalCents: number;
}

/** Adds `qty` of `sku`, capped at MAX_QTY; undefined when a new line would pass MAX_LINES. */
export function addToCart(cart: Cart, sku: string, qty: number): Cart | undefined {
  const current = cart[sku] ?? 0;
  if (current === 0 && Object.keys(cart).length >= MAX_LINES) return undefined;
  return { ...cart, [sku]: Math.min(current + qty, MAX_QTY) };
}

export function removeFromCart(cart: Cart, sku: string): Cart {
  const { [sku]: _removed, ...rest } = cart;
  return rest;
}

/** Prices the cart; lines whose product no longer exists are dropped. */
export function priceCart(cart: Cart, products: ReadonlyMap<string, Product>): PricedCart {
  const items: CartLine[] = [];
  for (const [sku, qty] of Object.entries(cart).sort(([a], [b]) => a.localeCompare(b))) {
    const product = products.get(sku);
    if (product === undefined || qty < 1) continue;
    items.push({
      sku,
      name: product.name,
      qty,
      priceCents: product.priceCents,
      lineCents: qty * product.priceCents,
    });
  }
  return {
    items,
    count: items.reduce((n, line) => n + line.qty, 0),
    totalCents: items.reduce((n, line) => n + line.lineCents, 0),
  };
}
