/**
 * Issue #17: the partner guide cannot rot. Runs every `sh` block of docs/partner-api.md, in order,
 * in one bash (curl, jq, openssl) against the real API listening on a free port, with a webhook
 * endpoint of the test's own that saves the last delivery where the guide reads it, and checks each
 * block's output against the `text` block under it (`…` stands for any text in a line).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebhookDispatcher } from '@app/platform';
import { startTestApp, type TestContext } from './support/app';

const GUIDE = resolve(__dirname, '../docs/partner-api.md');

interface Block {
  code: string;
  expected?: string;
  line: number;
}

/** The guide's `sh` blocks, each with the `text` block right after it (if any). */
export function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  let m: RegExpExecArray | null;
  let last: Block | undefined;
  let lastEnd = -1;
  while ((m = fence.exec(markdown))) {
    const [all, lang, body] = m;
    const line = markdown.slice(0, m.index).split('\n').length;
    if (lang === 'sh') {
      last = { code: body!, line };
      blocks.push(last);
    } else if (lang === 'text' && last && markdown.slice(lastEnd, m.index).trim() === '') {
      last.expected = body!;
    }
    lastEnd = m.index + all.length;
  }
  return blocks;
}

/** Whether `actual` is `expected` line by line, `…` matching any text within a line. */
export function matches(expected: string, actual: string): boolean {
  const lines = (s: string) =>
    s
      .replace(/\s+$/, '')
      .split('\n')
      .map((l) => l.replace(/\s+$/, ''));
  const want = lines(expected);
  const got = lines(actual);
  return (
    want.length === got.length &&
    want.every((w, i) => {
      const pattern = w
        .split('…')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.+');
      return new RegExp(`^${pattern}$`).test(got[i]!);
    })
  );
}

describe('docs/partner-api.md, run as written (issue #17)', () => {
  let t: TestContext;
  let receiver: Server;
  let dir: string;
  let api: string;
  let hookUrl: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    api = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'partner-guide-'));
    // The partner's endpoint: keeps the last delivery as the guide says, raw body and headers.
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        writeFileSync(join(dir, 'received', 'body'), Buffer.concat(chunks));
        writeFileSync(join(dir, 'received', 'timestamp'), String(req.headers['webhook-timestamp']));
        writeFileSync(join(dir, 'received', 'signature'), String(req.headers['webhook-signature']));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    // The guide's subscription goes with its endpoint: later files' deliveries must not try it.
    const mine = 'SELECT id FROM webhook_subscription WHERE url = $1';
    await t.db.query(`DELETE FROM webhook_delivery WHERE subscription_id IN (${mine})`, [hookUrl]);
    await t.db.query('DELETE FROM webhook_subscription WHERE url = $1', [hookUrl]);
    await new Promise((r) => receiver.close(r));
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses the guide: every section has examples, most with the output they give', () => {
    const blocks = blocksOf(readFileSync(GUIDE, 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(blocks.filter((b) => b.expected !== undefined).length).toBeGreaterThanOrEqual(7);
    expect(matches('a: …\nb', 'a: 12\nb  \n')).toBe(true);
    expect(matches('a: …', 'a: ')).toBe(false);
    expect(matches('x', 'x\ny')).toBe(false);
  });

  it('gives the output the guide shows, block by block', async () => {
    const blocks = blocksOf(readFileSync(GUIDE, 'utf8'));
    const script = [
      'set -euo pipefail',
      `mkdir -p ${JSON.stringify(join(dir, 'received'))}`,
      ...blocks.flatMap((b, i) => [`echo '@@block ${i}@@'`, b.code]),
    ].join('\n');
    // Deliveries go out while the guide waits for them, as the worker would send them.
    const dispatcher = t.app.get(WebhookDispatcher, { strict: false });
    let delivering = Promise.resolve();
    const timer = setInterval(() => {
      delivering = delivering.then(async () => {
        await dispatcher.fanOut();
        await dispatcher.deliverDue();
      });
    }, 200);
    let stdout = '';
    let stderr = '';
    try {
      ({ stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((done, fail) =>
        execFile(
          'bash',
          ['-c', script],
          {
            cwd: dir,
            timeout: 90_000,
            env: { ...process.env, API: api, HOOK_URL: hookUrl, RECEIVED: join(dir, 'received') },
          },
          (err, out, errOut) =>
            err ? fail(new Error(`${err.message}\n${out}\n${errOut}`)) : done({ stdout: out, stderr: errOut }),
        ),
      ));
    } finally {
      clearInterval(timer);
      await delivering;
    }
    const outputs = stdout.split(/^@@block (\d+)@@\n/m);
    const failures: string[] = [];
    blocks.forEach((b, i) => {
      const at = outputs.indexOf(String(i));
      const actual = at >= 0 ? (outputs[at + 1] ?? '') : '<not run>';
      if (b.expected !== undefined && !matches(b.expected, actual)) {
        failures.push(`docs/partner-api.md:${b.line}: expected\n${b.expected}\ngot\n${actual}`);
      }
    });
    expect(failures).toEqual([]);
    expect(stderr).toBe('');
  });
});
