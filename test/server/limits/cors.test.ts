import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { corsOptions } from '../../../src/server/limits/cors.js';

describe('CAIRN_CORS_ORIGINS', () => {
  it('is a comma-separated list of origins (or *), empty by default', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CAIRN_CORS_ORIGINS: 'https://console.example, http://localhost:5173' }).corsOrigins).toEqual([
      'https://console.example',
      'http://localhost:5173',
    ]);
    expect(loadConfig({ CAIRN_CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
  });

  it('refuses what is not an origin (a path, no scheme), naming the entry', () => {
    expect(() => loadConfig({ CAIRN_CORS_ORIGINS: 'https://console.example/app' })).toThrow(
      'invalid configuration: corsOrigins.0: must be an origin such as https://console.example.com, or *',
    );
    expect(() => loadConfig({ CAIRN_CORS_ORIGINS: 'https://ok.example,console.example' })).toThrow(/corsOrigins\.1: must be an origin/);
  });
});

describe('corsOptions', () => {
  it('turns CORS off without origins, and never allows credentials', () => {
    expect(corsOptions([])).toBe(false);
    expect(corsOptions(['https://a.example'])).toEqual({ origin: ['https://a.example'], credentials: false, exposedHeaders: ['Retry-After'] });
    expect(corsOptions(['https://a.example', '*'])).toMatchObject({ origin: '*', credentials: false });
  });
});
