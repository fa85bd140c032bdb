# mmbot on Deno. First version: runs the default offline paper bot. (Finished in the HTTP/Docker issue.)
FROM denoland/deno:2.9.6
WORKDIR /app
# dependencies first, in their own cached layer
COPY deno.json deno.lock package.json ./
RUN deno install
COPY . .
RUN deno cache mod.ts && chown -R deno:deno /app/data
USER deno
# the SQLite ledger lives here: mount a volume to keep it across containers
VOLUME ["/app/data"]
CMD ["run", "-P", "mod.ts"]
