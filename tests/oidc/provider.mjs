// A real OpenID Connect provider for the sign-in tests: npm's oidc-provider (OpenID
// Certified), with a small login page of our own instead of its development pages
// (those load web fonts from the internet).
//
// Environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated) and
// ACCOUNTS_FILE, a JSON object {login: {password, sub, email, email_verified, name,
// groups}} read at every sign-in, so a test can move someone out of a group.
//
// Test-only control, /__test__/tamper?next=expired|audience|issuer|foreign-key: the next
// token response carries an ID token re-signed with the provider's own key (or, for
// foreign-key, another key under the same kid) with that one claim made wrong. The app's
// real validation then meets real, signed tokens that it must refuse.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.CLIENT_ID;
const accountsFile = process.env.ACCOUNTS_FILE;

const accounts = () => JSON.parse(readFileSync(accountsFile, 'utf8'));

async function signingKey(kid) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

const key = await signingKey('test-key-1');
const foreignKey = await signingKey('test-key-1'); // same kid, not published

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: process.env.REDIRECT_URIS.split(','),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [key] },
  cookies: { keys: ['tests-only-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const found = Object.entries(accounts()).find(([, a]) => a.sub === id);
    if (!found) return undefined;
    const [login, account] = found;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: account.email,
          email_verified: account.email_verified ?? true,
          name: account.name,
          preferred_username: login,
          groups: account.groups ?? [],
        };
      },
    };
  },
});

let tamper = null;
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || ctx.status !== 200 || !tamper || !ctx.body?.id_token) return;
  const kind = tamper;
  tamper = null;
  const claims = jose.decodeJwt(ctx.body.id_token);
  const now = Math.floor(Date.now() / 1000);
  if (kind === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (kind === 'audience') claims.aud = 'another-application';
  if (kind === 'issuer') claims.iss = 'http://127.0.0.1:9/unknown-issuer';
  const signWith = kind === 'foreign-key' ? foreignKey : key;
  ctx.body.id_token = await new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: signWith.kid, typ: 'JWT' })
    .sign(await jose.importJWK(signWith, 'RS256'));
});

const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${title}</title><link rel="icon" href="data:,"></head><body><main><h1>${title}</h1>${body}</main></body></html>`;

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    let error = '';
    if (req.method === 'POST') {
      const form = await readForm(req);
      const account = accounts()[form.get('login')];
      if (account && account.password === form.get('password')) {
        await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, {
          mergeWithLastSubmission: false,
        });
        return;
      }
      error = '<p role="alert">Wrong login or password.</p>';
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(page('Test identity provider: sign in', `${error}
<form method="post" action="/interaction/${escape(uid)}">
<label>Login <input name="login" autocomplete="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form>`));
    return;
  }
  // Consent: a company's own application is granted what it asks for.
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, {
    mergeWithLastSubmission: true,
  });
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname === '/favicon.ico') {
      res.statusCode = 204; // browsers ask; an empty answer keeps their console clean
      res.end();
      return;
    }
    if (url.pathname === '/__test__/tamper') {
      tamper = url.searchParams.get('next');
      res.end(`next token: ${tamper}`);
      return;
    }
    const match = url.pathname.match(/^\/interaction\/([\w-]+)$/);
    if (match) {
      await interaction(req, res, match[1]);
      return;
    }
    callback(req, res);
  } catch (error) {
    res.statusCode = 500;
    res.end(page('Test identity provider error', `<pre>${escape(error.stack)}</pre>`));
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});
