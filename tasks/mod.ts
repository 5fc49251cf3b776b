/**
 * Example task group `tasks`, callable from YAML as `uses: tasks/<name>@<tag>`.
 * The engine finds this module because `WORKFLOW_CORE_REGISTRY_CALLER`
 * (default `.`) names the repository root, and group `tasks` is
 * `<caller>/tasks.ts` or `<caller>/tasks/mod.ts`. See `conf/README.md`.
 *
 * @module
 */
import { z } from "zod";
import { tag } from "../src/stages/registry.ts";
import type { CallContext } from "../src/stages/types.ts";

/** `tasks/get-items@demo`: a fixed list, as in the reference's test tasks. */
export const getItems = tag("demo")(function getItems(): { items: number[] } {
  return { items: [1, 2, 3, 4] };
});

const extractArgs = z.object({
  table: z.string().min(1),
  date: z.union([z.string(), z.number()]).transform(String),
});

/**
 * `tasks/extract@v1`: pretends to extract one table for one date; its args
 * are checked by a zod schema (any Standard Schema v1 validator works).
 */
export const extract = tag("v1", { schema: extractArgs })(
  async function extract(args: Record<string, unknown>, ctx: CallContext) {
    const { table, date } = args as z.infer<typeof extractArgs>;
    ctx.trace(`extracting ${table} for ${date}`);
    await Promise.resolve();
    if (ctx.signal.aborted) throw ctx.signal.reason;
    return { table, date, rows: table.length * 10 };
  },
);

/** `tasks/sum@demo`: adds up `values`, to show a task reading list args. */
export const sum = tag("demo", { schema: z.object({ values: z.array(z.number()) }) })(
  function sum(args: Record<string, unknown>) {
    const values = args.values as number[];
    return { total: values.reduce((a, b) => a + b, 0), count: values.length };
  },
);
