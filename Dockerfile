# syntax=docker/dockerfile:1
# lograbbit's image: the compiled CLI with its production dependencies, its SQL migrations and the
# sample log, run as the unprivileged `node` user. `docker run lograbbit:local consume` runs
# `lograbbit consume`; with no command it prints the help.

# Node 24: the active LTS (20 reached its end of life in April 2026). Debian 13, the current stable.
ARG NODE_IMAGE=node:24-trixie-slim

# Compiles src/ to dist/ with the dev dependencies (TypeScript).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# Production dependencies only, installed afresh rather than pruned from the build stage.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the app: only its state directory (file-follow checkpoints) is its own.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# tsc compiles only TypeScript: the dashboard's page, script and stylesheet are copied beside it.
COPY --from=build /app/src/dashboard/static ./dist/dashboard/static
COPY drizzle ./drizzle
COPY samples ./samples
RUN mkdir .lograbbit && chown node:node .lograbbit
USER node
# No HEALTHCHECK: the producer is one-shot and the consumer has no port to probe; compose restarts
# the consumer if it exits.
# A young generation of 2 × 8 MB instead of V8's 2 × 16, for no measurable CPU: a smaller peak for
# the consumer under a flood (README, Performance).
ENTRYPOINT ["node", "--max-semi-space-size=8", "dist/cli/main.js"]
CMD ["--help"]
