import { get } from 'node:http';

/** GET a URL with node:http and a timeout; resolves '' when nothing answers. */
export function httpGetText(url: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', () => resolve(''));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve(''));
  });
}

/** Retries until the URL answers (an app starting up), for at most `tries` × 200 ms. */
export async function waitForText(url: string, tries = 50): Promise<string> {
  for (let i = 0; i < tries; i++) {
    const body = await httpGetText(url);
    if (body) return body;
    await new Promise((r) => setTimeout(r, 200));
  }
  return '';
}
