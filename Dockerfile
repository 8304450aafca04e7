# syntax=docker/dockerfile:1
# One image for every Node service in docker-compose.yml; each service picks its entry point with `command:`.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# The image talks to a real MongoDB, so the embedded database (FerretDB, built with Go) is not needed.
ENV SKIP_FERRETDB_BUILD=1 \
    CI=true \
    npm_config_update_notifier=false
# Manifests first, so editing source does not re-run `npm ci`.
COPY package.json package-lock.json ./
COPY scripts/install-ferretdb.mjs scripts/
COPY packages/shared/package.json packages/shared/
COPY subgraphs/tenant/package.json subgraphs/tenant/
COPY subgraphs/customer/package.json subgraphs/customer/
COPY subgraphs/work-order/package.json subgraphs/work-order/
COPY subgraphs/messaging/package.json subgraphs/messaging/
COPY gateway/package.json gateway/
COPY schema/package.json schema/
COPY portal/package.json portal/
RUN npm ci --no-audit --no-fund

FROM deps AS build
# Never let a host's node_modules or build output into the image.
COPY --exclude=**/node_modules --exclude=portal/build --exclude=portal/.svelte-kit --exclude=.git . .
RUN npm run build -w @wisp/portal

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    FIREBASE_CLI_DISABLE_UPDATE_CHECK=true \
    NO_UPDATE_NOTIFIER=1 \
    npm_config_update_notifier=false
# Services run TypeScript with tsx and the auth emulator with firebase-tools (both dev dependencies),
# so the whole installed tree comes along.
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000 4000 4001 4002 4003 4004 9099
CMD ["npx", "tsx", "gateway/src/index.ts"]
