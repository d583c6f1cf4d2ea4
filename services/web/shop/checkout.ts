/**
 * What checkout leaves in the session, pure. An order is made from the cart named by its token;
 * afterwards the cart loses exactly what was ordered, once:
 * - the cart is still the one ordered: it is emptied;
 * - it changed meanwhile (another tab added something): only the ordered quantities come out;
 * - this order already settled the cart (a replayed checkout): nothing changes.
 * The last few settled tokens are remembered to tell the last case apart.
 */
import { type Cart, removeFromCart } from './cart.ts';

export const REMEMBERED_CHECKOUTS = 5;

export interface CartState {
  readonly cart: Cart;
  readonly cartToken?: string;
  readonly checkedOut?: readonly string[];
}

export interface OrderedLine {
  readonly sku: string;
  readonly qty: number;
}

/** The state after settling an order of `ordered` from the cart `token`; undefined: unchanged. */
export function settleCheckout(
  state: CartState,
  token: string | undefined,
  ordered: readonly OrderedLine[],
  newToken: string,
): CartState | undefined {
  if (token === undefined) return { ...state, cart: {}, cartToken: newToken };
  const settled = state.checkedOut ?? [];
  if (settled.includes(token)) return undefined;
  let cart: Cart = {};
  if (state.cartToken !== token) {
    cart = state.cart;
    for (const line of ordered) {
      const left = (cart[line.sku] ?? 0) - line.qty;
      cart = left > 0 ? { ...cart, [line.sku]: left } : removeFromCart(cart, line.sku);
    }
  }
  return {
    ...state,
    cart,
    cartToken: newToken,
    checkedOut: [...settled, token].slice(-REMEMBERED_CHECKOUTS),
  };
}
