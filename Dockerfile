# syntax=docker/dockerfile:1
#
# One image for every service written here (web and its API pools, lb, setup). The image has no
# opinion on which one runs: each docker-compose.yml service sets
#   command: ["node", "dist/services/<service>/<entry>.js"]
# Node 22 LTS on Debian 12 (glibc), so sharp loads its prebuilt libvips exactly as it does natively.
# Nothing here reads NODE_ENV: the stage flags say what the services do.

# --- build: full dependencies, TypeScript compiled to dist/ (npm run build also copies the pages) ---
FROM node:22.23.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` refuses package-lock.json while it lacks entries for optional platform packages (biome's
# other-platform binaries) that the registry it was locked against does not serve (npm/cli#9846);
# `npm install --no-save` then installs the same locked versions and leaves the lock untouched,
# as scripts/install-deps.sh does natively.
RUN npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY services ./services
COPY runner ./runner
COPY loadtest ./loadtest
COPY scripts ./scripts
RUN npm run build

# --- prod-deps: production dependencies only (no install scripts are needed: sharp is prebuilt) ---
FROM node:22.23.2-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN (npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    || npm install --no-save --omit=dev --ignore-scripts --no-audit --no-fund) \
  && npm cache clean --force

# --- runtime: what the containers run, as the unprivileged `node` user (uid 1000) ---
FROM node:22.23.2-bookworm-slim AS runtime
# The LB makes its self-signed development certificate with the openssl CLI (services/lb/listeners/tls.ts).
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# package.json carries "type": "module", which the compiled ESM in dist/ needs.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# DATA_DIR (web, STORAGE=local) and LB_DATA_DIR (the LB's certificate) are /data in compose.
RUN install -d -o node -g node -m 0750 /data
USER node
CMD ["node", "dist/services/web/server.js"]
