/** One self-signed certificate per test run (generating an ECDSA key takes milliseconds, but once is enough). */
import { generateSelfSigned, SelfSignedCertificate } from '../../src/server/self-signed-cert';

let shared: Promise<SelfSignedCertificate> | undefined;

/** Valid for localhost, 127.0.0.1 and ::1, for one day from now. */
export function testCertificate(): Promise<SelfSignedCertificate> {
  shared ??= generateSelfSigned({ hosts: [], days: 1 });
  return shared;
}
