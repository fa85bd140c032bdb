# mmbot on Deno: the default offline paper bot, or any mode through --config / --set and the environment.
#   docker build -t mmbot .
#   docker run --rm -v mmbot-data:/app/data mmbot
FROM denoland/deno:2.9.6

WORKDIR /app

# dependencies first, in their own cached layer (rebuilt only when the manifests change); /chart's PNG renderer
# (resvg as WebAssembly) and its font (DejaVu) come from npm too, so the image needs no system packages
COPY deno.json deno.lock package.json ./
RUN deno install

COPY . .
RUN deno cache mod.ts \
  && mkdir -p /app/data \
  && chown -R deno:deno /app/data

# never run as root
USER deno

# the SQLite ledger lives here: keep it on a volume across containers
VOLUME ["/app/data"]

# secrets only through the environment: TELEGRAM_BOT_TOKEN, TELEGRAM_ALLOWED_USERS,
# EXCHANGE_API_KEY, EXCHANGE_API_SECRET, HTTP_TOKEN (binding 0.0.0.0 requires HTTP_TOKEN)
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["deno", "eval", "const r = await fetch('http://127.0.0.1:8080/health'); if (!r.ok) Deno.exit(1);"]

# -q: without Deno's own notice that config-file permissions are experimental (README → A quiet console)
ENTRYPOINT ["deno", "run", "-q", "-P", "mod.ts"]
CMD []
