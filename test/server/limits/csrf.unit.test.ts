import { describe, expect, it } from 'vitest';
import { isPreflighted } from '../../../src/server/limits/csrf.js';

describe('isPreflighted: could a browser have sent this cross-site without a CORS preflight?', () => {
  it.each([
    { headers: {}, preflighted: false, why: 'a link or an <img>: GET without headers' },
    { headers: { 'content-type': 'application/x-www-form-urlencoded' }, preflighted: false, why: 'an HTML form' },
    { headers: { 'content-type': 'multipart/form-data; boundary=x' }, preflighted: false, why: 'a multipart form' },
    { headers: { 'content-type': 'text/plain;charset=UTF-8' }, preflighted: false, why: 'a text/plain fetch' },
    { headers: { authorization: 'Basic dXNlcjpwYXNz' }, preflighted: false, why: 'Basic credentials a browser may attach on its own' },
    { headers: { 'content-type': 'application/json' }, preflighted: true, why: 'a JSON body' },
    { headers: { 'content-type': 'Application/JSON; charset=utf-8' }, preflighted: true, why: 'a JSON body, any case' },
    { headers: { 'content-type': 'application/graphql-response+json' }, preflighted: true, why: 'any non-simple type' },
    { headers: { 'x-graphql-yoga-csrf': '1' }, preflighted: true, why: "yoga's CSRF header" },
    { headers: { 'graphql-require-preflight': '1', 'content-type': 'multipart/form-data' }, preflighted: true, why: 'a preflight header on a form post' },
    { headers: { authorization: 'Bearer cairn_abc' }, preflighted: true, why: 'a bearer token (a browser never attaches one by itself)' },
  ])('$why → $preflighted', ({ headers, preflighted }) => {
    expect(isPreflighted(new Headers(headers as Record<string, string>))).toBe(preflighted);
  });
});
