// A real OAuth 2 authorization server (oauth2-mock-server) for tests/oauth_tokens.rs.
//
//     node server.mjs [PORT]
//
// Listens on 127.0.0.1 (port 0, the default, picks a free one) with one fresh RS256 signing key
// and prints one JSON line: {"issuer": "http://127.0.0.1:PORT", "kid": "...", "alg": "RS256"}.
// Tokens come from its real endpoints: POST /token with grant_type=client_credentials (the
// library copies `scope` and `aud` into the token); the keys from GET /jwks, found through
// GET /.well-known/openid-configuration.
//
// Extra token request parameters, applied in the library's beforeTokenSigning hook, let a test
// ask for each kind of bad token:
//   client_id=ID        sets the `client_id` claim (RFC 9068)
//   test_claims=JSON    merges a JSON object into the claims; a null value removes the claim
//                       (e.g. {"exp": 1000} for an expired token, {"iss": "..."}, {"aud": null})
//   test_header=JSON    the same for the JWS header (e.g. {"kid": null}); `alg` stays the key's
//
// Commands on stdin, one per line, each answered with one JSON line on stdout:
//   rotate [ALG] [drop]  generate a key (default RS256) and sign every later token with it;
//                        with `drop`, the earlier keys are withdrawn from /jwks as well
//   jwks-fail on|off     make GET /jwks fail (HTTP 400) or work again
//   keys                 the signing key id, the published ones, and how many times /jwks was
//                        requested (so that a test can tell whether the validator fetched)
//   quit                 stop the server and exit (closing stdin does the same)
import { AssertionError } from 'node:assert';
import { createInterface } from 'node:readline';
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.argv[2] ?? 0);
const server = new OAuth2Server();
const store = server.issuer.keys;

const first = await store.generate('RS256');
let signing = first;
const published = new Set([first.kid]);
let jwksFails = false;
let jwksRequests = 0;

// The library signs with its keys in turn; a rotation test needs to know which key signs, and
// to withdraw keys, which the library cannot. Both go through the store's two public methods
// (toJSON serves GET /jwks and nothing else).
const nextKey = store.get.bind(store);
store.get = (kid) => nextKey(kid ?? signing.kid);
const allKeys = store.toJSON.bind(store);
store.toJSON = (includePrivateFields) => {
  jwksRequests += 1;
  if (jwksFails) {
    throw new AssertionError({ message: 'the key set is switched off by the test' });
  }
  return allKeys(includePrivateFields).filter((key) => published.has(key.kid));
};

function merge(target, json, what) {
  if (json === undefined) return;
  const changes = JSON.parse(json);
  if (changes === null || typeof changes !== 'object' || Array.isArray(changes)) {
    throw new AssertionError({ message: `${what} must be a JSON object` });
  }
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete target[name];
    else target[name] = value;
  }
}

server.service.on('beforeTokenSigning', (token, req) => {
  const body = req.body ?? {};
  if (typeof body.client_id === 'string') token.payload.client_id = body.client_id;
  merge(token.payload, body.test_claims, 'test_claims');
  merge(token.header, body.test_header, 'test_header');
});

await server.start(port, '127.0.0.1');
// The library names itself `localhost`; the numeric address avoids a lookup that may try ::1.
server.issuer.url = `http://127.0.0.1:${server.address().port}`;

const reply = (object) => process.stdout.write(`${JSON.stringify(object)}\n`);
reply({ issuer: server.issuer.url, kid: first.kid, alg: first.alg });

async function run(line) {
  const [command, ...args] = line.trim().split(/\s+/);
  switch (command) {
    case 'rotate': {
      const alg = args.find((arg) => arg !== 'drop') ?? 'RS256';
      const key = await store.generate(alg);
      if (args.includes('drop')) published.clear();
      published.add(key.kid);
      signing = key;
      return { ok: true, kid: key.kid, alg: key.alg, published: [...published] };
    }
    case 'jwks-fail':
      if (args[0] !== 'on' && args[0] !== 'off') throw new Error('jwks-fail takes on or off');
      jwksFails = args[0] === 'on';
      return { ok: true, jwks_fails: jwksFails };
    case 'keys':
      return { ok: true, signing: signing.kid, published: [...published], jwks_requests: jwksRequests };
    case 'quit':
      return null;
    default:
      throw new Error(`unknown command \`${command ?? ''}\``);
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === '') continue;
  let answer;
  try {
    answer = await run(line);
  } catch (error) {
    answer = { ok: false, error: String(error?.message ?? error) };
  }
  if (answer === null) break;
  reply(answer);
}
await server.stop();
process.exit(0);
