/**
 * A JavaScript runner that loads its pool (`pool.ts` and the worker protocol) when the first
 * `run:` stage asks for it, so an engine whose runs have no JavaScript stage never loads it.
 *
 * @module
 */
import type { JsRunner } from "../stages/types.ts";

type Session = Pick<JsRunner, "run" | "close">;

/**
 * Wraps `load` (which makes the real runner) in a {@linkcode JsRunner} that calls it once, on
 * the first `run`; sessions opened before then open the real one on their first `run`.
 *
 * @param load Makes the runner, importing its modules.
 * @returns A runner that behaves as the one `load` makes.
 *
 * @example
 * ```ts
 * let loads = 0;
 * const runner = onDemandJsRunner(() => {
 *   loads++;
 *   return Promise.resolve({ run: () => Promise.resolve({ ok: true }), close: () => Promise.resolve() });
 * });
 * await runner.run({ code: "", vars: {}, context: {} }, {}); // { ok: true }
 * await runner.close();
 * // loads === 1
 * ```
 */
export function onDemandJsRunner(load: () => Promise<JsRunner>): JsRunner {
  let loading: Promise<JsRunner> | undefined;
  const runner = () => loading ??= load();
  return {
    run: async (job, options) => (await runner()).run(job, options),
    session(): Session {
      let opening: Promise<Session> | undefined;
      const session = () =>
        opening ??= runner().then((real) =>
          real.session?.() ?? { run: real.run.bind(real), close: () => Promise.resolve() }
        );
      return {
        run: async (job, options) => (await session()).run(job, options),
        close: async () => {
          // A session that never ran, or whose runner failed to load, holds no worker.
          const opened = await opening?.catch(() => undefined);
          await opened?.close();
        },
      };
    },
    close: async () => {
      const loaded = await loading?.catch(() => undefined);
      await loaded?.close();
    },
  };
}
