// Drives the mock with the official Track v1 client, customerio-node@4.4.0.
// Usage: node track.js BASE_URL SITE_ID API_KEY
// Exits 0 when every call resolved (200), 1 when one was rejected, 2 on bad
// usage or when the deadline passed (the client itself never times out).
'use strict';
const http = require('http');
const { TrackClient } = require('customerio-node');

const [base, siteId, apiKey] = process.argv.slice(2);
if (!base || !siteId || !apiKey) {
  console.error('usage: node track.js BASE_URL SITE_ID API_KEY');
  process.exit(2);
}
setTimeout(() => { console.error('track.js: deadline passed'); process.exit(2); }, 20000).unref();

// 4.4.0 drops the URL's port and scheme: pass them as request options
// (reference/official-clients-wire.md).
const u = new URL(base);
const cio = new TrackClient(siteId, apiKey, {
  url: `${u.origin}/api/v1`,
  port: Number(u.port),
  protocol: 'http:',
  agent: new http.Agent({ keepAlive: true }),
});

const steps = [
  ['identify user-t1', () => cio.identify('user-t1', { email: 'T1@Example.com', first_name: 'Tess', orders_count: 2, created_at: 1700000000 })],
  ['track user-t1', () => cio.track('user-t1', { name: 'Order Placed', data: { order_id: 'o-9', value: 10.5, currency: 'EUR' } })],
  ['trackAnonymous anon-t1', () => cio.trackAnonymous('anon-t1', { name: 'Viewed Product', data: { product_id: 'sku-9' } })],
  ['identify user-t1 with anonymous_id', () => cio.identify('user-t1', { anonymous_id: 'anon-t1' })],
  ['identify user-t2', () => cio.identify('user-t2', { email: 't2@example.com', loyalty: 'gold' })],
  ['track user-t2', () => cio.track('user-t2', { name: 'Signed Up', data: { source: 'footer' } })],
  ['mergeCustomers', () => cio.mergeCustomers('id', 'user-t1', 'email', 't2@example.com')],
  ['addDevice', () => cio.addDevice('user-t1', 'tok-t1', 'ios', { last_used: 1700000000, app_version: '1.2' })],
  ['trackPageView', () => cio.trackPageView('user-t1', '/checkout/thanks')],
  ['identify user-t3', () => cio.identify('user-t3', { email: 't3@example.com' })],
  ['suppress user-t3', () => cio.suppress('user-t3')],
  ['identify user-t3 after suppress', () => cio.identify('user-t3', { first_name: 'Back' })],
  ['identify by email with +', () => cio.identify('shopper+1@example.com', { first_name: 'Plus' })],
];

async function main() {
  for (const [name, call] of steps) {
    try {
      await call();
    } catch (err) {
      console.error(`track.js: ${name}: ${err.statusCode || ''} ${err.message}`);
      process.exit(1);
    }
  }
  console.log(JSON.stringify({ calls: steps.length }));
}

main();
