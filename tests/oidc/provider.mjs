// The OpenID Connect provider the browser tests sign in through (tests/test_sso_browser.py):
// node's oidc-provider on 127.0.0.1, a port of its own, with its own small login form
// (email and password) and no consent screen, as a school's identity service would look
// to Rollbook. Test-only: dev signing keys, in-memory storage.
//
// Environment: OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI (Rollbook's callback),
// OIDC_ACCOUNTS (JSON: [{login, password, sub, email, email_verified, given_name,
// family_name}]), OIDC_CLOCK_OFFSET_MS (how far the tests moved their clock: the tokens'
// iat/exp must agree with it). Prints "listening <issuer>" on stdout once it answers.
import http from 'node:http';
import Provider from 'oidc-provider';

// The provider reads the time only while answering requests, so moving Date.now here,
// before the server starts, moves every timestamp it writes.
const offset = Number(process.env.OIDC_CLOCK_OFFSET_MS || 0);
if (offset) {
  const realNow = Date.now;
  Date.now = () => realNow() + offset;
}

const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '[]');
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, error) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>School ID</title></head>
<body><h1>School ID: sign in</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Email <input type="email" name="login" required autofocus></label>
<label>Password <input type="password" name="password" required></label>
<button type="submit">Continue</button>
</form></body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

let provider;
const server = http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!match) {
    provider.callback()(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'POST' && match[2]) {
      const form = await readForm(req);
      const account = accounts.find(
        (a) => a.login.toLowerCase() === (form.get('login') || '').toLowerCase()
          && a.password === form.get('password'),
      );
      if (!account) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(loginPage(details.uid, 'Wrong email or password.'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, {
        mergeWithLastSubmission: false,
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(loginPage(details.uid));
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(String(err));
  }
});

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = new Provider(issuer, {
    clients: [{
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'name'],
    },
    cookies: { keys: ['rollbook-tests-only'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const account = accounts.find((a) => a.sub === sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: account.email,
            email_verified: account.email_verified !== false,
            given_name: account.given_name,
            family_name: account.family_name,
            name: [account.given_name, account.family_name].filter(Boolean).join(' '),
          };
        },
      };
    },
    // Rollbook is the school's own application: no consent screen.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      grant.addOIDCClaims(['email', 'email_verified', 'given_name', 'family_name', 'name']);
      await grant.save();
      return grant;
    },
  });
  process.stdout.write(`listening ${issuer}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
