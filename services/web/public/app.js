// The explorer: calls the API like any client and shows which server (and database) answered.
const $ = (selector) => document.querySelector(selector);

async function call(method, path, body) {
  const started = performance.now();
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'DELETE')
    init.headers['idempotency-key'] = crypto.randomUUID();
  const response = await fetch(path, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : undefined;
  logRow(method, path, response, Math.round(performance.now() - started));
  if (!response.ok) throw new Error(data?.error?.message ?? response.statusText);
  return data;
}

function logRow(method, path, response, ms) {
  const row = document.createElement('tr');
  if (!response.ok) row.className = 'bad';
  const cells = [
    `${method} ${path}`,
    response.status,
    response.headers.get('x-served-by'),
    response.headers.get('x-db'),
    response.headers.get('x-cache'),
    ms,
  ];
  for (const value of cells) {
    const cell = document.createElement('td');
    cell.textContent = value ?? '';
    row.append(cell);
  }
  $('#log').prepend(row);
  while ($('#log').children.length > 50) $('#log').lastElementChild.remove();
}

const money = (cents) => `$${(cents / 100).toFixed(2)}`;

function list(target, items, render) {
  target.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement('li');
      render(li, item);
      return li;
    }),
  );
}

async function refreshMe() {
  try {
    const me = await call('GET', '/api/me');
    $('#me').textContent =
      `logged in as ${me.username} · session ${me.sessionAgeSeconds}s old · answered by ${me.server}`;
    await refreshCart();
  } catch (error) {
    $('#me').textContent = `not logged in (${error.message})`;
  }
}

async function refreshCart() {
  const cart = await call('GET', '/api/cart');
  list($('#cart'), cart.items, (li, line) => {
    li.textContent = `${line.qty} × ${line.name} = ${money(line.lineCents)} `;
    const remove = document.createElement('button');
    remove.textContent = 'remove';
    remove.onclick = () => call('DELETE', `/api/cart/items/${line.sku}`).then(refreshCart, alert);
    li.append(remove);
  });
  $('#checkout').textContent =
    `Check out ${cart.count} item(s), ${money(cart.totalCents)} (cart held by ${cart.server})`;
}

async function refreshProducts() {
  const { products } = await call('GET', '/api/products');
  list($('#products'), products, (li, product) => {
    li.textContent = `${product.name} — ${money(product.priceCents)} `;
    const add = document.createElement('button');
    add.textContent = 'add';
    add.onclick = () =>
      call('POST', '/api/cart/items', { sku: product.sku, qty: 1 }).then(refreshCart, (e) =>
        alert(e.message),
      );
    li.append(add);
  });
}

async function refreshFeed() {
  const { posts } = await call('GET', '/api/feed?limit=10');
  list($('#feed'), posts, (li, post) => {
    li.textContent = `${post.username}: ${post.body.slice(0, 140)}`;
  });
}

$('#account').addEventListener('click', async (event) => {
  const action = event.target.dataset?.action;
  if (!action) return;
  event.preventDefault();
  const form = new FormData($('#account'));
  const credentials = { username: form.get('username'), password: form.get('password') };
  try {
    if (action === 'signup') await call('POST', '/api/users', credentials);
    if (action === 'signup' || action === 'login') await call('POST', '/api/sessions', credentials);
    if (action === 'logout') await call('DELETE', '/api/sessions');
  } catch (error) {
    alert(error.message);
  }
  await refreshMe();
});

$('#checkout').onclick = () =>
  call('POST', '/api/orders')
    .then(
      (order) => alert(`order ${order.id}: ${money(order.totalCents)}`),
      (e) => alert(e.message),
    )
    .then(refreshCart);

$('#post').onsubmit = async (event) => {
  event.preventDefault();
  try {
    await call('POST', '/api/posts', { body: new FormData(event.target).get('body') });
    event.target.reset();
  } catch (error) {
    alert(error.message);
  }
  await refreshFeed();
};

function showMedia(media) {
  const figure = document.createElement('figure');
  const caption = document.createElement('figcaption');
  caption.textContent = `media ${media.id}: thumbnail ${media.thumbnail}${media.thumbnailError ? ` (${media.thumbnailError})` : ''}`;
  if (media.thumbnail === 'ready') {
    const img = document.createElement('img');
    img.className = 'thumb';
    img.src = media.thumbnailUrl;
    img.alt = `thumbnail ${media.id}`;
    figure.append(img);
  }
  figure.append(caption);
  $('#media').replaceChildren(figure);
}

// With THUMBNAILS=queue the upload answers 202 `pending`: follow it until a worker is done.
async function followMedia(media) {
  showMedia(media);
  for (let wait = 250; media.thumbnail === 'pending' && wait < 30_000; wait *= 1.5) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    media = await call('GET', `/api/media/${media.id}`);
    showMedia(media);
  }
}

$('#upload').onsubmit = async (event) => {
  event.preventDefault();
  try {
    await followMedia(await call('POST', '/api/media', new FormData(event.target)));
  } catch (error) {
    alert(error.message);
  }
};

// The shard map, live: asked again every 2 s (as often as the web servers re-read it), not logged.
async function refreshShards() {
  const response = await fetch('/api/shards', { credentials: 'same-origin' });
  if (!response.ok) return true;
  const view = await response.json();
  if (!view.sharded) return false;
  const replicasOf = new Map(view.servers.map((s) => [s.name, s.replicas]));
  $('#shards').hidden = false;
  $('#shard-map').textContent =
    `${view.logicalShards} logical shards on ${view.servers.length} servers: ${view.map} · ${view.source === 'directory' ? 'read from the directory' : 'the web server’s copy (directory unreachable)'} at ${new Date().toLocaleTimeString()}`;
  $('#shard-ranges').replaceChildren(
    ...view.ranges.map((range) => {
      const row = document.createElement('tr');
      const replicas = (replicasOf.get(range.server) ?? [])
        .map((r) => `${r.name}${r.available ? '' : ' (down)'}`)
        .join(', ');
      for (const value of [
        range.from === range.to ? `${range.from}` : `${range.from}–${range.to}`,
        range.server,
        replicas || '—',
      ]) {
        const cell = document.createElement('td');
        cell.textContent = value;
        row.append(cell);
      }
      return row;
    }),
  );
  return true;
}

async function followShards() {
  const sharded = await refreshShards().catch(() => true);
  if (sharded) setTimeout(followShards, 2000);
}

await Promise.allSettled([refreshProducts(), refreshFeed(), refreshMe(), followShards()]);
