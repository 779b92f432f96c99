/**
 * What request logging costs per request, without HTTP: the API's (the request id entered into
 * the AsyncLocalStorage the root logger's mixin reads, and one request line at the end) against
 * pino-http's (a child logger per request, a `finish` listener, the line), at LOG_LEVEL warn (no
 * request line written, as the bench runs the API) and info (one line, to /dev/null).
 *
 *   npm run build && node scripts/run.js bench/request-logging.js      (N=100000 calls per case)
 */
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import { createRootLogger, logRequestCompleted, runWithRequestId } from '@app/platform';
import { int } from './common';

const n = int('N', 100_000);
const devNull = pino.destination({ dest: '/dev/null', sync: true });
const req = { id: 'req-aaaa-1111', method: 'GET', url: '/api/v1/children/5b8c6f0e-1d2a-4c3b-9e8f-0a1b2c3d4e5f' };

function perCall(name: string, fn: () => void): void {
  for (let i = 0; i < Math.min(n, 5_000); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const micros = Number(process.hrtime.bigint() - start) / 1000 / n;
  console.log(`${name.padEnd(24)} ${micros.toFixed(2)} µs per request`);
}

for (const level of ['warn', 'info']) {
  const logger = createRootLogger(level, devNull);
  perCall(`API, ${level}`, () => runWithRequestId(req.id, () => logRequestCompleted(logger, req, 200, 1.2)));
  const middleware = pinoHttp({
    logger: pino({ level }, devNull),
    genReqId: () => req.id,
    serializers: { req: (r: typeof req) => ({ id: r.id, method: r.method }), res: () => ({ statusCode: 200 }) },
  });
  perCall(`pino-http, ${level}`, () => {
    const res = Object.assign(new EventEmitter(), { statusCode: 200, getHeaders: () => ({}), setHeader: () => {} });
    middleware({ ...req, headers: {} } as never, res as never);
    res.emit('finish');
  });
}
