# syntax=docker/dockerfile:1.7
# Web app (Next.js), built with `output: 'standalone'` (TROUPE_WEB_STANDALONE=1): the runtime
# stage carries only the traced server (`node server.js`), its static files and public/ — no
# node_modules tree, no sources. `make test` serves the same artifact in its whole-system tests.
#   docker build -f deploy/docker/web.Dockerfile -t troupe-web .
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /web
COPY web/package.json web/package-lock.json ./
COPY web/scripts ./scripts
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS build
WORKDIR /web
ENV NEXT_TELEMETRY_DISABLED=1 TROUPE_WEB_STANDALONE=1
COPY --from=deps /web/node_modules ./node_modules
COPY web/ ./
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
WORKDIR /web
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0
COPY --from=build --chown=node:node /web/.next/standalone ./
COPY --from=build --chown=node:node /web/.next/static ./.next/static
COPY --from=build --chown=node:node /web/public ./public
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/').then(r => process.exit(r.status < 500 ? 0 : 1)).catch(() => process.exit(1))"]
CMD ["node", "server.js"]
