// Drives agc-gateway with the real @nangohq/node 0.71.10 (NODE_PATH/--prefix install by NangoSdkCompatTest).
// Env: HOST (gateway base URL), KEY (secret key), CONNECTION (an existing agc-sandbox connection id),
// REJECTED (another one whose next refresh the sandbox token endpoint refuses).
// Prints one "ok <step>" line per step; any failure prints "fail <step> <message>" and exits 1.
import { createRequire } from 'node:module';
const require = createRequire(process.env.SDK_DIR + '/');
const { Nango } = require('@nangohq/node');

const nango = new Nango({ host: process.env.HOST, secretKey: process.env.KEY });
const conn = process.env.CONNECTION;
let step = 'start';
const ok = (s) => console.log('ok ' + s);
try {
  step = 'getTokenRefreshRejected';
  try {
    await nango.getToken('agc-sandbox', process.env.REJECTED, true);
    throw new Error('no error');
  } catch (e) {
    const err = e.response?.data?.error;
    if (e.response?.status !== 400 || err?.code !== 'invalid_credentials' || err.payload?.connection?.connection_id !== process.env.REJECTED)
      throw e.response ? new Error(e.response.status + ' ' + JSON.stringify(e.response.data)) : e;
  }
  ok(step);
  step = 'createConnectSession';
  const s = await nango.createConnectSession({ end_user: { id: 'sdk-user' }, allowed_integrations: ['agc-sandbox'] });
  if (!/^nango_connect_session_[a-f0-9]{64}$/.test(s.data.token)) throw new Error('bad token');
  ok(step);
  step = 'getConnection';
  const c = await nango.getConnection('agc-sandbox', conn);
  if (c.connection_id !== conn || !c.credentials.access_token || c.credentials.refresh_token) throw new Error(JSON.stringify(c));
  ok(step);
  step = 'getToken';
  const t = await nango.getToken('agc-sandbox', conn);
  if (typeof t !== 'string' || !t) throw new Error('no token');
  ok(step);
  step = 'listConnections';
  const l = await nango.listConnections();
  if (!l.connections.some((x) => x.connection_id === conn && x.created)) throw new Error(JSON.stringify(l));
  ok(step);
  step = 'listConnectionsByTags';
  const byEmail = await nango.listConnections({ tags: { email: 'sdk-owner@example.gov' } });
  if (byEmail.connections.length !== 1 || byEmail.connections[0].connection_id !== conn || byEmail.connections[0].tags.end_user_id !== 'sdk-owner')
    throw new Error(JSON.stringify(byEmail));
  const byOrg = await nango.listConnections({ tags: { organization_id: 'org1', end_user_email: 'sdk-owner@example.gov' } });
  if (byOrg.connections.length !== 1) throw new Error(JSON.stringify(byOrg));
  ok(step);
  step = 'setMetadata';
  await nango.setMetadata('agc-sandbox', conn, { a: 1 });
  await nango.updateMetadata('agc-sandbox', conn, { b: 2 });
  const md = await nango.getMetadata('agc-sandbox', conn);
  if (md.a !== 1 || md.b !== 2) throw new Error(JSON.stringify(md));
  ok(step);
  step = 'integrations';
  await nango.createIntegration({ provider: 'atlassian-government-cloud', unique_key: 'sdk-int',
    credentials: { type: 'OAUTH2', client_id: 'id', client_secret: 'secret', scopes: 'read:jira-work' } });
  const li = await nango.listIntegrations();
  if (!li.configs.some((i) => i.unique_key === 'sdk-int')) throw new Error(JSON.stringify(li));
  const gi = await nango.getIntegration({ uniqueKey: 'sdk-int' }, { include: ['credentials'] });
  if (gi.data.credentials.client_id !== 'id') throw new Error(JSON.stringify(gi));
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(gi.data.created_at)) throw new Error('timestamp ' + gi.data.created_at);
  const gw = await nango.getIntegration({ uniqueKey: 'sdk-int' }, { include: ['webhook'] });
  if (!('webhook_url' in gw.data) || 'credentials' in gw.data) throw new Error(JSON.stringify(gw));
  const lp = await nango.listProviders({ search: 'SANDBOX' });
  if (lp.data.length !== 1 || lp.data[0].name !== 'atlassian-government-cloud-sandbox' || !lp.data[0].logo_url.endsWith('/logos/atlassian-government-cloud-sandbox.svg'))
    throw new Error(JSON.stringify(lp.data.map((p) => [p.name, p.logo_url])));
  const all = await nango.listProviders({});
  if (all.data.length < 2) throw new Error('unfiltered list has ' + all.data.length);
  await nango.updateIntegration({ uniqueKey: 'sdk-int' }, { display_name: 'SDK' });
  await nango.deleteIntegration('sdk-int');
  ok(step);
  step = 'deleteConnection';
  await nango.deleteConnection('agc-sandbox', conn);
  try {
    await nango.getConnection('agc-sandbox', conn);
    throw new Error('still there');
  } catch (e) {
    if (e.response?.status !== 404) throw e;
  }
  // Nango's codes for a connection that is not there (issue 15 item 9)
  try {
    await nango.deleteConnection('agc-sandbox', conn);
    throw new Error('second delete succeeded');
  } catch (e) {
    if (e.response?.status !== 400 || e.response.data.error.code !== 'unknown_connection') throw e;
  }
  try {
    await nango.setMetadata('agc-sandbox', conn, { a: 1 });
    throw new Error('metadata on a deleted connection succeeded');
  } catch (e) {
    if (e.response?.status !== 404 || e.response.data.error.code !== 'unknown_connection') throw e;
  }
  ok(step);
} catch (e) {
  console.log('fail ' + step + ' ' + (e.response ? e.response.status + ' ' + JSON.stringify(e.response.data) : e.message));
  process.exit(1);
}
