import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, failureCause } from './logger.ts';

function collect() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

describe('createLogger', () => {
  it('redacts credentials, headers, variables and documents whatever a caller passes', () => {
    const { lines, logger } = collect();
    logger.info(
      {
        authorization: 'Bearer secret-token',
        headers: { authorization: 'Bearer secret-token', 'x-legal-basis': '東京地裁 第123号' },
        request: { variables: { email: 'taro@example.com' }, query: '{ candidate(id: "x") { email } }', token: 'secret-token' },
      },
      'line',
    );
    const text = lines.join('');
    for (const value of ['secret-token', 'taro@example.com', 'candidate(id', '東京地裁']) expect(text).not.toContain(value);
    expect(JSON.parse(text)).toMatchObject({ msg: 'line', authorization: '[redacted]', headers: '[redacted]', request: { variables: '[redacted]' } });
  });
});

describe('failureCause', () => {
  it("names an error's class and code, never its message", () => {
    const error = Object.assign(new Error('invalid input syntax for type uuid: "taro@example.com"'), { code: '22P02' });
    expect(failureCause(error)).toEqual({ type: 'Error', code: '22P02' });
    expect(failureCause(new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }))).toEqual({ type: 'TypeError', code: 'ECONNREFUSED' });
    expect(JSON.stringify(failureCause(Object.assign(new Error('x'), { code: 'taro@example.com' })))).not.toContain('taro');
  });
});
