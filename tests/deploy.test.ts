/**
 * The shipped deployment files (docker-compose.yml, grafana/, deploy/k8s/): checked with Prometheus' own promtool and
 * the bot's own config validation, since this machine has no Docker daemon to run them.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { loadConfig, parseCli } from "../lib/config/cli.ts";
import { Metrics, renderMetrics } from "../lib/http/metrics.ts";
import { parseOptimizeArgs } from "../lib/app/optimize-command.ts";
import { ProcessProbe } from "../lib/engine/process.ts";

const PROMTOOL = process.env.PROMTOOL ?? "promtool";
const compose = parse(readFileSync("docker-compose.yml", "utf8"), { merge: true }) as {
  services: Record<string, { command?: string[]; ports?: string[]; environment?: Record<string, string> }>;
};
const prometheus = readFileSync("grafana/prometheus.yml", "utf8");
const dashboard = JSON.parse(readFileSync("grafana/dashboards/mmbot.json", "utf8")) as {
  panels: { title: string; targets: { expr: string }[] }[];
};
const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));
const bots = Object.entries(compose.services).filter(([, s]) => s.command?.includes("--set"));

describe("docker-compose.yml: one bot per market", () => {
  test("each bot's command is a valid configuration, with its own ledger and port, on 0.0.0.0 with HTTP_TOKEN", () => {
    expect(bots.length).toBeGreaterThanOrEqual(2);
    const ledgers = new Set<string>(), symbols = new Set<string>(), ports = new Set<string>();
    for (const [name, s] of bots) {
      const cli = parseCli(s.command!);
      const cfg = loadConfig(cli.configPath, cli.sets); // throws a ConfigError naming the bad key
      ledgers.add(cfg.storage.path);
      symbols.add(cfg.market.symbol);
      for (const p of s.ports ?? []) ports.add(p.split(":").slice(-2, -1)[0]);
      expect([name, cfg.http.host, cfg.http.port]).toEqual([name, "0.0.0.0", 8080]);
      expect(s.environment?.HTTP_TOKEN, name).toStartWith("${HTTP_TOKEN");
    }
    expect([ledgers.size, symbols.size, ports.size]).toEqual([bots.length, bots.length, bots.length]);
  });

  test("Prometheus scrapes exactly the bots, and its configuration passes `promtool check config`", () => {
    const targets = [...prometheus.matchAll(/targets: \["([^"]+)"\]/g)].map((m) => m[1]).sort();
    expect(targets).toEqual(bots.map(([name]) => `${name}:8080`).sort());
    const dir = mkdtempSync(join(tmpdir(), "mmbot-prom-config-"));
    try {
      // the token file is the compose secret inside the container: a stand-in here
      writeFileSync(join(dir, "token"), "t0ken\n");
      writeFileSync(join(dir, "prometheus.yml"), prometheus.replace("/run/secrets/http_token", join(dir, "token")));
      const r = spawnSync(PROMTOOL, ["check", "config", join(dir, "prometheus.yml")], {
        encoding: "utf8",
        timeout: 60_000,
      });
      expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the Grafana dashboard", () => {
  test("every query is valid PromQL (promtool parses it as a recording rule)", () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-prom-rules-"));
    try {
      const rules = {
        groups: [{
          name: "dashboard",
          rules: exprs.map((e, i) => ({ record: `dashboard:q${i}`, expr: e.expr.replaceAll("$market", ".*") })),
        }],
      };
      writeFileSync(join(dir, "rules.json"), JSON.stringify(rules)); // YAML is a superset of JSON
      const r = spawnSync(PROMTOOL, ["check", "rules", join(dir, "rules.json")], { encoding: "utf8", timeout: 60_000 });
      expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0 });
      expect(r.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every metric it queries is one the bot exports", () => {
    const m = new Metrics(new ProcessProbe());
    m.requests.set("topOfBook", { count: 1, seconds: 0.01 });
    const status = {
      mode: "paper",
      symbol: "ETH/USDT",
      profile: "natr_macd",
      state: "quoting",
      indicators: { natr: null, rsi: null, macd: null },
      decision: null,
      inventory: null,
      pnl: null,
    } as unknown as Parameters<typeof renderMetrics>[1];
    const text = renderMetrics(m, status, { version: "0", runtime: "bun" });
    const exported = new Set(
      [...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap(([, name, type]) =>
        type === "summary" ? [`${name}_sum`, `${name}_count`] : [name]
      ),
    );
    const queried = new Set(exprs.flatMap((e) => e.expr.match(/\b(mm|process|nodejs)_[a-z_]+/g) ?? []));
    expect(queried.size).toBeGreaterThan(15);
    expect([...queried].filter((n) => !exported.has(n))).toEqual([]);
  });
});

describe("deploy/k8s/optimize-job.yaml: optimize as a Kubernetes Indexed Job", () => {
  type Container = {
    image: string;
    args: string[];
    env?: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
    volumeMounts: { name: string; mountPath: string }[];
  };
  type Doc = {
    kind: string;
    metadata: { name: string; labels: Record<string, string> };
    spec: {
      completionMode?: string;
      completions?: number;
      parallelism?: number;
      template: {
        spec: {
          restartPolicy: string;
          containers: Container[];
          volumes: { name: string; persistentVolumeClaim: { claimName: string } }[];
        };
      };
    };
  };
  const docs = parseAllDocuments(readFileSync("deploy/k8s/optimize-job.yaml", "utf8")).map((d) => d.toJS() as Doc);
  const jobs = docs.filter((d) => d.kind === "Job");
  const shards = jobs.find((j) => j.spec.completionMode === "Indexed")!;
  const merge = jobs.find((j) => j !== shards)!;
  /** the claim behind a container's mount path */
  const claimAt = (job: Doc, path: string) => {
    const mount = job.spec.template.spec.containers[0].volumeMounts.find((m) => path.startsWith(m.mountPath + "/"))!;
    return job.spec.template.spec.volumes.find((v) => v.name === mount.name)!.persistentVolumeClaim.claimName;
  };

  test("one pod per shard: completions = parallelism = N, and pod I runs `optimize --shard I/N` to its own part", () => {
    expect(jobs.length).toBe(2);
    const n = shards.spec.completions!;
    expect(n).toBeGreaterThan(1);
    expect(shards.spec.parallelism).toBe(n);
    expect(shards.spec.template.spec.restartPolicy).toBe("Never");
    const [c] = shards.spec.template.spec.containers;
    // $(SHARD) is the pod's completion index, which Kubernetes writes in this annotation
    const shardVar = c.env!.find((e) => e.name === "SHARD")!;
    expect(shardVar.valueFrom!.fieldRef!.fieldPath).toBe(
      "metadata.annotations['batch.kubernetes.io/job-completion-index']",
    );
    expect(c.args[0]).toBe("optimize");
    const parts = new Set<string>();
    for (let i = 0; i < n; i++) {
      // what the pod with index i runs, read by the command's own parser
      const opts = parseOptimizeArgs(c.args.slice(1).map((a) => a.replaceAll("$(SHARD)", String(i))));
      expect(opts.shard).toEqual({ index: i, count: n });
      parts.add(opts.json!);
      expect(claimAt(shards, opts.json!)).toBe("mmbot-optimize-parts");
    }
    expect(parts.size).toBe(n);
  });

  test("the merge reads every shard's part, from the same volume, and writes the report there", () => {
    const [c] = shards.spec.template.spec.containers;
    const n = shards.spec.completions!;
    const parts = Array.from({ length: n }, (_, i) =>
      parseOptimizeArgs(
        c.args.slice(1).map((a) => a.replaceAll("$(SHARD)", String(i))),
      ).json!);
    const [m] = merge.spec.template.spec.containers;
    expect(m.image).toBe(c.image);
    expect(m.args[0]).toBe("optimize");
    const opts = parseOptimizeArgs(m.args.slice(1));
    expect([...opts.merge].sort()).toEqual([...parts].sort());
    for (const p of [...opts.merge, opts.json!]) expect(claimAt(merge, p)).toBe("mmbot-optimize-parts");
  });

  test("the files every job mounts are claimed in the same file; steps are labelled for `kubectl apply -l step=…`", () => {
    const claims = docs.filter((d) => d.kind === "PersistentVolumeClaim").map((d) => d.metadata.name);
    for (const job of jobs) {
      for (const v of job.spec.template.spec.volumes) expect(claims).toContain(v.persistentVolumeClaim.claimName);
    }
    expect(docs.map((d) => d.metadata.labels.step)).toEqual(["volumes", "volumes", "shards", "merge"]);
  });
});
