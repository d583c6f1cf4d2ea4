/** Schemas of the shop routes: products, the cart, orders. */
import { MAX_QTY } from '../shop/cart.ts';
import { idValue } from './schemas.ts';

export const SKU_PATTERN = '^[A-Z0-9-]{1,32}$';

const line = {
  type: 'object',
  required: ['sku', 'name', 'qty', 'priceCents', 'lineCents'],
  properties: {
    sku: { type: 'string' },
    name: { type: 'string' },
    qty: { type: 'integer' },
    priceCents: { type: 'integer' },
    lineCents: { type: 'integer' },
  },
} as const;

export const cartSchema = {
  type: 'object',
  required: ['items', 'count', 'totalCents'],
  properties: {
    items: { type: 'array', items: line },
    count: { type: 'integer' },
    totalCents: { type: 'integer' },
    server: { type: 'string' },
  },
} as const;

export const orderSchema = {
  type: 'object',
  required: ['id', 'items', 'count', 'totalCents', 'createdAt'],
  properties: {
    id: idValue,
    items: { type: 'array', items: line },
    count: { type: 'integer' },
    totalCents: { type: 'integer' },
    createdAt: { type: 'string' },
  },
} as const;

export const productsSchema = {
  type: 'object',
  properties: {
    products: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sku: { type: 'string' },
          name: { type: 'string' },
          priceCents: { type: 'integer' },
        },
      },
    },
  },
} as const;

export const addItemBody = {
  type: 'object',
  required: ['sku', 'qty'],
  additionalProperties: false,
  properties: {
    sku: { type: 'string', pattern: SKU_PATTERN },
    qty: { type: 'integer', minimum: 1, maximum: MAX_QTY },
  },
} as const;

export const skuParams = {
  type: 'object',
  required: ['sku'],
  additionalProperties: false,
  properties: { sku: { type: 'string', pattern: SKU_PATTERN } },
} as const;
