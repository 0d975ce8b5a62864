// A real authorization server for authgen's OAuth tests: the OpenID-certified
// oidc-provider, configured by the test that starts it (sandbox/src/oidc.rs).
//
// The configuration arrives as JSON in AUTHGEN_OIDC_CONFIG (see `Settings` in oidc.rs for
// every field). Once listening, one line goes to stdout: {"issuer": "..."}. The process
// exits when its stdin closes, so a test killed hard leaves no server behind.
//
// Test-only routes under /__test/ (never part of a real server):
//   GET  /__test/stats      token requests per client, device polls, slow_down answers
//   POST /__test/authorize  {"url"}: plays the browser through login and consent, answers
//                           {"redirect"}: where the server sends the browser back to
//   POST /__test/device     {"user_code"}: plays the user entering and confirming the code
//   POST /__test/rotate     {"keep_old"}: signs with a new key from now on; the JWKS
//                           keeps the old keys beside it, or (keep_old false) drops them

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';

import { createLocalJWKSet, jwtVerify } from 'jose';
import Provider, { errors } from 'oidc-provider';

const settings = JSON.parse(process.env.AUTHGEN_OIDC_CONFIG ?? '{}');
const account = settings.account ?? 'alice';
const tls = settings.tls ?? null;

const stats = { token_requests: {}, device_polls: 0, slow_down: 0 };
const devicePolls = new Map();
const nonceClients = new Set();
// The signing keys, newest first (oidc-provider signs with the first); a rotation builds
// the provider anew around them, its stored grants and cookies kept.
let signingKeys = [signingKey()];
const cookieKeys = [crypto.randomBytes(16).toString('hex')];

const server = tls
  ? https.createServer({
    key: tls.key,
    cert: tls.cert,
    ca: tls.client_ca,
    // Asked of every client, required of none: the mTLS methods check it themselves.
    requestCert: true,
    rejectUnauthorized: false,
  })
  : http.createServer();

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  let callback = makeProvider(issuer).callback();
  rotate = () => { callback = makeProvider(issuer).callback(); };
  server.on('request', (req, res) => {
    if (req.url.startsWith('/__test/')) {
      testRoute(issuer, req, res).catch((error) => answer(res, 500, { error: String(error?.stack ?? error) }));
    } else {
      callback(req, res);
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

// Rebuilds the provider with the current signing keys (set once listening).
let rotate = () => {};

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' };
}

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

function makeProvider(issuer) {
  const clients = (settings.clients ?? []).map(prepareClient);
  const ttl = settings.ttl ?? {};
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: signingKeys },
    cookies: { keys: cookieKeys },
    scopes: ['openid', 'offline_access', ...(settings.scopes ?? [])],
    findAccount: async (ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    clientAuthMethods: [
      'none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt',
      ...(tls ? ['tls_client_auth', 'self_signed_tls_client_auth'] : []),
    ],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      deviceFlow: { enabled: true },
      dPoP: {
        enabled: true,
        nonceSecret: crypto.randomBytes(32),
        requireNonce: (ctx) => settings.dpop_nonce === true || nonceClients.has(ctx.oidc.client?.clientId),
      },
      mTLS: tls ? mtls() : { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx, client, oneOf) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, indicator) => {
          const resource = settings.resources?.[indicator];
          if (!resource) throw new errors.InvalidTarget();
          return { ...resource, accessTokenFormat: 'opaque' };
        },
      },
    },
    // Every client allowed the refresh grant gets a refresh token (no offline_access dance).
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Claims a grant put on its token (token exchange's `act`) are kept, and introspection shows them.
    extraTokenClaims: async (ctx, token) => token.extra,
    rotateRefreshToken: settings.rotate_refresh_tokens ?? true,
    // PKCE for every authorization request: a client that leaves it out is refused.
    pkce: { required: () => true },
    ttl: {
      AccessToken: ttl.access_token ?? 60,
      ClientCredentials: ttl.access_token ?? 60,
      RefreshToken: ttl.refresh_token ?? 600,
      AuthorizationCode: 60,
      DeviceCode: ttl.device_code ?? 120,
      IdToken: ttl.id_token ?? 60,
      Interaction: 300,
      Session: 300,
      Grant: 600,
    },
    interactions: { url: async (ctx, interaction) => `/interaction/${interaction.uid}` },
  });
  provider.use(interactions(provider));
  provider.use(deviceInterval);
  provider.use(countTokenRequests);
  registerGrants(provider, issuer);
  return provider;
}

// Test-only client metadata (x_*) is read here and removed before oidc-provider sees it.
function prepareClient(metadata) {
  const {
    x_self_signed_cert_pem: certPem, x_slow_down_first: slowDownFirst, x_dpop_nonce: dpopNonce, ...client
  } = metadata;
  if (certPem) {
    const cert = new crypto.X509Certificate(certPem);
    const jwk = cert.publicKey.export({ format: 'jwk' });
    client.jwks = { keys: [{ ...jwk, x5c: [cert.raw.toString('base64')] }] };
  }
  if (slowDownFirst) devicePolls.set(`slow:${client.client_id}`, true);
  if (dpopNonce) nonceClients.add(client.client_id);
  return client;
}

function mtls() {
  return {
    enabled: true,
    certificateBoundAccessTokens: true,
    tlsClientAuth: true,
    selfSignedTlsClientAuth: true,
    getCertificate: (ctx) => ctx.socket.getPeerX509Certificate?.(),
    certificateAuthorized: (ctx) => ctx.socket.authorized === true,
    certificateSubjectMatches: (ctx, property, expected) => {
      const cert = ctx.socket.getPeerX509Certificate();
      switch (property) {
        case 'tls_client_auth_san_dns':
          return (cert.subjectAltName ?? '').split(', ').includes(`DNS:${expected}`);
        case 'tls_client_auth_subject_dn':
          return cert.subject.split('\n').join(',') === expected;
        default:
          return false;
      }
    },
  };
}

// Login as the configured account, then consent to everything asked: what a user who
// clicks "allow" does, without pages.
function interactions(provider) {
  return async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([^/]+)$/);
    if (!match || ctx.method !== 'GET') return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { prompt, params, session } = details;
    if (prompt.name === 'login') {
      return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: account } });
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    return provider.interactionFinished(ctx.req, ctx.res, { consent }, { mergeWithLastSubmission: true });
  };
}

// oidc-provider answers no `interval` and never `slow_down`: this adds both (RFC 8628 §3.2,
// §3.5). A poll sooner than the interval is answered `slow_down`, and the interval grows by
// 5 s; a client with x_slow_down_first gets one `slow_down` on its first poll regardless.
async function deviceInterval(ctx, next) {
  await next();
  const interval = settings.device_interval ?? 1;
  if (ctx.oidc?.route === 'device_authorization' && ctx.status === 200) {
    ctx.body.interval = interval;
    devicePolls.set(ctx.body.device_code, { last: Date.now(), interval });
    return;
  }
  const params = ctx.oidc?.params;
  if (ctx.oidc?.route !== 'token' || params?.grant_type !== 'urn:ietf:params:oauth:grant-type:device_code') return;
  stats.device_polls += 1;
  const poll = devicePolls.get(params.device_code);
  if (!poll || ctx.body?.error !== 'authorization_pending') return;
  const now = Date.now();
  const firstSlowDown = `slow:${ctx.oidc.client?.clientId}`;
  const tooSoon = now - poll.last < poll.interval * 1000 - 100;
  poll.last = now;
  if (tooSoon || devicePolls.get(firstSlowDown) === true) {
    devicePolls.set(firstSlowDown, false);
    poll.interval += 5;
    stats.slow_down += 1;
    ctx.body = { error: 'slow_down', error_description: 'you are polling too quickly' };
  }
}

async function countTokenRequests(ctx, next) {
  try {
    await next();
  } finally {
    if (ctx.oidc?.route === 'token') {
      const id = ctx.oidc.client?.clientId ?? ctx.oidc.params?.client_id ?? '?';
      stats.token_requests[id] = (stats.token_requests[id] ?? 0) + 1;
    }
  }
}

// Grants oidc-provider leaves to its users (docs: "Custom Grant Types"): token exchange
// (RFC 8693), the JWT bearer grant (RFC 7523) and, for the explicit opt-in, the password
// grant. Each issues an opaque access token that introspection knows.
function registerGrants(provider, issuer) {
  async function issue(ctx, accountId, scope, extra) {
    const { client } = ctx.oidc;
    const grant = new provider.Grant({ accountId, clientId: client.clientId });
    if (scope) grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const token = new provider.AccessToken({
      accountId, client, grantId, gty: ctx.oidc.params.grant_type, scope: scope || undefined, extra,
    });
    const value = await token.save();
    return { access_token: value, token_type: token.tokenType, expires_in: token.expiration, scope: token.scope };
  }

  provider.registerGrantType('urn:ietf:params:oauth:grant-type:token-exchange', async (ctx) => {
    const { subject_token: subject, subject_token_type: type, scope } = ctx.oidc.params;
    if (!subject) throw new errors.InvalidRequest('subject_token missing');
    if (type !== 'urn:ietf:params:oauth:token-type:access_token') {
      throw new errors.InvalidRequest('only access tokens are exchanged here');
    }
    const found = (await provider.AccessToken.find(subject)) ?? (await provider.ClientCredentials.find(subject));
    if (!found?.isValid) throw new errors.InvalidGrant('subject_token is not an active token');
    const granted = new Set((found.scope ?? '').split(' '));
    const asked = (scope ?? found.scope ?? '').split(' ').filter(Boolean);
    const refused = asked.find((s) => !granted.has(s));
    if (refused) throw new errors.InvalidScope('scope exceeds the subject token', refused);
    const subjectId = found.accountId ?? `client:${found.clientId}`;
    const body = await issue(ctx, subjectId, asked.join(' '), { act: { sub: ctx.oidc.client.clientId } });
    ctx.body = { ...body, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' };
  }, ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'scope', 'audience', 'resource'], ['audience', 'resource']);

  provider.registerGrantType('urn:ietf:params:oauth:grant-type:jwt-bearer', async (ctx) => {
    const trusted = settings.jwt_bearer;
    if (!trusted) throw new errors.UnauthorizedClient('no assertion issuer is trusted');
    let payload;
    try {
      ({ payload } = await jwtVerify(ctx.oidc.params.assertion ?? '', createLocalJWKSet(trusted.jwks), {
        issuer: trusted.issuer,
        audience: [issuer, `${issuer}/token`],
        requiredClaims: ['sub', 'exp', 'jti'],
      }));
    } catch (error) {
      throw new errors.InvalidGrant(`assertion refused: ${error.code ?? error.message}`);
    }
    ctx.body = await issue(ctx, payload.sub, ctx.oidc.params.scope);
  }, ['assertion', 'scope']);

  provider.registerGrantType('password', async (ctx) => {
    const { username, password, scope } = ctx.oidc.params;
    const expected = settings.password_users?.[username];
    if (!expected || expected !== password) throw new errors.InvalidGrant('wrong username or password');
    ctx.body = await issue(ctx, username, scope);
  }, ['username', 'password', 'scope']);
}

async function testRoute(issuer, req, res) {
  const path = new URL(req.url, issuer).pathname;
  if (req.method === 'GET' && path === '/__test/stats') return answer(res, 200, stats);
  const body = JSON.parse((await readBody(req)) || '{}');
  if (req.method === 'POST' && path === '/__test/authorize') {
    return answer(res, 200, { redirect: await browseAuthorization(issuer, body.url) });
  }
  if (req.method === 'POST' && path === '/__test/device') {
    await browseDevice(issuer, body.user_code);
    return answer(res, 200, { ok: true });
  }
  if (req.method === 'POST' && path === '/__test/rotate') {
    signingKeys = [signingKey(), ...(body.keep_old ? signingKeys : [])];
    rotate();
    return answer(res, 200, { ok: true });
  }
  return answer(res, 404, { error: `no test route ${req.method} ${path}` });
}

function answer(res, status, json) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(json));
}

function readBody(stream) {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => { text += chunk; });
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

// A browser in a few lines: a cookie jar (name -> value; every cookie to every path of
// this one server is enough here), redirects followed by hand, hidden form fields sent back.
function browser(issuer) {
  const jar = new Map();
  return async function go(method, url, form) {
    const target = new URL(url, issuer);
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const headers = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await send(method, target, headers, body);
    for (const line of response.headers['set-cookie'] ?? []) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
}

function send(method, url, headers, body) {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method, headers, ca: tls?.cert }, (res) => {
      readBody(res).then((text) => resolve({ status: res.statusCode, headers: res.headers, text }), reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function hiddenFields(html) {
  const fields = {};
  for (const [input] of html.matchAll(/<input[^>]*>/g)) {
    const name = input.match(/name="([^"]*)"/)?.[1];
    const value = input.match(/value="([^"]*)"/)?.[1];
    if (name && value !== undefined && /type="hidden"/.test(input)) fields[name] = value;
  }
  return fields;
}

// Follows the authorization URL through the interactions until the server redirects to
// another origin (the client's redirect URI); answers that URL.
async function browseAuthorization(issuer, start) {
  const go = browser(issuer);
  let url = start;
  for (let hops = 0; hops < 20; hops += 1) {
    const response = await go('GET', url);
    if (![302, 303].includes(response.status)) {
      throw new Error(`the authorization server answered ${response.status} at ${url}: ${response.text.slice(0, 500)}`);
    }
    url = new URL(response.headers.location, url).href;
    if (new URL(url).origin !== issuer) return url;
  }
  throw new Error('more than 20 redirects');
}

// The user at the verification URI: enters the code, confirms, logs in, consents.
async function browseDevice(issuer, userCode) {
  const go = browser(issuer);
  const page = await go('GET', `/device?user_code=${encodeURIComponent(userCode)}`);
  const confirm = await go('POST', '/device', hiddenFields(page.text));
  let response = await go('POST', '/device', hiddenFields(confirm.text));
  for (let hops = 0; [302, 303].includes(response.status) && hops < 20; hops += 1) {
    response = await go('GET', new URL(response.headers.location, issuer).href);
  }
  if (response.status !== 200 || !response.text.includes('Sign-in Success')) {
    throw new Error(`the device flow did not succeed: ${response.status} ${response.text.slice(0, 500)}`);
  }
}
