/**
 * The product catalog (a dozen books, Bob's shopping list). Small and rarely changed, so each
 * server keeps a copy and refreshes it at most once a minute.
 */

import type { Row } from '../../shared/db/target.ts';
import type { DbCluster, ReadFrom } from '../db/cluster.ts';

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
}

interface ProductRow extends Row {
  sku: string;
  name: string;
  price_cents: number;
}

const REFRESH_MS = 60_000;

export class Catalog {
  readonly #db: DbCluster;
  readonly #from: ReadFrom;
  #products: ReadonlyMap<string, Product> | undefined;
  #loadedAt = 0;

  constructor(db: DbCluster, from: ReadFrom) {
    this.#db = db;
    this.#from = from;
  }

  async products(): Promise<ReadonlyMap<string, Product>> {
    if (this.#products === undefined || Date.now() - this.#loadedAt > REFRESH_MS) {
      const { rows } = await this.#db.read<ProductRow>(
        this.#from,
        'SELECT sku, name, price_cents FROM products ORDER BY sku',
      );
      this.#products = new Map(
        rows.map((r) => [r.sku, { sku: r.sku, name: r.name, priceCents: r.price_cents }]),
      );
      this.#loadedAt = Date.now();
    }
    return this.#products;
  }
}
