import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { AppLogger, createRootLogger, currentRequestId, logRequestCompleted, runWithRequestId } from './logging';

/** A root logger writing into an array of parsed lines. */
function capture(level = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const logger = createRootLogger(level, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('the request id on every log line (AsyncLocalStorage + pino mixin)', () => {
  it('adds the id of the request being served to every line, across awaits, and none outside', async () => {
    const { logger, lines } = capture();
    logger.info('before');
    await runWithRequestId('req-aaaa-1111', async () => {
      logger.info('first');
      await sleep(1);
      await Promise.all([
        runWithRequestId('req-bbbb-2222', async () => {
          await sleep(2);
          logger.warn('other request');
        }),
        (async () => {
          await sleep(3);
          logger.error({ err: { message: 'x' } }, 'after awaits');
        })(),
      ]);
      expect(currentRequestId()).toBe('req-aaaa-1111');
    });
    logger.info('after');
    expect(lines.map((l) => [l.msg, l.reqId])).toEqual([
      ['before', undefined],
      ['first', 'req-aaaa-1111'],
      ['other request', 'req-bbbb-2222'],
      ['after awaits', 'req-aaaa-1111'],
      ['after', undefined],
    ]);
  });

  it("carries Nest's Logger calls (object, message, context) into the same lines", () => {
    const { logger, lines } = capture();
    const app = new AppLogger(logger);
    Logger.overrideLogger(app);
    try {
      runWithRequestId('req-cccc-3333', () => {
        new Logger('Errors').warn({ err: { name: 'E', message: 'm' } }, 'Service unavailable');
        new Logger('Jobs').log('plain text');
      });
    } finally {
      Logger.overrideLogger(false);
    }
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        reqId: 'req-cccc-3333',
        context: 'Errors',
        err: expect.objectContaining({ name: 'E', message: 'm' }),
        msg: 'Service unavailable',
      }),
      expect.objectContaining({ level: 30, reqId: 'req-cccc-3333', context: 'Jobs', msg: 'plain text' }),
    ]);
  });

  it('writes one request line: path without query, status, time; none for /health or below the level', () => {
    const { logger, lines } = capture('info');
    const req = { id: 'req-dddd-4444', method: 'GET', url: '/api/v1/children?q=Jane%20Doe' };
    logRequestCompleted(logger, req, 200, 1.234);
    logRequestCompleted(logger, { ...req, url: '/health' }, 200, 1);
    logRequestCompleted(logger, req, 404, 2);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        reqId: 'req-dddd-4444',
        req: { id: 'req-dddd-4444', method: 'GET', path: '/api/v1/children' },
        res: { statusCode: 200 },
        responseTime: 1.2,
        msg: 'request completed',
      }),
      expect.objectContaining({ level: 40, res: { statusCode: 404 } }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('Jane');

    const quiet = capture('warn');
    logRequestCompleted(quiet.logger, req, 200, 1);
    expect(quiet.lines).toEqual([]);
  });
});
