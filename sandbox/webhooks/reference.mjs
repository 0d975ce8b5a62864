// The providers' own webhook code, for authgen's webhook tests (sandbox/src/webhooks.rs):
// each scheme is signed and verified by the library its provider publishes, so a test
// holds authgen's verifier to what a real provider sends and a real receiver accepts.
//
// One JSON request per stdin line, one JSON answer per stdout line:
//   {"op": "sign", "scheme", "secret", "id", "timestamp", "body"}  -> {"headers": {...}}
//   {"op": "verify", "scheme", "secret", "headers", "body"}        -> {"ok": true} | {"ok": false, "error"}
//   {"op": "bench", "scheme", "secret", "headers", "body", "iterations"} -> {"ns_per_verify"}
// `body` is base64 (the exact bytes); `timestamp` is Unix seconds. The process exits when
// its stdin closes.
//
// Schemes and their libraries: `standard-webhooks` (standardwebhooks), `svix` (svix, its
// `svix-` headers), `stripe` (stripe), `github` (@octokit/webhooks-methods), `slack`
// (@slack/bolt verifies; Slack publishes no signer, so `sign` follows its documented
// recipe with node:crypto), `standard-webhooks-v1a` (no library implements the Ed25519
// entries: the specification's recipe with node:crypto's Ed25519).

import * as crypto from 'node:crypto';
import * as readline from 'node:readline';

import { sign as githubSign, verify as githubVerify } from '@octokit/webhooks-methods';
import bolt from '@slack/bolt';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';

const stripe = new Stripe('sk_test_unused_no_call_is_made');

const signers = {
  'standard-webhooks': (r, body) => ({
    'webhook-id': r.id,
    'webhook-timestamp': String(r.timestamp),
    'webhook-signature': new StandardWebhook(r.secret).sign(r.id, new Date(r.timestamp * 1000), body),
  }),
  svix: (r, body) => ({
    'svix-id': r.id,
    'svix-timestamp': String(r.timestamp),
    'svix-signature': new SvixWebhook(r.secret).sign(r.id, new Date(r.timestamp * 1000), body),
  }),
  stripe: (r, body) => ({
    'stripe-signature': stripe.webhooks.generateTestHeaderString({
      payload: body.toString('utf8'),
      secret: r.secret,
      timestamp: r.timestamp,
    }),
  }),
  github: async (r, body) => ({ 'x-hub-signature-256': await githubSign(r.secret, body.toString('utf8')) }),
  slack: (r, body) => ({
    'x-slack-request-timestamp': String(r.timestamp),
    'x-slack-signature':
      'v0=' + crypto.createHmac('sha256', r.secret).update(`v0:${r.timestamp}:${body.toString('utf8')}`).digest('hex'),
  }),
  'standard-webhooks-v1a': (r, body) => {
    const seed = Buffer.from(r.secret.replace(/^whsk_/, ''), 'base64').subarray(0, 32);
    const key = crypto.createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const signed = Buffer.concat([Buffer.from(`${r.id}.${r.timestamp}.`), body]);
    return {
      'webhook-id': r.id,
      'webhook-timestamp': String(r.timestamp),
      'webhook-signature': 'v1a,' + crypto.sign(null, signed, key).toString('base64'),
    };
  },
};

// Each throws (or resolves false) when the library refuses.
const verifiers = {
  'standard-webhooks': (r, body) => new StandardWebhook(r.secret).verify(body, r.headers),
  svix: (r, body) => new SvixWebhook(r.secret).verify(body, r.headers),
  stripe: (r, body) => stripe.webhooks.constructEvent(body, r.headers['stripe-signature'], r.secret),
  github: async (r, body) => {
    if (!(await githubVerify(r.secret, body.toString('utf8'), r.headers['x-hub-signature-256'] ?? ''))) {
      throw new Error('signature does not match');
    }
  },
  slack: (r, body) =>
    bolt.verifySlackRequest({
      signingSecret: r.secret,
      body: body.toString('utf8'),
      headers: {
        'x-slack-request-timestamp': Number(r.headers['x-slack-request-timestamp']),
        'x-slack-signature': r.headers['x-slack-signature'],
      },
    }),
};

async function verify(r) {
  try {
    await verifiers[r.scheme](r, Buffer.from(r.body, 'base64'));
    return { ok: true };
  } catch (e) {
    return { ok: false, error: String(e.message ?? e) };
  }
}

async function bench(r) {
  const body = Buffer.from(r.body, 'base64');
  const verifier = verifiers[r.scheme];
  for (let i = 0; i < Math.min(r.iterations, 1000); i++) await verifier(r, body); // warm the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < r.iterations; i++) await verifier(r, body);
  return { ns_per_verify: Number(process.hrtime.bigint() - start) / r.iterations };
}

async function answer(r) {
  switch (r.op) {
    case 'sign':
      return { headers: await signers[r.scheme](r, Buffer.from(r.body, 'base64')) };
    case 'verify':
      return verify(r);
    case 'bench':
      return bench(r);
    default:
      return { error: `unknown op ${r.op}` };
  }
}

for await (const line of readline.createInterface({ input: process.stdin })) {
  let reply;
  try {
    reply = await answer(JSON.parse(line));
  } catch (e) {
    reply = { error: String(e.stack ?? e) };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
}
