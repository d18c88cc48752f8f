# Treasury Pay: one image, one binary (`tpay`), one role per container.
# The role is the container's command: `run`, `ingest`, `stream`, `api`,
# or `batch forecasts|reconcile|compact` (docs/deploy.md).
#
# The base is pinned by exact version tag (the Node release the project is
# built and tested with, on Debian bookworm). To pin by digest as well, set
# NODE_IMAGE=node:20.20.2-bookworm-slim@sha256:<digest> as a build argument.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# --- build: every dependency, compile the server and the dashboard ---------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No scripts: `prepare` would build before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json eslint.config.js ./
COPY src ./src
COPY web ./web
COPY bench ./bench
COPY test ./test
RUN npm run build

# --- runtime: production dependencies and the compiled output only --------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    TPAY_DATA_DIR=/var/lib/tpay
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/dashboard ./dist/dashboard
# The data directory belongs to the unprivileged user the image runs as.
RUN groupadd --system --gid 10001 tpay \
 && useradd --system --uid 10001 --gid tpay --home-dir /var/lib/tpay --shell /usr/sbin/nologin tpay \
 && mkdir -p /var/lib/tpay \
 && chown tpay:tpay /var/lib/tpay
USER 10001:10001
VOLUME ["/var/lib/tpay"]
# 7400: TCP ingest; 7401: HTTP (ingest or api); 7402: stream health; 7403: batch health.
EXPOSE 7400 7401 7402 7403
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["run"]
