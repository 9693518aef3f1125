/** `--store` and CLASSCHAT_DATABASE_URL: which PostgreSQL database, checked before anything starts. */

/** True for a postgres:// or postgresql:// URL. */
export function isDatabaseUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** The URL with any password replaced by `***`, for logs and banners. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unreadable database URL';
  }
}

/** Why `url` cannot name a database (undefined when it can): it needs a host and a database name. */
export function checkDatabaseUrl(url: string): string | undefined {
  if (!isDatabaseUrl(url)) return 'it must start with postgres:// (postgres://USER@HOST:PORT/DB)';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'it is not a valid URL (postgres://USER@HOST:PORT/DB)';
  }
  if (!parsed.hostname) return 'it names no host (postgres://USER@HOST:PORT/DB)';
  if (parsed.pathname.length <= 1) return 'it names no database (postgres://USER@HOST:PORT/DB)';
  return undefined;
}
