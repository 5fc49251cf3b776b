/**
 * The workflows of the executor benchmarks, as the YAML would give them (plain objects for
 * `buildWorkflow`): one definition shared by `executor_bench.ts` and `compare_bench.ts`.
 */

/** `n` echo stages that each render the run's one param. */
export function echoStages(n: number): Record<string, unknown>[] {
  return Array.from(
    { length: n },
    (_, i) => ({ name: `s${i}`, id: `s${i}`, echo: "x ${{ params.p }}" }),
  );
}

const params = { p: "str" };
const oneStage = () => [{ name: "s", id: "s", echo: "x" }];
const values = (n: number) => Array.from({ length: n }, (_, i) => i);

/** A benchmark workflow and how many items (stages, jobs, combinations) one run has. */
export interface ExecutorCase {
  readonly items: number;
  readonly workflow: Record<string, unknown>;
}

/** 1,000 stages in one job. */
export function stagesCase(): ExecutorCase {
  return {
    items: 1000,
    workflow: { type: "Workflow", params, jobs: { j: { stages: echoStages(1000) } } },
  };
}

/** 200 independent one-stage jobs, all allowed to run at once. */
export function jobsCase(): ExecutorCase {
  const jobs: Record<string, unknown> = {};
  for (let i = 0; i < 200; i++) jobs[`j${i}`] = { stages: oneStage() };
  return { items: 200, workflow: { type: "Workflow", params, "max-job-parallel": 200, jobs } };
}

/** A `side × side` matrix of one-stage combinations, `maxParallel` at a time. */
export function matrixCase(side: number, maxParallel: number): ExecutorCase {
  return {
    items: side * side,
    workflow: {
      type: "Workflow",
      params,
      jobs: {
        j: {
          strategy: { "max-parallel": maxParallel, matrix: { a: values(side), b: values(side) } },
          stages: oneStage(),
        },
      },
    },
  };
}

/** 100 one-stage jobs, each needing the one before. */
export function chainCase(): ExecutorCase {
  const jobs: Record<string, unknown> = {};
  for (let i = 0; i < 100; i++) {
    jobs[`j${i}`] = { needs: i ? [`j${i - 1}`] : [], stages: oneStage() };
  }
  return { items: 100, workflow: { type: "Workflow", params, jobs } };
}
