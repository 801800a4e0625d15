# syntax=docker/dockerfile:1.7
# Web app (Next.js). web/next.config.ts does not set `output: 'standalone'`, so the runtime
# stage carries the production node_modules and `next start`; with standalone output enabled
# (owned by web/), copy .next/standalone + .next/static instead and run `node server.js`.
#   docker build -f deploy/docker/web.Dockerfile -t troupe-web .
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS build
WORKDIR /web
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /web/node_modules ./node_modules
COPY web/ ./
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
WORKDIR /web
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0
# next.config.ts imports src/lib/api at start-up, so the sources travel with the build output.
COPY --from=prod-deps --chown=node:node /web/node_modules ./node_modules
COPY --from=build --chown=node:node /web/.next ./.next
COPY --from=build --chown=node:node /web/public ./public
COPY --from=build --chown=node:node /web/src ./src
COPY --from=build --chown=node:node /web/package.json /web/next.config.ts /web/tsconfig.json ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/').then(r => process.exit(r.status < 500 ? 0 : 1)).catch(() => process.exit(1))"]
# the local binary, not npx: npx wants a writable npm cache, and the pod's root fs is read-only
CMD ["node_modules/.bin/next", "start", "-H", "0.0.0.0", "-p", "3000"]
