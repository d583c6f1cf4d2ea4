/** Cart integrity: items a user added (acknowledged) that the cart no longer shows. Pure. */

export type Cart = Readonly<Record<string, number>>;

/** Items acknowledged into `expected` but missing from `seen` (extra items are not a loss). */
export function itemsLost(expected: Cart, seen: Cart): number {
  let lost = 0;
  for (const [sku, qty] of Object.entries(expected)) lost += Math.max(0, qty - (seen[sku] ?? 0));
  return lost;
}

/** The cart a GET /api/cart answer shows. */
export function cartOf(body: unknown): Cart {
  const items = (body as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) return {};
  const cart: Record<string, number> = {};
  for (const item of items) {
    const { sku, qty } = item as { sku?: unknown; qty?: unknown };
    if (typeof sku === 'string' && typeof qty === 'number') cart[sku] = (cart[sku] ?? 0) + qty;
  }
  return cart;
}

export const lostPerThousandCarts = (lost: number, carts: number): number =>
  carts === 0 ? 0 : (lost * 1000) / carts;
