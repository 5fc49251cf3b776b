/**
 * The narrow SQL port that the PostgreSQL stores use: parameterised queries, transactions and
 * notifications, nothing driver-specific. `src/runtime/postgres.ts` implements it with the
 * `postgres` driver; tests may implement it over anything else.
 *
 * @module
 */

/** Values a query binds: text, numbers, booleans and `null`. */
export type SqlValue = string | number | boolean | null;

/** One row of a result, by column name. PostgreSQL `bigint` columns arrive as text. */
export type SqlRow = Record<string, unknown>;

/** Something that runs statements: a client, or one transaction of it. */
export interface SqlQueryable {
  /**
   * Runs one statement with positional parameters (`$1`, `$2`, …) and returns its rows
   * (an empty list for statements that return none).
   */
  query(text: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
}

/** A subscription made by {@linkcode SqlClient.listen}. */
export interface SqlSubscription {
  /** Stops listening. */
  close(): Promise<void>;
}

/** A pool of connections to one database. */
export interface SqlClient extends SqlQueryable {
  /**
   * Runs `body` in one transaction on one connection: committed when it resolves, rolled back
   * when it throws (the error is rethrown).
   */
  transaction<T>(body: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** Calls `onMessage` with the payload of every notification sent on `channel`. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<SqlSubscription>;
  /** Sends a notification on `channel` (delivered when the sending transaction commits). */
  notify(channel: string, payload: string): Promise<void>;
  /** Closes every connection, waiting for running statements. */
  close(): Promise<void>;
}
