# syntax=docker/dockerfile:1
# One image for the Node services in docker-compose.yml: the four subgraphs, the gateway, the portal
# and the demo-data seed, each chosen with `command:`. The build stage compiles the TypeScript
# (`npm run build`); the runtime stage holds that output and production dependencies only, and runs
# it with plain `node`. The Firebase Auth emulator has its own image (docker/auth-emulator.Dockerfile).

FROM node:20-bookworm-slim AS manifests
WORKDIR /app
ENV CI=true \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
# Manifests first, so editing source does not re-run `npm ci`.
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/events/package.json packages/events/
COPY subgraphs/tenant/package.json subgraphs/tenant/
COPY subgraphs/customer/package.json subgraphs/customer/
COPY subgraphs/work-order/package.json subgraphs/work-order/
COPY subgraphs/messaging/package.json subgraphs/messaging/
COPY gateway/package.json gateway/
COPY schema/package.json schema/
COPY portal/package.json portal/

# --ignore-scripts throughout: no dependency the images use needs an install script (esbuild ships
# its binary as a package), and the root postinstall fetches the embedded database, which a
# container never runs (it talks to MongoDB).
FROM manifests AS build
RUN npm ci --ignore-scripts
# .dockerignore keeps the host's node_modules and build output out of the context.
COPY . .
RUN npm run build

FROM manifests AS prod-deps
RUN npm ci --omit=dev --ignore-scripts

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
COPY --from=prod-deps --chown=node:node /app /app
# Only what `npm run build` produced, plus the supergraph the gateway reads at startup.
COPY --from=build --chown=node:node /app/schema/supergraph.graphql schema/
COPY --from=build --chown=node:node /app/subgraphs/tenant/dist subgraphs/tenant/dist
COPY --from=build --chown=node:node /app/subgraphs/customer/dist subgraphs/customer/dist
COPY --from=build --chown=node:node /app/subgraphs/work-order/dist subgraphs/work-order/dist
COPY --from=build --chown=node:node /app/subgraphs/messaging/dist subgraphs/messaging/dist
COPY --from=build --chown=node:node /app/gateway/dist gateway/dist
COPY --from=build --chown=node:node /app/scripts/dist scripts/dist
COPY --from=build --chown=node:node /app/portal/build portal/build
USER node
EXPOSE 3000 4000 4001 4002 4003 4004
CMD ["node", "gateway/dist/index.js"]
