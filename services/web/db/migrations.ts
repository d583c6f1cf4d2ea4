/**
 * Schema migrations, applied in order at start-up (see migrate.ts). One statement per entry
 * (multipleStatements is off); every statement is safe to run again, because DDL commits on its
 * own and a crash between two statements must not wedge the next start.
 */
export interface Statement {
  readonly sql: string;
  readonly params?: readonly (string | number)[];
}

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly statements: readonly (string | Statement)[];
}

const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

const BOOKS: readonly [string, string, number][] = [
  ['BOOK-001', 'Designing Data-Intensive Applications', 4499],
  ['BOOK-002', 'The Art of Scalability', 3999],
  ['BOOK-003', 'Site Reliability Engineering', 3499],
  ['BOOK-004', 'High Performance MySQL', 4299],
  ['BOOK-005', 'Web Scalability for Startup Engineers', 2999],
  ['BOOK-006', 'Release It!', 3299],
  ['BOOK-007', 'Database Internals', 4599],
  ['BOOK-008', 'Understanding Distributed Systems', 2799],
  ['BOOK-009', 'Systems Performance', 5499],
  ['BOOK-010', 'The Datacenter as a Computer', 1999],
  ['BOOK-011', 'Building Microservices', 3899],
  ['BOOK-012', 'Computer Networking: A Top-Down Approach', 6999],
];

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'accounts and posts',
    statements: [
      `CREATE TABLE IF NOT EXISTS users (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        username VARCHAR(32) NOT NULL,
        password_hash VARCHAR(255) NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        UNIQUE KEY uq_users_username (username)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS posts (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        user_id BIGINT UNSIGNED NOT NULL,
        body VARCHAR(1024) NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY idx_posts_created (created_at),
        KEY idx_posts_user_created (user_id, created_at),
        CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES users (id)
      ) ${TABLE}`,
    ],
  },
  {
    id: 2,
    name: 'catalog and orders',
    statements: [
      `CREATE TABLE IF NOT EXISTS products (
        sku VARCHAR(32) NOT NULL PRIMARY KEY,
        name VARCHAR(200) NOT NULL,
        price_cents INT UNSIGNED NOT NULL
      ) ${TABLE}`,
      {
        sql: `INSERT IGNORE INTO products (sku, name, price_cents) VALUES ${BOOKS.map(() => '(?, ?, ?)').join(', ')}`,
        params: BOOKS.flat(),
      },
      `CREATE TABLE IF NOT EXISTS orders (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        user_id BIGINT UNSIGNED NOT NULL,
        item_count INT UNSIGNED NOT NULL,
        total_cents BIGINT UNSIGNED NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY idx_orders_user_created (user_id, created_at),
        CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS order_items (
        order_id BIGINT UNSIGNED NOT NULL,
        sku VARCHAR(32) NOT NULL,
        qty INT UNSIGNED NOT NULL,
        price_cents INT UNSIGNED NOT NULL,
        PRIMARY KEY (order_id, sku),
        CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id),
        CONSTRAINT fk_items_product FOREIGN KEY (sku) REFERENCES products (sku)
      ) ${TABLE}`,
    ],
  },
  {
    id: 3,
    name: 'media',
    statements: [
      `CREATE TABLE IF NOT EXISTS media (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        user_id BIGINT UNSIGNED NOT NULL,
        object_key VARCHAR(255) NOT NULL,
        thumbnail_key VARCHAR(255) NOT NULL,
        content_type VARCHAR(64) NOT NULL,
        bytes BIGINT UNSIGNED NOT NULL,
        width INT UNSIGNED NOT NULL,
        height INT UNSIGNED NOT NULL,
        sha256 CHAR(64) NOT NULL,
        thumbnail_status ENUM('pending', 'ready', 'failed') NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        UNIQUE KEY uq_media_object (object_key),
        KEY idx_media_user (user_id, created_at),
        CONSTRAINT fk_media_user FOREIGN KEY (user_id) REFERENCES users (id)
      ) ${TABLE}`,
    ],
  },
  {
    id: 4,
    name: 'idempotency keys',
    statements: [
      `CREATE TABLE IF NOT EXISTS idempotency_keys (
        scope VARCHAR(96) NOT NULL,
        idem_key VARCHAR(128) NOT NULL,
        request_hash BINARY(32) NOT NULL,
        status_code SMALLINT UNSIGNED NOT NULL,
        response_body MEDIUMTEXT NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (scope, idem_key),
        KEY idx_idem_created (created_at)
      ) ${TABLE}`,
    ],
  },
  {
    id: 5,
    name: 'thumbnail sizes, failures and the job outbox',
    statements: [
      `ALTER TABLE media ADD COLUMN IF NOT EXISTS thumbnail_sizes VARCHAR(64) NOT NULL DEFAULT '' AFTER thumbnail_key`,
      'ALTER TABLE media ADD COLUMN IF NOT EXISTS thumbnail_error VARCHAR(255) NULL AFTER thumbnail_status',
      'ALTER TABLE media ADD INDEX IF NOT EXISTS idx_media_thumbnail (thumbnail_status, updated_at)',
      // An upload's job, written in the upload's own transaction: what the queue has not yet
      // confirmed. The worker's sweeper moves rows into the queue (THUMBNAILS=queue).
      `CREATE TABLE IF NOT EXISTS thumbnail_outbox (
        media_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        CONSTRAINT fk_outbox_media FOREIGN KEY (media_id) REFERENCES media (id) ON DELETE CASCADE
      ) ${TABLE}`,
    ],
  },
];
