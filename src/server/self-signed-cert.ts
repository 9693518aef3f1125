/**
 * A self-signed certificate for one classroom server (`classchat-server gen-cert`): an ECDSA
 * P-256 key, valid for the given host names and addresses plus localhost, so a client that
 * pins its fingerprint or trusts it as a CA file verifies it.
 */
// @peculiar/x509 needs a Reflect metadata polyfill loaded before it (its README says so).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { fingerprintOfPem } from '../protocol/cert-fingerprint';

// Node's webcrypto is the Web Crypto API; the library's types name the DOM's globals instead.
type LibraryCrypto = Parameters<typeof x509.cryptoProvider.set>[0];
type LibraryKeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
x509.cryptoProvider.set(webcrypto as unknown as LibraryCrypto);

/** Always in the certificate, so clients on the server's own machine verify it by default. */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

export interface SelfSignedOptions {
  /** DNS names or IP addresses clients will connect to; loopback names are added. */
  hosts: string[];
  days: number;
  /** Start of validity (default: now); tests move it to make expired certificates. */
  notBefore?: Date;
}

export interface SelfSignedCertificate {
  certPem: string;
  keyPem: string;
  /** SHA-256, colon-separated upper-case hex. */
  fingerprint: string;
  hosts: string[];
  notAfter: Date;
}

/** A host name or address that can go into a certificate, or why not. */
export function certificateHostProblem(host: string): string | undefined {
  if (isIP(host)) return undefined;
  if (host.length > 253 || !/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host)) {
    return `"${host}" is not a host name or IP address`;
  }
  return undefined;
}

export async function generateSelfSigned(options: SelfSignedOptions): Promise<SelfSignedCertificate> {
  for (const host of options.hosts) {
    const problem = certificateHostProblem(host);
    if (problem) throw new RangeError(problem);
  }
  if (!Number.isInteger(options.days) || options.days < 1) throw new RangeError(`days must be a whole number ≥ 1, not ${options.days}`);
  const hosts = [...new Set([...options.hosts.map((host) => host.toLowerCase()), ...LOOPBACK_NAMES])];
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notBefore = options.notBefore ?? new Date();
  const notAfter = new Date(notBefore.getTime() + options.days * 86_400_000);
  // A positive 128-bit serial (RFC 5280 4.1.2.2): clear the top bit.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=${escapeDn(options.hosts[0] ?? 'ClassChat server')}, O=ClassChat`,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    keys: keys as unknown as LibraryKeyPair,
    extensions: [
      new x509.SubjectAlternativeNameExtension(hosts.map((host) => ({ type: isIP(host) ? 'ip' : 'dns', value: host }))),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.SubjectKeyIdentifierExtension.create((keys as unknown as LibraryKeyPair).publicKey),
    ],
  });
  const certPem = certificate.toString('pem') + '\n';
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { certPem, keyPem, fingerprint: fingerprintOfPem(certPem), hosts, notAfter };
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}
