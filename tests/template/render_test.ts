import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TemplateError } from "../../src/errors.ts";
import { compileTemplate, hasTemplate, render, renderString } from "../../src/template/mod.ts";

const scope = {
  params: {
    name: "foo",
    "run-date": new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    count: 3,
    ratio: 1.5,
    flag: true,
    nothing: null,
    list: [1, "two", { three: 3 }],
    map: { a: 1, b: [true] },
  },
  stages: { first: { outputs: { count: 5 } } },
};

describe("render() whole-string templates", () => {
  it("returns the native value of a template that is the whole string", () => {
    assert.equal(render("${{ params.count }}", scope), 3);
    assert.equal(render("${{ params.flag }}", scope), true);
    assert.deepEqual(render("${{ params.list }}", scope), [1, "two", { three: 3 }]);
    assert.equal(render("${{ params.nothing }}", scope), null);
    assert.ok(render("${{ params.run-date }}", scope) instanceof Date);
  });

  it("ignores whitespace around a whole-string template", () => {
    assert.equal(render("  ${{ params.count }}\n", scope), 3);
    assert.equal(render("${{params.count}}", scope), 3);
  });
});

describe("render() embedded templates", () => {
  it("stringifies values the JS/JSON way", () => {
    assert.equal(
      render(
        "${{ params.name }}|${{ params.count }}|${{ params.ratio }}|${{ params.flag }}",
        scope,
      ),
      "foo|3|1.5|true",
    );
    assert.equal(render("[${{ params.nothing }}]", scope), "[]");
    assert.equal(render("l=${{ params.list }}", scope), 'l=[1,"two",{"three":3}]');
    assert.equal(render("m=${{ params.map }}", scope), 'm={"a":1,"b":[true]}');
  });

  it("renders dates as ISO-8601 in the render time zone", () => {
    assert.equal(render("d=${{ params.run-date }}", scope), "d=2024-01-02T03:04:05.000Z");
    assert.equal(
      render("d=${{ params.run-date }}", scope, { timezone: "Asia/Bangkok" }),
      "d=2024-01-02T10:04:05.000+07:00",
    );
  });

  it("substitutes several templates left to right", () => {
    assert.equal(
      render(
        "run ${{ params.name | upper }} on ${{ params.count }} (${{ stages.first.outputs.count }})",
        scope,
      ),
      "run FOO on 3 (5)",
    );
  });

  it("keeps strings without templates unchanged, including surrounding whitespace", () => {
    assert.equal(render("  plain text  ", scope), "  plain text  ");
  });
});

describe("render() nested structures", () => {
  it("walks arrays and plain objects, leaving keys and non-strings untouched", () => {
    const input = {
      "${{ params.name }}": ["${{ params.count }}", 7, { deep: "x-${{ params.name }}" }],
      n: 1,
      b: false,
      z: null,
    };
    assert.deepEqual(render(input, scope), {
      "${{ params.name }}": [3, 7, { deep: "x-foo" }],
      n: 1,
      b: false,
      z: null,
    });
  });

  it("never mutates its input", () => {
    const input = { a: ["${{ params.name }}"], b: { c: "${{ params.count }}" } };
    const copy = structuredClone(input);
    const output = render(input, scope) as typeof input;
    assert.deepEqual(input, copy);
    assert.notEqual(output.a, input.a);
  });

  it("returns non-plain objects such as dates as they are", () => {
    const date = new Date(0);
    assert.equal(render(date, scope), date);
    assert.equal(render(42, scope), 42);
  });
});

describe("render() env pass", () => {
  const env = (name: string) => ({ HOME: "/home/me", EMPTY: "" } as Record<string, string>)[name];

  it("replaces ${VAR} and ${VAR:default} and collapses $$", () => {
    assert.equal(render("${HOME}/x", scope, { env }), "/home/me/x");
    assert.equal(render("${MISSING:fallback}", scope, { env }), "fallback");
    assert.equal(render("${MISSING:http://x:1}", scope, { env }), "http://x:1");
    assert.equal(render("${EMPTY:dflt}", scope, { env }), "");
    assert.equal(render("cost $$5", scope, { env }), "cost $5");
    assert.equal(render("${ HOME }", scope, { env }), "/home/me");
  });

  it("leaves bash parameter expansion alone: ${X:-d}, ${X:=d}, ${X:?m}, ${X:+v}, ${P:0:3}, ${P: -2}", () => {
    const script = 'echo "${MISSING:-x}" ${HOME:=/tmp} ${MISSING:?unset} ${HOME:+set} ' +
      "${P:0:3} ${P: -2} ${MISSING:-}";
    assert.equal(render(script, scope, { env }), script);
    assert.equal(render("${HOME:-x} ${MISSING:x-}", scope, { env }), "${HOME:-x} x-");
  });

  it("does not eat quotes around escaped dollars (reference bug)", () => {
    assert.equal(render("'$$HOME'", scope, { env }), "'$HOME'");
    assert.equal(render('echo "$${HOME}"', scope, { env }), 'echo "${HOME}"');
  });

  it("leaves $1, $VAR and shell expansions that are not variable names alone", () => {
    assert.equal(
      render("$1 $VAR ${#arr[@]} ${x%%.*}", scope, { env }),
      "$1 $VAR ${#arr[@]} ${x%%.*}",
    );
  });

  it("fails naming an unset variable without default", () => {
    assert.throws(
      () => render("x ${NOPE}", scope, { env }),
      (error: unknown) =>
        error instanceof TemplateError &&
        error.message.includes("environment variable 'NOPE' is not set"),
    );
  });

  it("keeps ${VAR} as written when no env lookup is given", () => {
    assert.equal(render("${HOME} $$", scope), "${HOME} $");
  });

  it("reports every substituted variable so it can be masked", () => {
    const seen: string[] = [];
    render("${HOME} ${MISSING:d}", scope, {
      env,
      onEnv: (name, value) => seen.push(`${name}=${value}`),
    });
    assert.deepEqual(seen, ["HOME=/home/me"]);
  });

  it("never expands env references found inside substituted values", () => {
    const hostile = { params: { text: "${HOME} $$" } };
    assert.equal(render("v=${{ params.text }}", hostile, { env }), "v=${HOME} $$");
  });

  it("escapes a template with $$", () => {
    assert.equal(render("$${{ params.name }}", scope), "${{ params.name }}");
    assert.equal(hasTemplate("$${{ params.name }}"), false);
  });

  it("skips the env pass for a whole-string template", () => {
    assert.equal(render("${{ params.name }}", scope, { env }), "foo");
  });
});

describe("renderString()", () => {
  it("always returns a string", () => {
    assert.equal(renderString("${{ params.count }}", scope), "3");
    assert.equal(renderString("${{ params.list }}", scope), '[1,"two",{"three":3}]');
    assert.equal(renderString("${{ params.nothing }}", scope), "");
    assert.equal(renderString("plain", scope), "plain");
  });
});

describe("hasTemplate()", () => {
  it("finds templates in strings, arrays and objects", () => {
    assert.equal(hasTemplate("a ${{ x }}"), true);
    assert.equal(hasTemplate(["a", { b: "${{ x }}" }]), true);
    assert.equal(hasTemplate({ a: "${HOME}", b: 1 }), false);
    assert.equal(hasTemplate(3), false);
  });
});

describe("compileTemplate()", () => {
  it("compiles a string once and reuses it", () => {
    const source = "cached ${{ params.name }} once";
    assert.equal(compileTemplate(source), compileTemplate(source));
    assert.equal(compileTemplate(source).kind, "mixed");
    assert.equal(compileTemplate("${{ x }}").kind, "single");
    assert.equal(compileTemplate("a $$ b").kind, "text");
    assert.equal(compileTemplate(source).render(scope, {}), "cached foo once");
  });
});
