import { createServer, type Server } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { certificateNamesFor, defaultCertificateNames, isAwsHostname } from './aws-hostnames.js';
import type { LocalCa } from './local-ca.js';

/** Server names seen by one run are few (the services an app calls); the cap only bounds a misbehaving client. */
const MAX_CONTEXTS = 1000;

/**
 * An HTTPS server for the local cloud's endpoint under AWS's own host names:
 * each AWS name a client asks for (SNI) gets a certificate from the local CA,
 * issued on first use; clients that send no name get the region's default
 * one. Requests are served by whatever listener is attached, the endpoint's.
 */
export function createAwsTlsServer(ca: LocalCa, region: string): Server {
  const contexts = new Map<string, SecureContext>();
  return createServer({
    ...ca.issue([...defaultCertificateNames(region), 'localhost', '127.0.0.1']),
    SNICallback: (serverName, done) => {
      if (!isAwsHostname(serverName)) {
        done(null, undefined);
        return;
      }
      const name = serverName.toLowerCase();
      let context = contexts.get(name);
      if (!context) {
        try {
          context = createSecureContext(ca.issue(certificateNamesFor(name)));
        } catch (err) {
          done(err as Error, undefined);
          return;
        }
        if (contexts.size >= MAX_CONTEXTS) contexts.clear();
        contexts.set(name, context);
      }
      done(null, context);
    },
  });
}
