/**
 * `classchat-server gen-cert`: a self-signed certificate for a classroom server, its SHA-256
 * fingerprint, and the exact flags and settings for the server and its students.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { certificateHostProblem, generateSelfSigned, LOOPBACK_NAMES } from '../server/self-signed-cert';
import { parseNonNegativeInt, UsageError } from './options';

export const GEN_CERT_USAGE = `Usage:
  classchat-server gen-cert [--out DIR] [--host NAME]... [--days N] [--force]

Makes a self-signed TLS certificate (DIR/cert.pem) and its private key (DIR/key.pem, readable
only by you) and prints the certificate's SHA-256 fingerprint for students to pin.

Options:
  --out DIR      where to write cert.pem and key.pem (default ./classchat-tls)
  --host NAME    a host name or IP address students connect to (repeat for several);
                 localhost, 127.0.0.1 and ::1 are always included
  --days N       how long the certificate is valid (default 365)
  --force        replace an existing cert.pem and key.pem (students must pin the new fingerprint)`;

/** Runs gen-cert with the arguments after "gen-cert"; returns the exit status. */
export async function genCert(argv: string[], out: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: './classchat-tls' },
      host: { type: 'string', multiple: true, default: [] },
      days: { type: 'string', default: '365' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(GEN_CERT_USAGE + '\n');
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`gen-cert takes no arguments besides options, not "${positionals[0]}"`);
  if (values.out.trim() === '') throw new UsageError('--out must not be empty');
  const hosts = values.host.map((host) => host.trim());
  for (const host of hosts) {
    const problem = certificateHostProblem(host);
    if (problem) throw new UsageError(`--host: ${problem}`);
  }
  const days = parseNonNegativeInt(values.days, '--days');
  if (days < 1 || days > 3650) throw new UsageError(`--days must be from 1 to 3650, not ${days}`);

  const certPath = join(values.out, 'cert.pem');
  const keyPath = join(values.out, 'key.pem');
  const certificate = await generateSelfSigned({ hosts, days });
  await mkdir(values.out, { recursive: true, mode: 0o700 });
  if (values.force) await Promise.all([rm(certPath, { force: true }), rm(keyPath, { force: true })]);
  try {
    // 'wx' never overwrites: a new key silently replacing the old one would break every student's pin.
    await writeFile(keyPath, certificate.keyPem, { mode: 0o600, flag: 'wx' });
    await writeFile(certPath, certificate.certPem, { mode: 0o644, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`${(error as NodeJS.ErrnoException).path ?? values.out} already exists; use --force to replace it (students then need the new fingerprint), or another --out`);
    }
    throw error;
  }

  const publicHost = hosts.find((host) => !LOOPBACK_NAMES.includes(host.toLowerCase()));
  const studentHost = publicHost ?? '127.0.0.1';
  const listenHost = publicHost ? ' --host 0.0.0.0' : '';
  const fp = certificate.fingerprint;
  out(
    `Wrote ${certPath} (the certificate) and ${keyPath} (its private key, mode 0600: keep it secret).\n` +
      `Valid for ${certificate.hosts.join(', ')} until ${certificate.notAfter.toISOString().slice(0, 10)}.\n\n` +
      `SHA-256 fingerprint: ${fp}\n\n` +
      `Start the server:\n  npx classchat-server${listenHost} --tls-cert ${quote(certPath)} --tls-key ${quote(keyPath)}\n\n` +
      `Students connect with the fingerprint (compare it with the one above):\n` +
      `  npx classchat --host ${studentHost} --tls-fingerprint ${fp} --name alice\n` +
      `  VS Code settings: "classchat.host": "${studentHost}", "classchat.tls.enabled": true, "classchat.tls.fingerprint": "${fp}"\n` +
      `or with the certificate as CA file: npx classchat --host ${studentHost} --tls-ca cert.pem (VS Code: classchat.tls.caFile)\n`,
  );
  return 0;
}

function quote(path: string): string {
  return /^[\w./:-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
