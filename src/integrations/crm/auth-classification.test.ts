import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmKey } from '#src/domain/crm.ts';
import { createConnectorFactory } from '#src/integrations/crm/crm-connectors.ts';
import { makeCrmConnection } from '#tests/factories/crm-connection.factory.ts';
import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';

/**
 * Auth failures are classified by HTTP status and the vendor's error code, never by the
 * message text: a server answers each connector's token check over real HTTP with a chosen
 * status and body, and the message says the opposite of the code.
 */

let reply: { status: number; body: unknown } = { status: 200, body: {} };
let server: Server;
let baseUrl = '';

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function verify(crm: CrmKey, status: number, body: unknown) {
  reply = { status, body };
  const connectorFor = createConnectorFactory({
    baseUrls: { [crm]: baseUrl },
    policy: FAST_RETRY_POLICY,
  });
  return connectorFor(makeCrmConnection(crm)).verifyCredentials();
}

const hubspot = (category: string, message: string) => ({
  status: 'error',
  message,
  correlationId: 'c0ffee',
  category,
});

describe('auth failures are classified by status and vendor code, not by message text', () => {
  it('HubSpot: EXPIRED_AUTHENTICATION is expired; INVALID_AUTHENTICATION is invalid even when the message says "expired"', async () => {
    expect(
      await verify('hubspot', 401, hubspot('EXPIRED_AUTHENTICATION', 'Bad token')),
    ).toMatchObject({ status: 'expired', vendorCode: 'EXPIRED_AUTHENTICATION' });
    expect(
      await verify('hubspot', 401, hubspot('INVALID_AUTHENTICATION', 'The token expired')),
    ).toMatchObject({ status: 'invalid', vendorCode: 'INVALID_AUTHENTICATION' });
  });

  it('Salesforce: INVALID_SESSION_ID is expired whatever the message; INVALID_AUTH_HEADER is invalid even when it says "expired"', async () => {
    const body = (errorCode: string, message: string) => [{ errorCode, message, fields: [] }];
    expect(
      await verify(
        'salesforce',
        401,
        body('INVALID_SESSION_ID', 'Illegal Session. Session not found'),
      ),
    ).toMatchObject({ status: 'expired', vendorCode: 'INVALID_SESSION_ID' });
    expect(
      await verify('salesforce', 401, body('INVALID_AUTH_HEADER', 'Session expired')),
    ).toMatchObject({ status: 'invalid', vendorCode: 'INVALID_AUTH_HEADER' });
  });

  it('Zoho: INVALID_TOKEN is expired whatever the message; AUTHENTICATION_FAILURE is invalid even when it says "expired"', async () => {
    const body = (code: string, message: string) => ({
      code,
      details: {},
      message,
      status: 'error',
    });
    expect(await verify('zoho', 401, body('INVALID_TOKEN', 'invalid oauth token'))).toMatchObject({
      status: 'expired',
    });
    expect(
      await verify('zoho', 401, body('AUTHENTICATION_FAILURE', 'access token expired')),
    ).toMatchObject({ status: 'invalid', vendorCode: 'AUTHENTICATION_FAILURE' });
  });

  it('Attio and Pipedrive: a 401 is invalid even when the message says "expired"', async () => {
    expect(
      await verify('attio', 401, {
        status_code: 401,
        type: 'auth_error',
        code: 'unauthorized',
        message: 'The access token has expired.',
      }),
    ).toMatchObject({ status: 'invalid' });
    expect(
      await verify('pipedrive', 401, {
        success: false,
        error: 'Invalid token: access token has expired',
        errorCode: 401,
      }),
    ).toMatchObject({ status: 'invalid' });
  });
});
