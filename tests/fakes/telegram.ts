/**
 * A fake Telegram Bot API server on 127.0.0.1 speaking the real JSON protocol
 * (`POST /bot<token>/<method>`), so grammY itself is exercised. It keeps pending updates for
 * getUpdates, records every call, and can inject errors (429 with retry_after, 5xx, 409).
 */
import { serve, type Served } from "../../lib/http/serve.ts";
import { until } from "../fixtures.ts";

export interface Call {
  method: string;
  token: string;
  payload: Record<string, unknown>;
  at: number;
  /** files uploaded with the call (multipart/form-data, as grammY sends an InputFile), by field */
  files?: Record<string, Uint8Array>;
}

type Reply = { status: number; body: Record<string, unknown> };

export class FakeTelegram {
  readonly calls: Call[] = [];
  readonly #updates: Record<string, unknown>[] = [];
  readonly #failures = new Map<string, Reply[]>();
  #nextUpdateId = 1000;
  #nextMessageId = 1;
  #server: Served | null = null;
  port = 0;

  constructor(readonly token = "123456:TEST-token") {}

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(port = 0): this {
    this.#server = serve((req) => this.#handle(req), { hostname: "127.0.0.1", port });
    this.port = this.#server.port;
    return this;
  }

  /** Closes the socket: Telegram is unreachable until `start(fake.port)` again. */
  async stop(): Promise<void> {
    await this.#server?.close();
    this.#server = null;
  }

  /** The next `count` calls of `method` get this reply instead of the normal one. */
  failNext(method: string, reply: Reply, count = 1): void {
    const list = this.#failures.get(method) ?? [];
    for (let i = 0; i < count; i++) list.push(reply);
    this.#failures.set(method, list);
  }

  /** A user writing `text` in their private chat with the bot. */
  sendText(fromId: number, text: string, username = `user${fromId}`): void {
    const command = text.match(/^\/\w+/)?.[0];
    this.#updates.push({
      update_id: this.#nextUpdateId++,
      message: {
        message_id: this.#nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: fromId, type: "private", first_name: username },
        from: { id: fromId, is_bot: false, first_name: username, username },
        text,
        ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command.length }] } : {}),
      },
    });
  }

  /** A user pressing an inline button with `data` under message `messageId`. */
  pressButton(fromId: number, data: string, messageId: number): void {
    this.#updates.push({
      update_id: this.#nextUpdateId++,
      callback_query: {
        id: String(this.#nextUpdateId),
        from: { id: fromId, is_bot: false, first_name: `user${fromId}` },
        chat_instance: "1",
        data,
        message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: fromId, type: "private" },
          from: { id: 1, is_bot: true, first_name: "mmbot" },
          text: "status",
        },
      },
    });
  }

  /** Calls of `method` (to `chatId`, if given). */
  sent(method = "sendMessage", chatId?: number): Call[] {
    return this.calls.filter((c) => c.method === method && (chatId === undefined || c.payload.chat_id === chatId));
  }

  /** Waits for a call matching `pred`; returns it. */
  async waitFor(pred: (c: Call) => boolean, ms = 10_000, what = "call"): Promise<Call> {
    let hit: Call | undefined;
    await until(
      () => (hit = this.calls.find(pred)) !== undefined,
      () =>
        `fake Telegram: no ${what}; calls: ${
          this.calls.map((c) => `${c.method} ${JSON.stringify(c.payload).slice(0, 120)}`).join("\n")
        }`,
      ms,
    );
    return hit!;
  }

  /** Waits for a sendMessage whose text contains `text`. */
  waitForMessage(text: string, chatId?: number, ms = 10_000): Promise<Call> {
    return this.waitFor(
      (c) =>
        c.method === "sendMessage" && String(c.payload.text).includes(text) &&
        (chatId === undefined || c.payload.chat_id === chatId),
      ms,
      `message containing ${JSON.stringify(text)}`,
    );
  }

  async #handle(req: Request): Promise<Response> {
    const m = new URL(req.url).pathname.match(/^\/bot([^/]+)\/(\w+)$/);
    if (!m) return json(404, { ok: false, error_code: 404, description: "Not Found" });
    const [, token, method] = m;
    let payload: Record<string, unknown> = {};
    let files: Record<string, Uint8Array> | undefined;
    if (req.method === "POST" && req.headers.get("content-type")?.startsWith("multipart/form-data")) {
      // a file upload: plain fields as Telegram reads them (numbers and objects as text), files as bytes
      files = {};
      for (const [key, value] of await req.formData()) {
        if (typeof value === "string") payload[key] = /^-?\d+$/.test(value) ? Number(value) : value;
        else files[key] = new Uint8Array(await value.arrayBuffer());
      }
      // grammY names the file part by a random id and points the field at it: `photo: attach://<id>`
      for (const [key, value] of Object.entries(payload)) {
        const id = typeof value === "string" ? /^attach:\/\/(.+)$/.exec(value)?.[1] : undefined;
        if (id && files[id]) files[key] = files[id];
      }
    } else {
      const text = req.method === "POST" ? await req.text() : "";
      payload = text ? JSON.parse(text) as Record<string, unknown> : {};
    }
    this.calls.push({ method, token, payload, at: Date.now(), files });
    if (token !== this.token) return json(401, { ok: false, error_code: 401, description: "Unauthorized" });
    const failure = this.#failures.get(method)?.shift();
    if (failure) return json(failure.status, failure.body);
    return json(200, { ok: true, result: await this.#result(method, payload) });
  }

  async #result(method: string, p: Record<string, unknown>): Promise<unknown> {
    switch (method) {
      case "getMe":
        return {
          id: 1,
          is_bot: true,
          first_name: "mmbot",
          username: "mmbot_test_bot",
          can_join_groups: false,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        };
      case "deleteWebhook":
        if (p.drop_pending_updates) this.#updates.length = 0;
        return true;
      case "getUpdates": {
        const offset = Number(p.offset ?? 0);
        // confirmed updates are forgotten, as Telegram does
        while (this.#updates.length && Number(this.#updates[0].update_id) < offset) this.#updates.shift();
        // long polling, cut short so tests stay quick
        const until = Date.now() + Math.min(Number(p.timeout ?? 0), 0.3) * 1000;
        while (!this.#updates.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        return this.#updates.slice(0, Number(p.limit ?? 100));
      }
      case "sendPhoto":
        return {
          message_id: this.#nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: p.chat_id, type: "private" },
          from: { id: 1, is_bot: true, first_name: "mmbot" },
          photo: [{ file_id: `photo${this.#nextMessageId}`, file_unique_id: "u", width: 1000, height: 600 }],
          caption: p.caption,
        };
      case "sendMessage":
      case "editMessageText":
        return {
          message_id: method === "sendMessage" ? this.#nextMessageId++ : p.message_id,
          date: Math.floor(Date.now() / 1000),
          chat: { id: p.chat_id, type: "private" },
          from: { id: 1, is_bot: true, first_name: "mmbot" },
          text: p.text,
        };
      default: // setMyCommands, answerCallbackQuery, …
        return true;
    }
  }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
