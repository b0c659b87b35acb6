/** The files a simulated app logs to because its pod has them collected (pure). */
import { describe, expect, it } from 'vitest';
import { collectedLogFiles, matchesName, sampleFileName } from '../../../src/sandbox/node/log-files.js';

describe('collectedLogFiles', () => {
  it('names a file per collected path: the file itself, or one that matches the pattern', () => {
    const env = new Map([
      ['PATH', '/bin'],
      ['aliyun_logs_shop-logs', '/var/log/shop/*.log'],
      ['aliyun_logs_shop-logs_tags', 'app=shop,environment=production'],
      ['aliyun_logs_shop-logs-2', 'stdout'],
      ['aliyun_logs_shop-logs-3', '/srv//logs/./gc.log'],
      ['aliyun_logs_shop-logs-3_target', '/not/a/file.log'],
      ['aliyun_logs_shop-logs-4', '/var/log/shop/access-?.log'],
      ['aliyun_logs_shop-logs-5', '/var/log/shop/[ab].log'],
      ['aliyun_logs_shop-logs-6', '/var/log/shop/'],
      ['ALIYUN_LOGS_X', '/x/y.log'],
    ]);
    expect(collectedLogFiles(env)).toEqual(['/var/log/shop/app.log', '/srv/logs/gc.log', '/var/log/shop/access-0.log']);
  });

  it("names the image's own log file when the pattern matches it, not a second file", () => {
    const env = new Map([
      ['aliyun_logs_web', '/var/log/nginx/*.log'],
      ['aliyun_logs_web-2', '/var/log/nginx/error-*.log'],
    ]);
    expect(collectedLogFiles(env, '/var/log/nginx/access.log')).toEqual(['/var/log/nginx/access.log', '/var/log/nginx/error-app.log']);
  });

  it.each([
    ['*.log', 'access.log', true],
    ['access.?og', 'access.log', true],
    ['*.log', 'access.txt', false],
    ['a.log', 'aXlog', false],
    ['(x)+.log', '(x)+.log', true],
    ['[ab].log', 'a.log', false],
  ])('matchesName(%s, %s) is %s', (pattern, name, expected) => {
    expect(matchesName(pattern, name)).toBe(expected);
  });

  it('turns a pattern into a name that matches it', () => {
    expect(sampleFileName('*.log')).toBe('app.log');
    expect(sampleFileName('app-**.?')).toBe('app-app.0');
    expect(sampleFileName('[a-z].log')).toBeNull();
  });
});
