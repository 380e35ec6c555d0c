# The project's services (setup, sample-api, pipeline, api) for docker-compose.yml.
#
# No build step: Node 24 runs the .ts files directly (type stripping). The `node`
# devDependency exists only to pin Node 24 on hosts with an older system node; here the
# image's node is already 24, so dev dependencies are left out and `npm run <script>` /
# `npm start` use the image's node.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim
FROM ${NODE_IMAGE}

ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
# --ignore-scripts: no runtime dependency needs an install script (the prebuilt
# @node-rs/crc32 binaries come as optional platform packages), and the only dev one that
# has one, `node`, would download a Node binary.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# The code: lib, schemas, processors, sinks, sql, scripts, sample-api and api, whichever
# exist. .dockerignore is an allow-list, so `COPY . .` copies only those (and a folder that
# does not exist yet does not break the build, as a COPY naming it would).
COPY . .

# Node's module compile cache (lib/processes.ts COMPILE_CACHE; package.json's scripts point
# there): a container's first start writes it, and its later starts (a restart, not a new
# container) skip type stripping (about 20 MB less RSS per process, docs/bench.md).
RUN mkdir -p node_modules/.cache/node && chown node:node node_modules/.cache/node

# Files stay root-owned and read-only to the process; nothing else is written under /app at run time.
USER node

CMD ["npm", "start"]
