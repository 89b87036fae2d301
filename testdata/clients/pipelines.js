// Drives the mock with the official Pipelines client, @customerio/cdp-analytics-node.
// Usage: node pipelines.js BASE_URL WRITE_KEY journey|retry
// Exits 0 when every call was delivered (2xx), 1 when a call failed or never
// settled, 2 on bad usage or when the deadline passed.
'use strict';
const { Analytics } = require('@customerio/cdp-analytics-node');

const [base, writeKey, mode = 'journey'] = process.argv.slice(2);
if (!base || !writeKey) {
  console.error('usage: node pipelines.js BASE_URL WRITE_KEY journey|retry');
  process.exit(2);
}
// The client never times out a stalled close; the driver has its own deadline.
setTimeout(() => { console.error('pipelines.js: deadline passed'); process.exit(2); }, 20000).unref();

const plans = {
  // Anonymous browsing, then identify with anonymousId + userId, then a purchase.
  journey: {
    options: { maxEventsInBatch: 3, maxRetries: 2 },
    calls: (a, cb) => {
      a.track({ anonymousId: 'anon-p1', event: 'Viewed Product', properties: { product_id: 'sku-1', price: 19.99 } }, cb);
      a.page({ anonymousId: 'anon-p1', name: 'Product', properties: { path: '/p/sku-1' } }, cb);
      a.identify({ anonymousId: 'anon-p1', userId: 'user-p1', traits: { email: 'p1@example.com', first_name: 'Pat', orders_count: 1, vip: false } }, cb);
      a.track({ userId: 'user-p1', event: 'Order Placed', properties: { order_id: 'o-1', value: 42.5, currency: 'USD', items: [{ sku: 'sku-1', qty: 2 }] } }, cb);
      a.page({ userId: 'user-p1', name: 'Thank You', properties: { path: '/thanks' } }, cb);
      a.track({ userId: 'user-p1', event: 'Coupon Applied', messageId: 'cioharness-dup-1', properties: { code: 'TEN' } }, cb);
      a.track({ userId: 'user-p1', event: 'Coupon Applied', messageId: 'cioharness-dup-1', properties: { code: 'TEN' } }, cb);
    },
  },
  // Self-contained batches of two (identify + track) so any arrival order
  // works; the Go test makes the mock answer some of them 429.
  retry: {
    options: { maxEventsInBatch: 2, maxRetries: 10 },
    calls: (a, cb) => {
      for (const n of [1, 2, 3]) {
        a.identify({ userId: `user-r${n}`, traits: { email: `r${n}@example.com` } }, cb);
        a.track({ userId: `user-r${n}`, event: 'Retry Event', properties: { n } }, cb);
      }
    },
  },
};

async function main() {
  const plan = plans[mode];
  if (!plan) {
    console.error(`pipelines.js: unknown mode ${mode}`);
    process.exit(2);
  }
  const analytics = new Analytics({ writeKey, host: base, path: '/v1/batch', flushInterval: 10000, ...plan.options });
  let settled = 0;
  const errors = [];
  const cb = (err) => {
    settled++;
    if (err) errors.push(String(err && err.message ? err.message : err));
  };
  plan.calls(analytics, cb);
  await analytics.closeAndFlush({ timeout: 15000 });
  const want = countCalls(plan);
  const out = { mode, calls: want, settled, errors };
  console.log(JSON.stringify(out));
  if (errors.length > 0 || settled !== want) {
    console.error(`pipelines.js: ${settled}/${want} calls settled, errors: ${errors.join('; ')}`);
    process.exit(1);
  }
}

// countCalls runs the plan against a counter to know how many calls it makes.
function countCalls(plan) {
  let n = 0;
  const counter = { track: () => n++, page: () => n++, identify: () => n++ };
  plan.calls(counter, () => {});
  return n;
}

main().catch((err) => { console.error('pipelines.js:', err); process.exit(1); });
