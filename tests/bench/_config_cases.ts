/**
 * The workflow file of the loading benchmarks (`load_bench.ts`, and `compare_bench.ts`'s
 * `e-first-lookup`): params, a schedule, two jobs, a matrix and five templates.
 *
 * @param n Its number (the template is called `wf-n`; its cron differs with `n`).
 * @param unique Give each of its templates a text of its own.
 */
export function workflowYaml(n: number, unique = false): string {
  const u = unique ? ` ${n}` : "";
  return `wf-${n}:
  type: Workflow
  params:
    run-date: datetime
    name: {type: str, default: world}
  on:
    - cronjob: "*/${(n % 30) + 1} * * * *"
      timezone: Asia/Bangkok
  jobs:
    extract:
      stages:
        - name: Greet
          id: greet
          echo: "hello \${{ params.name }}${u}"
        - name: Shell
          bash: echo "\${{ params.run-date | fmt('%Y%m%d') }}${u}"
    load:
      needs: [extract]
      strategy:
        matrix: {table: [a, b, c]}
      stages:
        - name: Load \${{ matrix.table }}${u}
          uses: tasks/load@v1
          with: {table: "\${{ matrix.table }}${u}", from: "\${{ jobs.extract.stages }}${u}"}
`;
}
