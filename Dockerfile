FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/scripts ./scripts
# The web service's templates and static files are read at run time.
COPY --from=build /app/apps/web/views ./apps/web/views
COPY --from=build /app/apps/web/assets ./apps/web/assets
COPY --from=build /app/tsconfig.build.json ./
USER node
EXPOSE 3000
CMD ["node", "scripts/run.js", "apps/api/src/main.js"]
