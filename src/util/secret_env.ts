/**
 * Which environment variables hold secrets: the values a `${VAR}` template may show, and the
 * server's own credentials that no stage may see.
 *
 * @module
 */

/** Parts of a variable name that mark its value as a secret (matched in any case). */
export const SECRET_NAME_PARTS: readonly string[] = [
  "TOKEN",
  "SECRET",
  "PASSWORD",
  "PASSWD",
  "PASS",
  "KEY",
  "CREDENTIAL",
  "AUTH",
  "PRIVATE",
];

const SECRET_NAME = new RegExp(SECRET_NAME_PARTS.join("|"), "i");

/**
 * Whether the value of env variable `name` is a secret: its name contains one of
 * {@linkcode SECRET_NAME_PARTS} (any case) or it is listed in `listed` (exact name, the
 * `WORKFLOW_CORE_SECRET_ENV` setting).
 *
 * @example
 * ```ts
 * isSecretEnvName("MY_API_TOKEN"); // true
 * isSecretEnvName("HOME"); // false
 * isSecretEnvName("DB_HOST", ["DB_HOST"]); // true
 * ```
 */
export function isSecretEnvName(name: string, listed: readonly string[] = []): boolean {
  return SECRET_NAME.test(name) || listed.includes(name);
}

/** A URL with a password in its user info: `scheme://user:password@host`. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/\s]+@/i;

/**
 * Names of the server's own credentials in `env`: `WORKFLOW_API_TOKEN`, and every other
 * `WORKFLOW_*` variable whose name marks a secret or whose value is a URL carrying a password
 * (a store URL such as `postgres://user:pw@db/workflow`). These never reach a stage.
 * `WORKFLOW_CORE_SECRET_ENV` only lists names and is not one.
 *
 * @example
 * ```ts
 * serverCredentialNames({ WORKFLOW_API_TOKEN: "t", HOME: "/root" }); // ["WORKFLOW_API_TOKEN"]
 * ```
 */
export function serverCredentialNames(env: Readonly<Record<string, string>>): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("WORKFLOW_") || name === "WORKFLOW_CORE_SECRET_ENV") continue;
    if (isSecretEnvName(name) || URL_WITH_PASSWORD.test(value)) names.push(name);
  }
  return names;
}

/**
 * The texts of a server credential to mask: the value itself and, for a URL, the password in
 * it (which may show up on its own, e.g. in a driver's error message).
 */
export function credentialTexts(value: string): string[] {
  const texts = [value];
  if (URL_WITH_PASSWORD.test(value)) {
    try {
      const password = new URL(value).password;
      if (password) texts.push(password, decodeURIComponent(password));
    } catch {
      // Not parseable as a URL: the whole value is masked.
    }
  }
  return texts;
}

/**
 * `url` with the password of its user info replaced by `***`, for messages and listings;
 * text that is not such a URL comes back unchanged.
 *
 * @example
 * ```ts
 * hideUrlPassword("postgres://app:s3cret@db:5432/workflow"); // "postgres://app:***@db:5432/workflow"
 * ```
 */
export function hideUrlPassword(url: string): string {
  // Up to the last `@` before the path: a password may hold an unencoded `@`.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:)[^/\s]*@/i, "$1***@");
}
